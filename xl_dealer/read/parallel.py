"""Reading and checking workbooks in worker processes (``validate --jobs N``).

Reading a workbook and the rules of its own tables are independent of the other
workbooks, and on a folder of hundreds of workbooks they are nearly all the time,
so they run in N processes. The results come back in the order the files were
given, and the rules across workbooks run afterwards over every table, so the
findings (and the JSON) are the same as with ``--jobs 1``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _alone(work: Work, path: Any, crashed: Callable[[Any], Any], ctx: Any) -> Any:
    """``work(path)`` in a process of its own: ``crashed(path)`` if that process dies."""
    try:
        with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init, initargs=(work,)) as pool:
            return pool.submit(_call, path).result()
    except BrokenProcessPool:
        return crashed(path)
