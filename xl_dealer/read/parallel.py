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


def run_ordered(work: Work, paths: list[Any], jobs: int) -> Iterator[Any]:
    """``work(path)`` for every path, results in the order of ``paths``.

    In this process when one job (or one file) is asked for; otherwise in ``jobs``
    processes, forked where the platform can (the config and alias index are then
    inherited, not pickled). Small chunks keep both processes busy to the end.
    """
    jobs = min(jobs, len(paths))
    if jobs <= 1:
        yield from map(work, paths)
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunk = max(1, min(8, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init, initargs=(work,)) as pool:
        yield from pool.map(_call, paths, chunksize=chunk)
