"""The 校验结果 table and the note text, as plain data: the marked copy and a live book share them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xl_dealer.model.findings import Finding, json_value
from xl_dealer.model.text import clean_text
from xl_dealer.read.values import text_width

SEVERITY_LABEL = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
                  "en": {"error": "error", "warning": "warning", "info": "info"}}
# (key, zh, en, narrowest, widest) in characters: each column is as wide as its longest text
# within these bounds, and longer text wraps. 单元格 shows the group (王强 2026-11-10) of a
# group finding, as the Excel-side sheet and the text output do: a column of its own for
# the few group findings was empty on almost every row.
COLUMNS = (
    ("sheet", "工作表", "Sheet", 8, 20),
    ("cell", "单元格", "Cell", 7, 18),
    ("column", "列", "Column", 6, 20),
    ("rule", "规则", "Rule", 8, 26),
    ("severity", "级别", "Severity", 6, 9),
    ("message", "说明", "Message", 30, 60),
    ("value", "值", "Value", 6, 24),
)
ROW_HEIGHT = 15  # points a line of 11 pt text needs
MAX_LINES = 27  # 27 × 15 pt: Excel's tallest row is 409 pt
NOTE_SEPARATOR = {"zh": "——— xl-dealer 校验 ———", "en": "--- xl-dealer check ---"}
NO_FINDINGS = {"zh": "没有发现问题", "en": "no findings"}


@dataclass(frozen=True, slots=True)
class ResultRow:
    finding: Finding
    values: tuple[str, ...]  # in COLUMNS order, as text


def headers(lang: str) -> list[str]:
    return [en if lang == "en" else zh for _, zh, en, *_ in COLUMNS]


def result_rows(findings: list[Finding], lang: str) -> list[ResultRow]:
    labels = SEVERITY_LABEL["en" if lang == "en" else "zh"]
    out = []
    for f in findings:
        v = shown_value(f.value)
        if isinstance(v, bool):
            v = ("yes" if v else "no") if lang == "en" else ("是" if v else "否")
        out.append(ResultRow(f, tuple(clean_text(t) for t in (
            f.sheet or "", f.cell or (f"{f.row}" if f.row else "") or f.subject or "",
            (f.column or "").replace("\n", " "), f.rule, labels.get(f.severity, f.severity), f.message,
            "" if v is None else str(v),
        ))))
    return out


def shown_value(value: object) -> object:
    """A value as the clerk wrote it: 13:10, not 13:10:00; 2026-11-14 10:00, not 2026-11-14T10:00:00."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.time) and not value.second and not value.microsecond:
        return value.strftime("%H:%M")
    return json_value(value)


def note_text(findings: list[Finding], lang: str) -> str:
    """One note for a cell: each finding's message on its own line, worst first."""
    labels = SEVERITY_LABEL["en" if lang == "en" else "zh"]
    order = {"error": 0, "warning": 1, "info": 2}
    seen: list[str] = []
    for f in sorted(findings, key=lambda f: order.get(f.severity, 3)):
        line = f"【{labels.get(f.severity, f.severity)}】{f.message}" if lang != "en" else \
            f"[{labels.get(f.severity, f.severity)}] {f.message}"
        if line not in seen:
            seen.append(line)
    return clean_text("\n".join(seen))


def worst(findings: list[Finding]) -> str:
    for sev in ("error", "warning", "info"):
        if any(f.severity == sev for f in findings):
            return sev
    return findings[0].severity


def text_lines(text: str, width: int) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide (CJK counts double).

    One unit is kept for the cell's padding, so the estimate errs on the tall side: a
    row a little too tall reads fine, one too short cuts the message off.
    """
    n = 0
    for line in text.split("\n"):
        n += max(1, -(-text_width(line) // max(width - 1, 1)))
    return n


def column_widths(rows: list[ResultRow], lang: str) -> list[int]:
    """Each column as wide as its longest text (header included) plus padding, within its bounds."""
    out = []
    for i, (head, (_, _, _, lo, hi)) in enumerate(zip(headers(lang), COLUMNS, strict=True)):
        longest = max((text_width(r.values[i]) for r in rows), default=0)
        out.append(max(lo, min(max(longest, text_width(head)) + 2, hi)))
    return out


def row_height(values: tuple[str, ...], widths: list[int]) -> float | None:
    """Points for a row whose wrapped texts all fit, or None when one line is enough."""
    lines = max(text_lines(t, w) for t, w in zip(values, widths, strict=True))
    return ROW_HEIGHT * min(lines, MAX_LINES) if lines > 1 else None
