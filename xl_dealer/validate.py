"""``validate``: read workbooks, classify their sheets, run every rule, collect the findings."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_dealer.catalogue import SEVERITIES
from xl_dealer.config import Config, load_config
from xl_dealer.errors import InputError
from xl_dealer.files import generated_by_us, is_marked_copy
from xl_dealer.findings import Finding, count_by_severity
from xl_dealer.kinds import KINDS
from xl_dealer.parallel import default_jobs, run_ordered
from xl_dealer.reading import EXTENSIONS, AliasIndex, SkippedSheet, Table, read_workbook
from xl_dealer.rules import check_run, check_table
from xl_dealer.rules.base import Checked, Emitter
from xl_dealer.schema import FieldType

FAIL_ON = ("error", "warning", "info", "never")


@dataclass(slots=True)
class FileResult:
    path: str
    error: str | None = None
    skipped: str | None = None  # e.g. an Excel lock file: listed, not an error
    sheets: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "error": self.error, "sheets": self.sheets}
        if self.skipped:
            d["skipped"] = self.skipped
        return d


@dataclass(slots=True)
class ValidationResult:
    as_of: dt.date
    files: list[FileResult]
    findings: list[Finding]
    checked: list[Checked] = field(default_factory=list, repr=False)
    config: Config | None = field(default=None, repr=False)

    def summary(self) -> dict[str, int]:
        sheets = [s for f in self.files for s in f.sheets if s.get("kind")]
        return {
            "files": len(self.files),
            "sheets": len(sheets),
            "rows": sum(s["rows"] for s in sheets),
            **count_by_severity(self.findings),
        }

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    def exit_code(self, fail_on: str = "error") -> int:
        """0 nothing at or above ``fail_on``, 1 findings at or above it, 2 an unreadable input."""
        if self.errors:
            return 2
        if fail_on == "never":
            return 0
        threshold = SEVERITIES.index(fail_on)
        return 1 if any(SEVERITIES.index(f.severity) <= threshold for f in self.findings) else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "as_of": self.as_of.isoformat(),
            "files": [f.to_json() for f in self.files],
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary(),
        }


def collect_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, bool]]:
    """(file, came from a folder) for files as given and folders expanded (recursively, sorted)."""
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            # lock files (~$x.xlsx) and hidden files (.x.xlsx, macOS ._x.xlsx) are kept so
            # read_file can list them as skipped; hidden folders are not entered
            found = sorted(
                q for q in p.rglob("*")
                if q.suffix.lower() in EXTENSIONS and q.is_file()
                and not any(part.startswith(".") for part in q.relative_to(p).parts[:-1])
            )
            out.extend((q, True) for q in found if _first(q, seen))
        elif _first(p, seen):
            out.append((p, False))
    return out


def _first(p: Path, seen: set[Path]) -> bool:
    """A workbook named twice (or in a folder and by name) is read once: counted twice, every
    finding and report number would double."""
    key = p.resolve()
    if key in seen:
        return False
    seen.add(key)
    return True


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given, folders expanded (recursively, sorted) to their workbooks."""
    return [p for p, _ in collect_inputs(paths)]


