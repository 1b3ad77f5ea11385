"""``validate``: read workbooks, classify their sheets, run every rule, collect the findings."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from xl_dealer.model.config import Config, load_config
from xl_dealer.model.findings import Finding
from xl_dealer.model.kinds import KINDS
from xl_dealer.model.language import said, speaks
from xl_dealer.model.schema import FieldType
from xl_dealer.read.header import AliasIndex
from xl_dealer.read.inputs import collect_files, collect_inputs, paired
from xl_dealer.read.parallel import default_jobs, free_jobs, run_ordered
from xl_dealer.read.workbook import FileResult, read_file
from xl_dealer.rules import check_fields, check_run, check_table
from xl_dealer.rules.base import Checked, Emitter
from xl_dealer.rules.result import FAIL_ON, ValidationResult

__all__ = ["FAIL_ON", "FileResult", "ValidationResult", "collect_files", "validate"]


@speaks
def validate(
    paths: Iterable[str | os.PathLike[str]],
    *,
    as_of: dt.date | str | None = None,
    config: Config | None = None,
    config_file: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
    rules: bool = True,
    pair_named: bool = True,
) -> ValidationResult:
    """Check workbooks together (cross-workbook rules apply when both sides are present).

    Unreadable files are reported in ``files[].error``; the others are still checked.
    ``jobs``: CPUs to use (default: those other programs leave idle, measured first; 1 = one): that many processes read and
    check a folder's workbooks, and a single big sheet is read in that many pieces at once.
    The result does not depend on it.
    ``rules=False``: the tables read and normalised only, no rule run and no finding kept (``report``
    reads the values, never the findings: the rules were a tenth of its work for nothing).
    ``pair_named``: a workbook named with its marked copy is read as a folder reads the two
    (``read.copies``); annotate, which marks what it is given, says False.
    """
    if config is None:
        config = load_config(config_file, lang=lang)
    elif lang:
        config = config.but(lang=lang)
    day = as_of_day(as_of, config)
    files: list[FileResult] = []
    checked: list[Checked] = []
    findings: list[Finding] = []
    inputs = collect_inputs(paths)
    if pair_named:
        inputs = paired(inputs)
    cpus = jobs or default_jobs()
    if jobs is None and cpus > 1 and (len(inputs) > 1 or _big(inputs, config)):
        cpus = free_jobs(cpus, meanwhile=_FileCheck.warm)  # the default: only the CPUs other programs leave idle
    # the CPUs a process has to itself: with fewer files than CPUs, a big sheet is read in pieces
    work = _FileCheck(config, day, max(1, cpus // max(1, min(cpus, len(inputs)))), rules)
    if min(cpus, len(inputs)) > 1:
        work.warm()
    with _gc_paused():
        for fr, cs, fs in run_ordered(work, inputs, cpus, _crashed):
            files.append(fr)
            for c in cs:  # a worker's copy of the kind: back to the one declaration
                c.table.kind = KINDS.get(c.table.kind.key, c.table.kind)
            checked.extend(cs)
            findings.extend(fs)
            if progress:
                progress(fr.path)
        em = Emitter(config, day)
        if rules:
            check_run(checked, config, em)
    findings.extend(em.findings)
    findings.sort(key=Finding.sort_key)
    return ValidationResult(day, files, findings, checked, config)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while reading and checking.

    A run allocates millions of small objects that live to its end (cells, memo
    tuples); each full collection walks all of them, so the collector's cost grew
    faster than the rows (about 10% of a 100k-row run). The run makes almost no
    reference cycles; collection resumes afterwards (workers inherit the pause).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            # what the run made is mostly the result, alive until the caller drops it: move it out
            # of the collector's sight rather than walk it all once collection resumes (refcounting
            # still frees it)
            gc.freeze()
            gc.enable()


class _FileCheck:
    """One workbook read and its own tables checked: the part of ``validate`` that runs in
    a worker with ``--jobs``. The same code runs in-process, so the output cannot differ."""

    def __init__(self, config: Config, day: dt.date, threads: int = 1, rules: bool = True) -> None:
        self.config = config
        self.day = day
        self.threads = threads
        self.rules = rules
        self.index = AliasIndex(config)

    @staticmethod
    def warm() -> None:
        """Imported before workers fork, so each does not import (and compile regexes) on its
        own; in one process they are imported when a cell needs them (a 10-row file seldom does)."""
        import phonenumbers  # noqa: F401
        import python_calamine  # noqa: F401
        import stdnum.cn.ric  # noqa: F401

        import xl_dealer.read.sparse  # noqa: F401

    def __call__(self, item: tuple[Path, bool]) -> tuple[FileResult, list[Checked], list[Finding]]:
        path, from_folder = item
        # a big sheet on one thread: from a stored copy the pre-flight pass writes (pieces.py)
        fr, tables = read_file(path, self.config, self.index, from_folder, self.threads, stored=True)
        em = Emitter(self.config, self.day)
        if self.rules:
            checked = [check_table(t, self.config, em) for t in tables]
        else:  # the values only: normalising a cell is checking it, so its findings are made, and dropped
            checked = [check_fields(t, self.config, em) for t in tables]  # (a partial list would pass for all)
            em.findings.clear()
        for c in checked:
            # later steps read normalised values; only a score's raw form (3 of 10, 很好) is shown
            # again. Dropping the rest halves what a worker sends back and what a run keeps.
            c.table.raw = {k: v for k, v in c.table.raw.items() if c.table.kind.field(k).type is FieldType.SCORE}
        return fr, checked, em.findings


def _big(inputs: list[tuple[Path, bool]], config: Config) -> bool:
    """Is a workbook large enough that one of its sheets may be cut into pieces?"""
    try:
        # a sheet's XML is rarely over 20 times its share of the file
        return any(p.stat().st_size * 20 >= config.limits.split_mb * 1024 * 1024 for p, _ in inputs)
    except OSError:
        return True


def _crashed(item: tuple[Path, bool]) -> tuple[FileResult, list[Checked], list[Finding]]:
    """The result of a file whose reader took its process down (``run_ordered``)."""
    fr = FileResult(str(item[0]), error=said("读取这个文件时读取程序异常退出（数据可能分布在极大的区域里，或文件已损坏）：请用 Excel 打开后另存一份再检查", "the reader stopped on this file (values spread over a huge grid, or a damaged file): open it in Excel and save it again"))
    return fr, [], []


def as_of_day(as_of: dt.date | str | None, config: Config) -> dt.date:
    """The day the rules count from: given (a date, or text as the cells have it), else the
    config's, else today; within the years a log can be about, else InputError."""
    from xl_dealer.model.config import check_as_of
    from xl_dealer.model.errors import InputError

    if isinstance(as_of, str):
        from xl_dealer.read.values import parse_day

        parsed = parse_day(as_of)
        if parsed is None:
            raise InputError("--as-of", said(f"「{as_of}」不是日期，请写成 2026-11-27、2026/11/27 或 2026年11月27日",
                                             f"{as_of!r} is not a date; write it as 2026-11-27 or 2026/11/27"))
        as_of = parsed
    try:
        return check_as_of(as_of or config.as_of or dt.date.today())
    except ValueError as e:
        raise InputError("--as-of", str(e)) from None
