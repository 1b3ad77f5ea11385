"""The 校验结果 table and the note text, as plain data: the marked copy and a live book share them."""

from __future__ import annotations

from dataclasses import dataclass

from xl_dealer.findings import Finding, json_value

SEVERITY_LABEL = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
                  "en": {"error": "error", "warning": "warning", "info": "info"}}
# (key, zh, en, width in characters)
COLUMNS = (
    ("sheet", "工作表", "Sheet", 16),
    ("cell", "单元格", "Cell", 9),
    ("column", "列", "Column", 16),
    ("rule", "规则", "Rule", 20),
    ("severity", "级别", "Severity", 8),
    ("message", "说明", "Message", 64),
    ("value", "值", "Value", 20),
    ("subject", "对象", "Subject", 18),
)
NOTE_SEPARATOR = {"zh": "——— xl-dealer 校验 ———", "en": "--- xl-dealer check ---"}
NO_FINDINGS = {"zh": "没有发现问题", "en": "no findings"}


@dataclass(frozen=True, slots=True)
class ResultRow:
    finding: Finding
    values: tuple[str, ...]  # in COLUMNS order, as text


def headers(lang: str) -> list[str]:
    return [en if lang == "en" else zh for _, zh, en, _ in COLUMNS]


def result_rows(findings: list[Finding], lang: str) -> list[ResultRow]:
    labels = SEVERITY_LABEL["en" if lang == "en" else "zh"]
    out = []
    for f in findings:
        v = json_value(f.value)
        if isinstance(v, bool):
            v = ("yes" if v else "no") if lang == "en" else ("是" if v else "否")
        out.append(ResultRow(f, (
            f.sheet or "", f.cell or (f"{f.row}" if f.row else ""), (f.column or "").replace("\n", " "),
            f.rule, labels.get(f.severity, f.severity), f.message, "" if v is None else str(v), f.subject or "",
        )))
    return out


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
    return "\n".join(seen)


def worst(findings: list[Finding]) -> str:
    for sev in ("error", "warning", "info"):
        if any(f.severity == sev for f in findings):
            return sev
    return findings[0].severity


def text_lines(text: str, width: int) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide (CJK counts double)."""
    n = 0
    for line in text.split("\n"):
        w = sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)
        n += max(1, -(-w // max(width - 1, 1)))
    return n