def read_file(path: Path, config: Config, index: AliasIndex | None = None,
              from_folder: bool = False, threads: int = 1) -> tuple[FileResult, list[Table]]:
    """One workbook → its FileResult (error or sheet list) and its tables; never raises on bad input.

    Our own outputs are listed as skipped: a report always, a marked copy when a folder
    brought it in (its source beside it is checked; named on its own, a clerk may be fixing it)."""
    fr = FileResult(str(path))
    if path.name.startswith("~$"):
        fr.skipped = "Excel 锁定文件（该工作簿正在 Excel 中打开），已跳过 / Excel lock file, skipped"
        return fr, []
    if path.name.startswith("."):
        fr.skipped = "隐藏文件，已跳过 / hidden file, skipped"
        return fr, []
    if path.suffix.lower() in (".xlsx", ".xlsm") and generated_by_us(path) == "report":
        fr.skipped = "xl-dealer 生成的报表，不是登记数据，已跳过 / a report xl-dealer wrote, skipped"
        return fr, []
    if from_folder and is_marked_copy(path):
        fr.skipped = ("xl-dealer 的标记副本，已跳过（原表已检查）/ a marked copy from xl-dealer annotate, skipped "
                      "(its source is checked)")
        return fr, []
    try:
        sheets = read_workbook(path, config, index, threads)
    except InputError as e:
        fr.error = e.reason if not e.sheet else f"[{e.sheet}] {e.reason}"
        return fr, []
    tables = [s for s in sheets if isinstance(s, Table)]
    fr.sheets = [s.info() for s in sheets]
    if all(isinstance(s, SkippedSheet) and s.reason == "empty" for s in sheets):
        fr.error = "工作簿是空的，没有任何数据 / the workbook is empty"
    elif tables and not any(t.rows for t in tables):
        # nothing to check at all, same as an empty workbook to a scheduler
        names = "、".join(t.sheet for t in tables)
        fr.error = f"工作表 {names} 只有表头，没有数据行 / only a header row, no data rows"
    return fr, tables


def validate(
    paths: Iterable[str | os.PathLike[str]],
    *,
    as_of: dt.date | str | None = None,
    config: Config | None = None,
    config_file: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
) -> ValidationResult:
    """Check workbooks together (cross-workbook rules apply when both sides are present).

    Unreadable files are reported in ``files[].error``; the others are still checked.
    ``jobs``: CPUs to use (default: all available; 1 = one): that many processes read and
    check a folder's workbooks, and a single big sheet is read in that many pieces at once.
    The result does not depend on it.
    """
    if config is None:
        config = load_config(config_file, lang=lang)
    elif lang:
        config = config.model_copy(update={"lang": lang})
    day = _as_of(as_of, config)
    files: list[FileResult] = []
    checked: list[Checked] = []
    findings: list[Finding] = []
    inputs = collect_inputs(paths)
    cpus = jobs or default_jobs()
    # the CPUs a process has to itself: with fewer files than CPUs, a big sheet is read in pieces
    work = _FileCheck(config, day, max(1, cpus // max(1, min(cpus, len(inputs)))))
    with _gc_paused():
        for fr, cs, fs in run_ordered(work, inputs, cpus):
            files.append(fr)
            for c in cs:  # a worker's copy of the kind: back to the one declaration
                c.table.kind = KINDS.get(c.table.kind.key, c.table.kind)
            checked.extend(cs)
            findings.extend(fs)
            if progress:
                progress(fr.path)
        em = Emitter(config, day)
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

    def __init__(self, config: Config, day: dt.date, threads: int = 1) -> None:
        self.config = config
        self.day = day
        self.threads = threads
        self.index = AliasIndex(config)
        # imported before workers fork, so each does not import (and compile regexes) on its own
        import phonenumbers  # noqa: F401
        import python_calamine  # noqa: F401
        import stdnum.cn.ric  # noqa: F401

        import xl_dealer.sparse  # noqa: F401

    def __call__(self, item: tuple[Path, bool]) -> tuple[FileResult, list[Checked], list[Finding]]:
        path, from_folder = item
        fr, tables = read_file(path, self.config, self.index, from_folder, self.threads)
        em = Emitter(self.config, self.day)
        checked = [check_table(t, self.config, em) for t in tables]
        for c in checked:
            # later steps read normalised values; only a score's raw form (3 of 10, 很好) is shown
            # again. Dropping the rest halves what a worker sends back and what a run keeps.
            c.table.raw = {k: v for k, v in c.table.raw.items() if c.table.kind.field(k).type is FieldType.SCORE}
        return fr, checked, em.findings


def _as_of(as_of: dt.date | str | None, config: Config) -> dt.date:
    if isinstance(as_of, str):
        return dt.date.fromisoformat(as_of)
    return as_of or config.as_of or dt.date.today()
