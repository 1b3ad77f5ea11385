"""Findings as text for people, grouped by file and sheet."""

from __future__ import annotations

import re
from collections import defaultdict

from xl_dealer.model.text import escape_terminal, text_width
from xl_dealer.render.results import not_run_text
from xl_dealer.rules.result import ValidationResult

_SEV = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
        "en": {"error": "error", "warning": "warning", "info": "info"}}
_SKIP = {"zh": {"not a known kind": "不是已知的表，已跳过", "empty": "空表，已跳过",
                "not a worksheet": "不是工作表，已跳过"},
         "en": {"not a known kind": "not a known kind, skipped", "empty": "empty, skipped",
                "not a worksheet": "not a worksheet, skipped"}}


# sheets of instructions, a cover or a contents page beside the data (JSON still lists them)
_INSTRUCTIONS = re.compile(r"\s*(?:填表|填写|使用|操作|表格|录入)?(?:说明|须知|注意事项|目录|封面|帮助|示例|范例|样表)\s*$")


def render_text(result: ValidationResult, lang: str = "zh", limit: int | None = None,
                more_hint: str = "") -> str:
    """One block per file, one per sheet, a line per finding (cell, severity, message, [rule id]);
    a summary at the end. ``limit`` caps the lines per sheet (the rest is counted, with
    ``more_hint`` saying where to see them), so a huge sheet stays readable."""
    en = lang == "en"
    sev = _SEV["en" if en else "zh"]
    from xl_dealer.model.kinds import KINDS

    by_sheet: dict[tuple[str, str | None], list] = defaultdict(list)
    for f in result.findings:
        by_sheet[(f.path, f.sheet)].append(f)
    lines: list[str] = []
    for fr in result.files:
        lines.append(escape_terminal(fr.path))
        if fr.error:
            lines.append(f"  × {escape_terminal(fr.error)}")
            continue
        if fr.skipped:
            lines.append(f"  {fr.skipped}")
            continue
        for s in fr.sheets:
            if not s.get("kind") and s.get("skipped") == "not a known kind" and _INSTRUCTIONS.match(s["name"]):
                continue  # the form's own 填表说明: saying every run that it was not checked is noise
            if not s.get("kind"):
                reason = _SKIP["en" if en else "zh"].get(s.get("skipped", ""), s.get("skipped", ""))
                lines.append(f"  [{escape_terminal(s['name'])}] {reason}")
                continue
            title = s["kind"] if en else KINDS[s["kind"]].title if s["kind"] in KINDS else s["kind"]
            name = escape_terminal(s["name"])
            if en:
                head = f"  [{name}] {title}, header row {s['header_row']}, {s['rows']} rows"
            else:
                head = f"  [{name}] {title}，表头第{s['header_row']}行，{s['rows']}行数据"
            head += _filled_text(s, en)
            items = by_sheet.get((fr.path, s["name"]), [])
            if not items:
                head += ", no findings" if en else "，没有发现问题"
            lines.append(head)
            shown = items if limit is None else items[:limit]
            for f in shown:
                lines.append(_line(f, sev, en))
            if limit is not None and len(items) > limit:
                rest = len(items) - limit
                lines.append(f"    … {rest} more{more_hint}" if en else f"    … 另有 {rest} 条{more_hint}")
    # findings not on a sheet of a listed file (group findings across files)
    listed = {(fr.path, s["name"]) for fr in result.files for s in fr.sheets}
    loose = [f for f in result.findings if (f.path, f.sheet) not in listed]
    for f in loose:
        lines.append(_line(f, sev, en))
    told = not_run_text(result.not_run(), lang)
    if told:
        lines.append(told)
    s = result.summary()
    # our own reports and unchanged marked copies are not the clerk's files: counted apart, so
    # a folder holds the same 7 files before and after the reports were written into it
    passed = sum(1 for fr in result.files if fr.skipped)
    files = s["files"] - passed
    if en:
        also = f" ({passed} more skipped)" if passed else ""
        lines.append(f"Total: {_n(files, 'file')}{also}, {_n(s['sheets'], 'sheet')}, {_n(s['rows'], 'row')}; "
                     f"{_n(s['error'], 'error')}, {_n(s['warning'], 'warning')}, {s['info']} info")
    else:
        also = f"（另有{passed}个已跳过）" if passed else ""
        lines.append(f"合计：{files}个文件{also}，{s['sheets']}张表，{s['rows']}行；"
                     f"错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}")
    unreadable = len(result.errors)
    if unreadable:
        lines.append(f"{_n(unreadable, 'file')} could not be read" if en else f"{unreadable}个文件无法读取")
    return "\n".join(lines)


def _filled_text(s: dict, en: bool) -> str:
    """Where the values of fields without a column came from (the title, the sheet name, a
    default), fields read from one place named together."""
    from xl_dealer.model.kinds import KINDS

    kind = KINDS.get(s["kind"])
    places: dict[tuple, list[str]] = {}
    for key, fill in (s.get("filled") or {}).items():
        header = kind.field(key).header if kind and kind.has(key) else key
        where = (fill["from"], fill["text"], fill["cell"], fill["value"] if fill["from"] == "default" else None)
        places.setdefault(where, []).append(header)
    parts = []
    for (source, text, cell, value), headers in places.items():
        names = ", ".join(headers) if en else "、".join(headers)
        if source == "title":
            parts.append(f"{names} from the title ({cell})" if en else f"{names}取自标题「{text}」（{cell}）")
        elif source == "sheet_name":
            parts.append(f"{names} from the sheet name" if en else f"{names}取自工作表名「{text}」")
        else:
            parts.append(f"{names} = {value} (the form says 「{text}」)" if en
                         else f"{names}按表单「{text}」默认为「{value}」")
    if not parts:
        return ""
    return ("; " + "; ".join(parts)) if en else ("；" + "；".join(parts))


def _line(f, sev: dict[str, str], en: bool) -> str:
    """The cell first (a group finding's subject is already in its message), the message, the rule id last
    so long ids never push the message out of line."""
    where = f.cell or ("group" if en else "汇总") if f.subject else f.cell or ("sheet" if en else "整表")
    # a line break or ESC in a cell value (messages quote values) would forge a line or drive the terminal
    pad = " " * max(1, 8 - text_width(where))  # 整表 and 汇总 take two columns a character, as the terminal shows them
    return f"    {where}{pad}{sev[f.severity]:<{7 if en else 2}}  {escape_terminal(f.message)}  [{f.rule}]"


def _n(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
