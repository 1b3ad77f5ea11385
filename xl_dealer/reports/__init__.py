"""Manager reports (SPEC §4): data first (``model.Report``), rendered by openpyxl or xlwings.

``build_report`` is pure (normalised tables in, a Report out): the CLI, the
Excel macros and the tests all call it. ``report`` is the CLI's Python face:
read and validate the workbooks, build, write the xlsx and/or JSON.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xl_dealer.config import Config
    from xl_dealer.reports.model import Report
    from xl_dealer.rules.base import Checked

# name → sheet name; the order of the sheets in ``report all``
REPORTS: dict[str, str] = {
    "morning": "晨会日报",
    "followups": "今日跟进",
    "funnel": "销售漏斗",
    "weekly": "周回访报表",
    "monthly": "月度满意度",
    "churn": "客户流失",
    "reminders": "保养提醒",
}

# name → "module:function" of its builder (imported on use, so the CLI starts fast)
_BUILDERS: dict[str, str] = {
    "morning": "morning:build",
    "followups": "followups:build",
    "funnel": "funnel:build",
    "weekly": "satisfaction:build_weekly",
    "monthly": "satisfaction:build_monthly",
    "churn": "churn:build",
    "reminders": "reminders:build",
}


def builder(name: str) -> Callable[..., Report]:
    from xl_dealer.errors import InputError

    if name not in _BUILDERS:
        raise InputError(name, f"没有这个报表 / unknown report; choose one of: {', '.join(REPORTS)}, all")
    module, func = _BUILDERS[name].split(":")
    return getattr(importlib.import_module(f"xl_dealer.reports.{module}"), func)


def build_report(name: str, checked: list[Checked], *, as_of: dt.date, config: Config,
                 period: str | None = None) -> Report:
    """One report from normalised tables. ``period`` ("week"/"month") only applies to the funnel."""
    fn = builder(name)
    if name == "funnel":
        return fn(checked, as_of=as_of, config=config, period=period)
    return fn(checked, as_of=as_of, config=config)


def names(name: str) -> list[str]:
    """``all`` → every report; a single name → itself (checked)."""
    if name == "all":
        return list(REPORTS)
    builder(name)
    return [name]


def default_out(name: str, as_of: dt.date) -> Path:
    """``weekly_2026-11-30.xlsx`` (``reports_…`` for all) in the current folder."""
    return Path(f"{'reports' if name == 'all' else name}_{as_of.isoformat()}.xlsx")


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
    from xl_dealer.config import load_config
    from xl_dealer.errors import InputError
    from xl_dealer.validate import collect_files, validate

    wanted = names(name)
    config = config or load_config()
    paths = list(paths)
    if not collect_files(paths):
        raise InputError(", ".join(map(str, paths)) or "(none)", "没有找到工作簿 / no workbooks found")
    result = validate(paths, as_of=as_of, config=config)
    if result.errors:
        bad = "; ".join(f"{f.path}: {f.error}" for f in result.errors)
        raise InputError(bad, "无法读取，未生成报表 / unreadable input, no report written")
    day = result.as_of
    stamp = dt.datetime.now().replace(second=0, microsecond=0)
    reports = [build_report(n, result.checked, as_of=day, config=config, period=period) for n in wanted]
    if day == stamp.date():
        for r in reports:
            r.as_of = stamp  # run today: show the time too
    if out is not None or json_path is None:
        from xl_dealer.render.xlsx import save_reports

        save_reports(reports, Path(out) if out is not None else default_out(name, day))
    if json_path is not None and str(json_path) != "-":
        write_json(reports, Path(json_path), single=name != "all")
    return reports


def to_json(reports: list[Report], single: bool) -> dict:
    """One report: SPEC §7's object. ``all``: ``{"reports": [those objects]}``."""
    if single:
        return reports[0].to_json()
    return {"reports": [r.to_json() for r in reports]}


def write_json(reports: list[Report], path: Path, single: bool) -> None:
    from xl_dealer.files import atomic_write

    data = json.dumps(to_json(reports, single), ensure_ascii=False, indent=2).encode("utf-8")
    atomic_write(path, lambda tmp: tmp.write_bytes(data))
