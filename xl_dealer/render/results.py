"""The 校验结果 sheet and the note text, as plain data: the marked copy (``xlsx.results``) and a
live book (``excel.results``) draw the same rows, so the two read the same.

The sheet is for the clerk who fixes the cells: a short block on top says what was checked,
as of when, how many problems of each level, and how to check again; then one row per
finding, in the clerk's words (the rule's Chinese name), with the rule id last, for IT.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xl_dealer.model.catalogue import RULES
from xl_dealer.model.findings import Finding, count_by_severity, json_value
from xl_dealer.model.text import clean_text, text_width
from xl_dealer.rules.cross import Across

SEVERITY_LABEL = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
                  "en": {"error": "error", "warning": "warning", "info": "info"}}
# (key, zh, en, narrowest, widest) in characters: each column is as wide as its longest text
# within these bounds, and longer text wraps. 单元格 shows the group (王强 2026-11-10) of a
# group finding, as the text output does: a column of its own for the few group findings
# was empty on almost every row.
COLUMNS = (
    ("sheet", "工作表", "Sheet", 8, 20),
    ("cell", "单元格", "Cell", 7, 18),
    ("column", "列", "Column", 6, 20),
    ("severity", "级别", "Severity", 6, 9),
    ("name", "问题", "Problem", 8, 22),
    ("message", "说明", "Message", 30, 60),
    ("value", "值", "Value", 6, 24),
    ("rule", "规则编号", "Rule id", 8, 26),
)
ROW_HEIGHT = 16  # points a line of 11 pt text needs (Chinese fonts' lines are taller than Calibri's 15)
PADDING = 6  # points above and below the text of a row, so it does not touch the gridlines
MAX_LINES = 25  # 25 × 16 pt + padding: Excel's tallest row is 409 pt
NOTE_SEPARATOR = {"zh": "——— xl-dealer 校验 ———", "en": "--- xl-dealer check ---"}
NO_FINDINGS = {"zh": "没有发现问题", "en": "no findings"}
NO_FINDINGS_COLUMN = [k for k, *_ in COLUMNS].index("message")  # the one row of a clean workbook says so there
# how each line of our notes starts (both languages): a line under our separator that starts
# otherwise was typed by a clerk and is kept when we mark the copy again
NOTE_TAGS = tuple(f"【{lab}】" for lab in SEVERITY_LABEL["zh"].values()) + \
    tuple(f"[{lab}] " for lab in SEVERITY_LABEL["en"].values())


@dataclass(frozen=True, slots=True)
class ResultRow:
    finding: Finding
    values: tuple[str, ...]  # in COLUMNS order, as text


@dataclass(frozen=True, slots=True)
class SheetChecked:
    """One sheet of the workbook, as the summary block names it."""

    name: str
    kind: str | None  # the kind's title (来店(来电)客户登记表); None: not checked
    rows: int = 0
    skipped: str | None = None  # why it was not checked


@dataclass(slots=True)
class Summary:
    """What the block above the findings says."""

    workbook: str  # the file name the clerk knows
    as_of: dt.date
    sheets: list[SheetChecked] = field(default_factory=list)
    again: str = ""  # how to check again after fixing, in the clerk's language
    untold: str = ""  # the rules across workbooks this check could not run (not_run_text)
    made: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))


def headers(lang: str) -> list[str]:
    return [en if lang == "en" else zh for _, zh, en, *_ in COLUMNS]


def rule_name(rule: str, lang: str) -> str:
    r = RULES.get(rule)
    if r is None:
        return rule
    return r.name_en if lang == "en" else r.name


def result_rows(findings: list[Finding], lang: str) -> list[ResultRow]:
    labels = SEVERITY_LABEL["en" if lang == "en" else "zh"]
    out = []
    # each distinct text cleaned once: the sheet, column, level and rule repeat on every row
    cleaned: dict[str, str] = {}

    def clean(t: str) -> str:
        c = cleaned.get(t)
        if c is None:
            c = cleaned[t] = clean_text(t)
        return c

    for f in findings:
        v = shown_value(f.value)
        if isinstance(v, bool):
            v = ("yes" if v else "no") if lang == "en" else ("是" if v else "否")
        where = f.cell or (f"{f.row}" if f.row else "") or f.subject or ("whole sheet" if lang == "en" else "整表")
        out.append(ResultRow(f, (
            clean(f.sheet or ""), clean(where), clean((f.column or "").replace("\n", " ")),
            clean(labels.get(f.severity, f.severity)), clean(rule_name(f.rule, lang)), clean(f.message),
            clean("" if v is None else str(v)), clean(f.rule),
        )))
    return out


def summary_lines(summary: Summary, findings: list[Finding], lang: str) -> tuple[str, list[str]]:
    """(title, lines) of the block above the findings."""
    counts = count_by_severity(findings)
    checked = [s for s in summary.sheets if s.kind]
    others = [s.name for s in summary.sheets if not s.kind]
    made = summary.made.strftime("%Y-%m-%d %H:%M")
    if lang == "en":
        title = f"Check results: {summary.workbook}"
        lines = [f"As of {summary.as_of.isoformat()} (made {made})",
                 (f"{len(findings)} findings: {counts.get('error', 0)} errors, {counts.get('warning', 0)} "
                  f"warnings, {counts.get('info', 0)} info") if findings else "No findings.",
                 "Checked: " + ("; ".join(f"{s.name} ({s.kind}, {s.rows} rows)" for s in checked) or "nothing")
                 + (f". Not checked: {', '.join(others)} (no sheet of a known kind)" if others else "")
                 + (f". {summary.untold}" if summary.untold else "")]
    else:
        title = f"校验结果：{summary.workbook}"
        lines = [f"检查日 {summary.as_of.isoformat()}（生成于 {made}）",
                 (f"共 {len(findings)} 条问题：错误 {counts.get('error', 0)} 条，警告 {counts.get('warning', 0)} 条，"
                  f"提示 {counts.get('info', 0)} 条") if findings else "没有发现问题。",
                 "已检查：" + ("；".join(f"{s.name}（{s.kind}，{s.rows} 行）" for s in checked) or "没有")
                 + (f"。未检查：{'、'.join(others)}（不是已知的表）" if others else "")
                 + (f"。{summary.untold}" if summary.untold else "")]
    if summary.again:
        lines.append(summary.again)
    return clean_text(title), [clean_text(x) for x in lines]


def not_run_text(items: list[Across], lang: str, advice: bool = True) -> str:
    """The rules across workbooks a partial run could not check, and with which workbook they would
    be: a clerk who checked her visitor log alone must not read 没有发现问题 as "every visitor has a card".
    ``advice``: how to check them (the command line's; not for a book checked in Excel)."""
    if not items:
        return ""
    from xl_dealer.model.kinds import KINDS

    def partners(a: Across, sep: str) -> str:
        return sep.join((k if lang == "en" else KINDS[k].title) for k in a.partners)

    if lang == "en":
        return ("Not checked, as the other workbook was not in this run: "
                + "; ".join(f"{rule_name(a.rule, lang)} ({a.rule}, needs {partners(a, ' or ')})" for a in items)
                + (". Check the workbooks together (put them in one folder and check the folder)." if advice else "."))
    return ("这次没有做的跨表核对（所需的表不在这次检查中）："
            + "；".join(f"{rule_name(a.rule, lang)}（{a.rule}，要和{partners(a, '或')}一起检查）" for a in items)
            + ("。把相关的表放在同一个文件夹里，检查整个文件夹即可。" if advice else "。"))


def again_text(copy_name: str, lang: str) -> str:
    """How a clerk checks a marked copy again."""
    if lang == "en":
        return (f"Click a cell in the Cell column to go to it and fix it as its note says; then save, and run "
                f"xl-dealer annotate {copy_name} again: fixed cells lose their marks.")
    return (f"怎么改：点「单元格」列跳到该单元格，按批注改正；改好后保存，再运行 xl-dealer annotate {copy_name}，"
            "改好的单元格就不再标记。")


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
    """One note for a cell: each finding's message on its own line, worst first.

    Each message is one line (a line break in a quoted value becomes a space), so every line
    of ours starts with a severity tag and a clerk's line under them can be told apart."""
    labels = SEVERITY_LABEL["en" if lang == "en" else "zh"]
    order = {"error": 0, "warning": 1, "info": 2}
    seen: list[str] = []
    for f in sorted(findings, key=lambda f: order.get(f.severity, 3)):
        message = " ".join(clean_text(f.message).splitlines())
        line = f"【{labels.get(f.severity, f.severity)}】{message}" if lang != "en" else \
            f"[{labels.get(f.severity, f.severity)}] {message}"
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

    Three units are kept for the cell's indent and padding, so the estimate errs on the tall
    side: a row a little too tall reads fine, one too short cuts the message off.
    """
    room = max(width - 3, 1)
    n = 0
    for line in text.split("\n"):
        n += max(1, -(-text_width(line) // room))
    return n


def column_widths(rows: list[ResultRow], lang: str) -> list[int]:
    """Each column as wide as its longest text (header included) plus the indent and padding,
    within its bounds."""
    out = []
    for i, (head, (_, _, _, lo, hi)) in enumerate(zip(headers(lang), COLUMNS, strict=True)):
        longest = max((text_width(r.values[i]) for r in rows), default=0)
        out.append(max(lo, min(max(longest, text_width(head)) + 4, hi)))
    return out


def row_height(values: tuple[str, ...], widths: list[int]) -> float:
    """Points for a row whose wrapped texts all fit, with padding above and below."""
    lines = max(text_lines(t, w) for t, w in zip(values, widths, strict=True))
    return ROW_HEIGHT * min(lines, MAX_LINES) + PADDING


def row_heights(rows: list[ResultRow], widths: list[int]) -> list[float]:
    """``row_height`` of each row, each distinct text's lines counted once per column (most
    texts repeat down a column: the sheet, the level, the rule, the message of a rule)."""
    memo: list[dict[str, int]] = [{} for _ in widths]
    out = []
    for r in rows:
        lines = 0
        for t, w, seen in zip(r.values, widths, memo, strict=True):
            n = seen.get(t)
            if n is None:
                n = seen[t] = text_lines(t, w)
            if n > lines:
                lines = n
        out.append(ROW_HEIGHT * min(lines, MAX_LINES) + PADDING)
    return out


def block_height(text: str, width: int) -> float:
    """Points for a summary line spread over ``width`` characters (all the columns)."""
    return ROW_HEIGHT * min(text_lines(text, width), MAX_LINES) + PADDING
