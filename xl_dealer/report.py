"""``report``: read and check the workbooks, build the reports, write the xlsx and/or the JSON.

The operation behind ``xl-dealer report``; ``reports`` builds the data and ``render``
draws the sheets.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from xl_dealer.model.language import said, speaks
from xl_dealer.reports import build_report, names, report_key

if TYPE_CHECKING:
    from xl_dealer.model.config import Config
    from xl_dealer.reports.data import Report
    from xl_dealer.rules.result import ValidationResult


def default_out(name: str, reports: list[Report]) -> Path:
    """The file in the current folder named as its reader names it: ``周回访报表_2026-11-30.xlsx``
    (its sheet, so ``季度满意度_…`` for a quarter), ``全部报表_…`` for all; in English the key
    (``weekly_2026-11-30.xlsx``, ``reports_…``)."""
    name, day = report_key(name), reports[0].as_of.date()
    if name == "all":
        stem = said("全部报表", "reports")
    else:
        stem = said(reports[0].sheet, name)
    return Path(f"{stem}_{day.isoformat()}.xlsx")


@speaks
def report(
    name: str,
    paths: Iterable[str | os.PathLike[str]],
    *,
    as_of: dt.date | str | None = None,
    config: Config | None = None,
    out: str | os.PathLike[str] | None = None,
    json_path: str | os.PathLike[str] | None = None,
    period: str | None = None,
) -> list[Report]:
    """Read the workbooks (files or folders), build report ``name`` (or ``all``), write the xlsx and JSON.

    The xlsx goes to ``out`` (default :func:`default_out`, but none when only JSON is asked for);
    JSON goes to ``json_path`` (``-`` means the caller prints it: the CLI to stdout). An unreadable input raises ``InputError`` so a
    scheduled run never publishes a report that silently lacks a month.
    """
    from xl_dealer.model.config import load_config
    from xl_dealer.model.errors import InputError
    from xl_dealer.read.inputs import collect_files
    from xl_dealer.render.outputs import ours, refuse_inputs
    from xl_dealer.reports.common import gc_paused, period_key, sharing
    from xl_dealer.validate import validate

    name, period = report_key(name), period_key(period)
    wanted = names(name)
    check_period(name, period)
    config = config or load_config()
    paths = list(paths)
    inputs = collect_files(paths)
    if not inputs:
        raise InputError(", ".join(map(str, paths)) or "(none)", said("没有找到工作簿", "no workbooks found"))
    targets: dict[str, Path] = {}
    if json_path is not None and str(json_path) != "-":
        targets["--json"] = Path(json_path)
    if out is not None:
        targets["--out"] = Path(out)
    refuse_inputs(targets, inputs)
    for option, target in targets.items():
        if target.exists() and not ours(target, ("report",)):
            raise InputError(str(target), said(f"{option} 指向一个已有的文件，它不是 xl-dealer 写的报表，不会覆盖：请换一个文件名", f"{option} names an existing file that is not a report xl-dealer wrote: not overwritten; choose another name"))
    with sharing():  # each shared index built once: by the run rules, read again by the reports
        result = validate(paths, as_of=as_of, config=config, rules=False)  # values, not findings
        if result.errors:
            bad = "; ".join(f"{f.path}: {f.error}" for f in result.errors)
            raise InputError(bad, said("无法读取，未生成报表", "unreadable input, no report written"))
        with gc_paused():  # the reports and the sheets
            return _build_and_write(result, name, wanted, config, period, paths, inputs, targets, out, json_path)


def _build_and_write(result: ValidationResult, name: str, wanted: list[str], config: Config, period: str | None,
                     paths: list, inputs: list, targets: dict[str, Path], out: str | os.PathLike[str] | None,
                     json_path: str | os.PathLike[str] | None) -> list[Report]:
    from xl_dealer.model.errors import InputError
    from xl_dealer.render.outputs import ours, refuse_inputs

    day = result.as_of
    stamp = dt.datetime.now().replace(second=0, microsecond=0)
    reports = [build_report(n, result.checked, as_of=day, config=config, period=period) for n in wanted]
    refuse_unfed(reports, single=name != "all", paths=paths)
    if day == stamp.date():
        for r in reports:
            r.as_of = stamp  # run today: show the time too
    from xl_dealer.render.outputs import atomic_write_all

    writes = []
    if out is not None or json_path is None:
        from xl_dealer.render.reports import workbook_of
        from xl_dealer.render.sheetdata import save_workbook

        xlsx = Path(out) if out is not None else default_out(name, reports)
        if out is None:  # the default name: it must not be an input or a clerk's file either
            refuse_inputs({"--out": xlsx, **targets}, inputs)
            if xlsx.exists() and not ours(xlsx, ("report",)):
                raise InputError(str(xlsx), said("已有同名文件，它不是 xl-dealer 写的报表，不会覆盖：请用 --out 指定文件名", "a file of that name exists and is not a report xl-dealer wrote: not overwritten; name one with --out"))
        wb = workbook_of(reports)
        writes.append((xlsx, lambda tmp: save_workbook(wb, tmp)))
    if json_path is not None and str(json_path) != "-":
        data = json_bytes(reports, single=name != "all")
        writes.append((Path(json_path), lambda tmp: tmp.write_bytes(data)))
    atomic_write_all(writes)  # the sheet and the JSON, or neither
    return reports


def check_period(name: str, period: str | None) -> None:
    """``--period`` must be one we know, for a report that has periods (``all``: those that do)."""
    from xl_dealer.model.errors import InputError
    from xl_dealer.reports import PERIODIC, REPORTS
    from xl_dealer.reports.common import PERIODS, period_key

    name, period = report_key(name), period_key(period)
    if period is None:
        return
    if period not in PERIODS:
        raise InputError(f"--period {period}", said(
            "期间只能是 " + "、".join(f"{zh}（{key}）" for key, zh in PERIODS.items()) + " 之一",
            f"must be one of {', '.join(PERIODS)}"))
    if name != "all" and name not in PERIODIC:
        raise InputError(f"--period {period}", said(
            f"{REPORTS.get(name, name)}只有固定的期间，不接受 --period；可用于 "
            + "、".join(REPORTS[k] for k in PERIODIC), f"{name} takes no --period; these do: {', '.join(PERIODIC)}"))


def refuse_unfed(reports: list[Report], single: bool, paths: list) -> None:
    """A report fed by none of the inputs it needs is not written: an all-zero sheet would pass
    for a quiet week. ``all`` is refused only when no report at all is fed."""
    from xl_dealer.model.errors import InputError

    unfed = [r for r in reports if not r.fed]
    if unfed and (single or len(unfed) == len(reports)):
        why = "".join(f"「{r.sheet}」{''.join(r.notes)}" for r in unfed)
        raise InputError(", ".join(map(str, paths)), said(f"{why}未生成报表", "nothing in the inputs feeds the report"))


def to_json(reports: list[Report], single: bool) -> dict:
    """One report: SPEC §7's object. ``all``: ``{"reports": [those objects]}``."""
    if single:
        return reports[0].to_json()
    return {"reports": [r.to_json() for r in reports]}


def json_bytes(reports: list[Report], single: bool) -> bytes:
    return json.dumps(to_json(reports, single), ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")


def write_json(reports: list[Report], path: Path, single: bool) -> None:
    from xl_dealer.render.outputs import atomic_write

    data = json_bytes(reports, single)
    atomic_write(path, lambda tmp: tmp.write_bytes(data))
