"""Reading and checking workbooks in worker processes (``validate --jobs N``).

Reading a workbook and the rules of its own tables are independent of the other
workbooks, and on a folder of hundreds of workbooks they are nearly all the time,
so they run in N processes. The results come back in the order the files were
given, and the rules across workbooks run afterwards over every table, so the
findings (and the JSON) are the same as with ``--jobs 1``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Work = Callable[[Path], Any]

_work: Work | None = None  # the worker's task, set once per process by _init


def default_jobs() -> int:
    """The CPUs this process may use (a container's quota, not the host's core count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


def free_jobs(cpus: int, window: float = 0.05, meanwhile: Callable[[], object] | None = None) -> int:
    """Of ``cpus``, those not busy with other programs right now, measured over ``window``
    seconds; ``meanwhile`` is work done in that time instead of waiting (the imports the
    workers need before they fork: they are not lost when the answer is one job)."""
    if cpus <= 1:
        return cpus
    idle = Idle(cpus)
    if meanwhile is not None:
        meanwhile()
    time.sleep(max(0.0, window - idle.elapsed()))
    return idle.count()


class Idle:
    """The CPUs other programs leave idle, from the kernel's CPU times (Linux): all the time
    spent between now and ``count()``, less this process's own (it may be working meanwhile).

    Two workers on a machine whose other core is taken share one core and a half between
    three processes, and the results they send back cost more than that gains: on a busy
    machine ``--jobs 1`` was faster than the default. The load average would not do: it lags
    by a minute, and counts this program's own work of the minute before."""

    def __init__(self, cpus: int) -> None:
        self.cpus = cpus
        self.start = time.monotonic()
        self.first = _cpu_times()
        self.own = _own_ticks()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def count(self) -> int:
        second = _cpu_times()
        if self.first is None or second is None:
            return self.cpus
        total, idle = second[0] - self.first[0], second[1] - self.first[1]
        if total <= 0:
            return self.cpus
        others = max(0.0, total - idle - (_own_ticks() - self.own))  # busy, and not with us
        free = self.first[2] * (1 - others / total)
        return max(1, min(self.cpus, int(free + 0.35)))  # a core two thirds free counts


def _own_ticks() -> float:
    """This process's CPU time (all its threads), in the kernel's clock ticks as /proc/stat counts."""
    t = os.times()
    return (t.user + t.system) * _TICKS


try:
    _TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):  # Windows: /proc/stat is not there either
    _TICKS = 100


def _cpu_times() -> tuple[int, int, int] | None:
    """(all CPU time, idle time, CPUs) since boot, from /proc/stat; None where there is none."""
    try:
        with open("/proc/stat", "rb") as f:
            lines = f.read().split(b"\n")
    except OSError:
        return None
    parts = lines[0].split()
    if not parts or parts[0] != b"cpu":
        return None
    ticks = [int(x) for x in parts[1:]]
    cores = sum(1 for ln in lines[1:] if ln.startswith(b"cpu"))
    # user nice system idle iowait irq softirq steal (guest time is inside user already)
    return sum(ticks[:8]), ticks[3] + (ticks[4] if len(ticks) > 4 else 0), max(1, cores)


def _init(work: Work) -> None:
    global _work
    _work = work


def _call(path: Path) -> Any:
    assert _work is not None
    return _work(path)


def run_ordered(work: Work, paths: list[Any], jobs: int,
                crashed: Callable[[Any], Any] | None = None) -> Iterator[Any]:
    """``work(path)`` for every path, results in the order of ``paths``.

    In this process when one job (or one file) is asked for; otherwise in ``jobs``
    processes, forked where the platform can (the config and alias index are then
    inherited, not pickled). Small chunks keep both processes busy to the end.

    A worker that dies (a reader aborting the process on a file the guard let through) costs
    only its file: the files not yet answered are read again, each in a process of its own,
    and the one whose process dies again gets ``crashed(path)`` as its result.
    """
    jobs = min(jobs, len(paths))
    if jobs <= 1:
        yield from map(work, paths)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = _context()
    chunk = max(1, min(8, len(paths) // (jobs * 8)))
    done = 0
    try:
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init, initargs=(work,)) as pool:
            for result in pool.map(_call, paths, chunksize=chunk):
                done += 1
                yield result
    except BrokenProcessPool:
        if crashed is None:
            raise
        for path in paths[done:]:
            yield _alone(work, path, crashed, ctx)


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _alone(work: Work, path: Any, crashed: Callable[[Any], Any], ctx: Any) -> Any:
    """``work(path)`` in a process of its own: ``crashed(path)`` if that process dies."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init, initargs=(work,)) as pool:
            return pool.submit(_call, path).result()
    except BrokenProcessPool:
        return crashed(path)
