"""``annotate``: a marked copy of each workbook; the source file is never written.

Workbooks are validated together (so rules across workbooks apply), then each
.xlsx/.xlsm gets ``<name>.checked.xlsx`` with bad cells filled by severity, a
note on each, and a 校验结果 sheet linking to them. The copy is made by editing
the package's parts (``xlsx.marked_copy``), never by an openpyxl load + save, so
images, charts, VBA and everything else openpyxl does not model survive.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_dealer.model.config import Config, load_config
from xl_dealer.model.errors import InputError
from xl_dealer.model.findings import Finding
from xl_dealer.model.language import said, speaks
from xl_dealer.read.copies import copy_path, has_fixes, is_marked_copy
from xl_dealer.read.inputs import collect_files
from xl_dealer.read.workbook import FileResult
from xl_dealer.render.results import SheetChecked, Summary, again_text, not_run_text
from xl_dealer.rules.cross import Across
from xl_dealer.rules.result import ValidationResult
from xl_dealer.validate import validate
from xl_dealer.xlsx.marked_copy import annotate_file, marked_by_us
from xl_dealer.xlsx.package import PackageError

MARKABLE = (".xlsx", ".xlsm")
NOT_MARKABLE = {
    "zh": "标记副本只能用 .xlsx/.xlsm 制作（{ext} 不行）；请在 Excel/WPS 中另存为 .xlsx 后再试，或用 xl-dealer validate 检查这个文件",
    "en": "a marked copy needs .xlsx/.xlsm, not {ext}; save it as .xlsx in Excel/WPS first, or check it with xl-dealer validate",
}


KEPT_COPY = {
    "zh": "没有制作标记副本：已有的 {copy} 在标记后有人改过（可能是在副本里改正的），不会覆盖它。请检查副本本身"
          "（xl-dealer annotate {copy}），或把改正抄回原表后删除副本再运行",
    "en": "no marked copy made: {copy} was edited after marking (fixes made in the copy?) and is not replaced. "
          "Check the copy itself (xl-dealer annotate {copy}), or bring its fixes into this workbook, delete the copy "
          "and run again",
}
NOTHING_CHECKED = said("没有已知类型的表，没有检查，也没有制作标记副本", "no sheet of a known kind, nothing checked: no marked copy made")


@dataclass(slots=True)
class AnnotatedFile:
    path: str
    out: str | None = None
    error: str | None = None
    skipped: str | None = None
    findings: int = 0
    cells: int = 0  # cells filled
    notes: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "out": self.out, "error": self.error, "skipped": self.skipped,
                "findings": self.findings, "cells": self.cells, "notes": self.notes}


@dataclass(slots=True)
class AnnotateResult:
    validation: ValidationResult
    files: list[AnnotatedFile] = field(default_factory=list)

    @property
    def errors(self) -> list[AnnotatedFile]:
        return [f for f in self.files if f.error]

    def exit_code(self, fail_on: str = "never") -> int:
        """2 when any file could not be read or marked; else as validate with ``fail_on`` (default 0)."""
        if self.errors:
            return 2
        return self.validation.exit_code(fail_on)


def output_path(src: Path, out_dir: Path | None = None) -> Path:
    """``登记.xlsx`` → ``登记.checked.xlsx`` beside it, or in ``out_dir``. A marked copy of ours keeps
    its name (``登记.checked.xlsx`` marked again is ``登记.checked.xlsx``, replaced); a clerk's own
    workbook that only happens to be named so is never written over: its copy is beside it."""
    if is_marked_copy(src) and not marked_by_us(src):
        return (out_dir if out_dir is not None else src.parent) / f"{src.stem}.checked{src.suffix.lower()}"
    return copy_path(src, out_dir)


@speaks
def annotate(
    paths: Iterable[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str] | None = None,
    as_of: dt.date | str | None = None,
    config: Config | None = None,
    config_file: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> AnnotateResult:
    """Validate the workbooks together, then write a marked copy of each .xlsx/.xlsm.

    A file that cannot be read or marked is reported in ``files[].error``; the others go on.
    """
    if config is None:
        config = load_config(config_file, lang=lang)
    elif lang:
        config = config.but(lang=lang)
    inputs = input_files(paths)
    # folders as folders: a marked copy beside its workbook is then checked instead of it when the
    # clerk fixed cells in the copy, and skipped when not (``read.copies``); files named as named,
    # each marked as given (a workbook named with its own copy is refused below)
    result = validate(list(paths), as_of=as_of, config=config, progress=progress, pair_named=False)
    untold = result.not_run()
    out_dir = Path(out) if out is not None else None
    dir_error = None
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            dir_error = said(f"--out {out_dir}：无法创建文件夹（{e.strerror or e}）", f"--out {out_dir}: cannot create ({e.strerror or e})")
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_path[f.path].append(f)
    done = AnnotateResult(result)
    written: set[Path] = set()
    # what this run reads: a copy it writes may not replace one of them (an earlier copy a folder
    # brought in and skipped, as we wrote it, is replaced by its workbook's new copy)
    checked = {Path(fr.path) for fr in result.files if not fr.skipped}
    sources = {_resolved(p) for p, (_, from_folder) in inputs.items() if not from_folder or p in checked}
    en = config.lang == "en"
    for fr in result.files:
        src = Path(fr.path)
        if fr.skipped and is_marked_copy(src) and src in inputs and inputs[src][1]:
            continue  # an earlier copy, as we wrote it: its workbook's new copy replaces it
        af = AnnotatedFile(fr.path, findings=len(by_path.get(fr.path, [])))
        done.files.append(af)
        if fr.skipped:
            af.skipped = fr.skipped
        elif fr.error:
            af.error = fr.error
        elif not any(sh.get("kind") for sh in fr.sheets):
            # a copy saying 没有发现问题 of a workbook nothing was checked in would lie, and a folder
            # run would leave a copy of every unrelated workbook
            af.skipped = NOTHING_CHECKED
        elif src.suffix.lower() not in MARKABLE:
            af.error = NOT_MARKABLE["en" if config.lang == "en" else "zh"].format(ext=src.suffix.lower())
        elif dir_error:
            af.error = dir_error
        else:
            sub = inputs.get(src, (Path(), False))[0]
            dst = output_path(src, out_dir / sub if out_dir is not None else None)
            try:
                in_place = _resolved(dst) == _resolved(src)
                if in_place and not (is_marked_copy(src) and marked_by_us(src)):
                    raise PackageError("the output would overwrite the source")
                if not in_place and _resolved(dst) in sources:
                    # annotate a.xlsx a.checked.xlsx: a's copy would replace the clerk's fixed copy
                    raise PackageError(said(f"它的标记副本 {dst.name} 也是这次的输入，不会覆盖", f"its marked copy {dst} is an input of this run: not overwritten (annotate them separately)"))
                if not in_place and dst.is_file() and has_fixes(dst):
                    # the clerk fixed cells in that copy: a new copy of its workbook would throw the fixes away
                    raise InputError(str(src), KEPT_COPY["en" if en else "zh"].format(copy=dst.name))
                if _resolved(dst) in written:
                    raise PackageError(f"another input of the same name was already written to {dst}")
                written.add(_resolved(dst))
                dst.parent.mkdir(parents=True, exist_ok=True)
                af.cells, af.notes = annotate_file(src, dst, by_path.get(fr.path, []), config, fr.fingerprint,
                                                   _summary(fr, src, dst, result.as_of, config.lang, untold))
                af.out = str(dst)
            except PackageError as e:
                af.error = said(f"无法制作标记副本：{e}", f"cannot make the marked copy: {e}")
            except InputError as e:
                af.error = e.reason
            except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as e:
                af.error = said(f"无法写出 {dst}（{getattr(e, 'strerror', None) or e}）", f"cannot write {dst}: {getattr(e, 'strerror', None) or e}")
    return done


def _resolved(p: Path) -> Path:
    try:
        return p.resolve()
    except (OSError, RuntimeError):
        return p.absolute()


def input_files(paths: Iterable[str | os.PathLike[str]]) -> dict[Path, tuple[Path, bool]]:
    """Each input file → (its sub-folder under ``--out``, found in a folder). A folder's tree is
    mirrored, so two months' 登记.xlsx do not overwrite each other."""
    out: dict[Path, tuple[Path, bool]] = {}
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for q in collect_files([p]):
                out.setdefault(q, (q.parent.relative_to(p), True))
        else:
            out.setdefault(p, (Path(), False))
    return out


def _summary(fr: FileResult, src: Path, dst: Path, as_of: dt.date, lang: str, untold: list[Across]) -> Summary:
    """The block on top of the copy's 校验结果: its sheets, as validate read them, and the rules
    across workbooks the run could not check on them (``untold``: the run's)."""
    from xl_dealer.model.kinds import KINDS

    sheets = []
    for sh in fr.sheets:
        kind = KINDS.get(sh.get("kind") or "")
        sheets.append(SheetChecked(sh.get("name", ""), kind.title if kind else None, sh.get("rows") or 0,
                                   sh.get("skipped")))
    lang = "en" if lang == "en" else "zh"
    kinds = {sh.get("kind") for sh in fr.sheets}
    return Summary(src.name, as_of, sheets, again_text(dst.name, lang),
                   not_run_text([a for a in untold if a.on in kinds], lang, advice=False))
