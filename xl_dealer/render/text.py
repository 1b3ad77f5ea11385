"""Findings as text for people, grouped by file and sheet."""

from __future__ import annotations

from collections import defaultdict

from xl_dealer.validate import ValidationResult

_SEV = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
        "en": {"error": "error", "warning": "warning", "info": "info"}}
_SKIP = {"zh": {"not a known kind": "不是已知的表，已跳过", "empty": "空表，已跳过",
                "not a worksheet": "不是工作表，已跳过"},
         "en": {"not a known kind": "not a known kind, skipped", "empty": "empty, skipped",
                "not a worksheet": "not a worksheet, skipped"}}


def render_text(result: ValidationResult, lang: str = "zh", limit: int | None = None) -> str:
    """One block per file, one per sheet, a line per finding; a summary at the end.

    ``limit`` caps the lines per sheet (the rest is counted), so a huge sheet stays readable.
    """
    en = lang == "en"
    sev = _SEV["en" if en else "zh"]
    from xl_dealer.kinds import KINDS

    by_sheet: dict[tuple[str, str | None], list] = defaultdict(list)
    for f in result.findings:
        by_sheet[(f.path, f.sheet)].append(f)
    lines: list[str] = []
    for fr in result.files:
        lines.append(fr.path)
        if fr.error:
            lines.append(f"  {'cannot read' if en else '无法读取'}: {fr.error}")
            continue
        if fr.skipped:
            lines.append(f"  {fr.skipped}")
            continue
        for s in fr.sheets:
            if not s.get("kind"):
                reason = _SKIP["en" if en else "zh"].get(s.get("skipped", ""), s.get("skipped", ""))
                lines.append(f"  [{s['name']}] {reason}")
                continue
            title = s["kind"] if en else KINDS[s["kind"]].title if s["kind"] in KINDS else s["kind"]
            if en:
                head = f"  [{s['name']}] {title}, header row {s['header_row']}, {s['rows']} rows"
            else:
                head = f"  [{s['name']}] {title}，表头第{s['header_row']}行，{s['rows']}行数据"
            items = by_sheet.get((fr.path, s["name"]), [])
            if not items:
                head += ", no findings" if en else "，没有发现问题"
            lines.append(head)
            shown = items if limit is None else items[:limit]
            for f in shown:
                where = f.cell or f.subject or (f"row {f.row}" if f.row else ("sheet" if en else "整表"))
                lines.append(f"    {where:<8} {sev[f.severity]:<7} {f.rule:<22} {f.message}")
            if limit is not None and len(items) > limit:
                rest = len(items) - limit
                lines.append(f"    … {rest} more" if en else f"    … 另有 {rest} 条")
    # findings not on a sheet of a listed file (group findings across files)
    listed = {(fr.path, s["name"]) for fr in result.files for s in fr.sheets}
    loose = [f for f in result.findings if (f.path, f.sheet) not in listed]
    for f in loose:
        lines.append(f"  {f.subject or ''} {sev[f.severity]} {f.rule} {f.message}")
    s = result.summary()
    if en:
        lines.append(f"Total: {s['files']} files, {s['sheets']} sheets, {s['rows']} rows; "
                     f"{s['error']} errors, {s['warning']} warnings, {s['info']} info")
    else:
        lines.append(f"合计：{s['files']}个文件，{s['sheets']}张表，{s['rows']}行；"
                     f"错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}")
    unreadable = len(result.errors)
    if unreadable:
        lines.append(f"{unreadable} file(s) could not be read" if en else f"{unreadable}个文件无法读取")
    return "\n".join(lines)
