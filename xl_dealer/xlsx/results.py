"""The 校验结果 worksheet of a marked copy as sheet XML: a summary block, then one row per
finding, linked to its cell (the rows and texts are ``render.results``'s, as in a live book)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from xl_dealer.model.findings import Finding
from xl_dealer.render.results import (
    COLUMNS,
    NO_FINDINGS,
    NO_FINDINGS_COLUMN,
    PADDING,
    ROW_HEIGHT,
    Summary,
    block_height,
    column_widths,
    headers,
    result_rows,
    row_height,
    row_heights,
    summary_lines,
)
from xl_dealer.xlsx.package import NS_MAIN, NS_REL, XML_DECL, Package, xml_attr, xml_text
from xl_dealer.xlsx.sheet import col_letters
from xl_dealer.xlsx.styles import Styles

TAB_COLOUR = b'<tabColor rgb="FFC00000"/>'
# as other programs save it back: a prefix, other attributes, a space before "/>" (openpyxl, WPS)
_OUR_TAB = re.compile(rb'<(?:[\w.-]+:)?tabColor\b[^>]*\brgb\s*=\s*["\']FFC00000["\']', re.I)


def has_our_tab(head: bytes) -> bool:
    """Does this sheet's start carry our 校验结果's red tab, however the program that saved it wrote it?"""
    return _OUR_TAB.search(head) is not None


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def header_row(summary: Summary | None, findings: list[Finding], lang: str) -> int:
    """The row of the column headers: under the title and the summary lines."""
    if summary is None:
        return 1
    return len(summary_lines(summary, findings, lang)[1]) + 2


def results_sheet_xml(findings: list[Finding], lang: str, sheet_names: set[str], styles: Styles,
                      fills: dict[str, int], summary: Summary | None = None) -> bytes:
    """The 校验结果 worksheet: the summary block, one row per finding with a link to its cell,
    the header frozen and filtered, widths to the texts; every text indented, wrapped and
    centred vertically, each row as tall as its text plus padding."""
    bold = styles.font(bold=True)
    title_font = styles.font(bold=True, size=14)
    link_font = styles.font(underline=True, rgb="FF0563C1")
    header_xf = styles.clone_xf(0, font=bold, fill=styles.fill("FFD9E1F2"), wrap="center", indent=1)
    text_xf = styles.clone_xf(0, wrap="center", indent=1)
    link_xf = styles.clone_xf(0, font=link_font, wrap="center", indent=1)
    title_xf = styles.clone_xf(0, font=title_font, wrap="center", indent=1)
    counts_xf = styles.clone_xf(0, font=bold, wrap="center", indent=1)
    sev_xf = {sev: styles.clone_xf(0, fill=fid, wrap="center", indent=1) for sev, fid in fills.items()}

    escaped: dict[str, str] = {}  # each distinct text escaped once: most repeat down a column

    def cell(ref: str, text: str, xf: int) -> str:
        if not text:
            return f'<c r="{ref}" s="{xf}"/>'
        x = escaped.get(text)
        if x is None:
            x = escaped[text] = xml_text(text)
        return f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t xml:space="preserve">{x}</t></is></c>'

    ncol = len(COLUMNS)
    last_col = col_letters(ncol - 1)
    items = result_rows(findings, lang)
    widths = column_widths(items, lang)
    rows: list[str] = []
    merges: list[str] = []
    head = header_row(summary, findings, lang)
    if summary is not None:
        title, lines = summary_lines(summary, findings, lang)
        total = sum(widths)
        rows.append(f'<row r="1" ht="26" customHeight="1">{cell("A1", title, title_xf)}</row>')
        merges.append(f"A1:{last_col}1")
        for i, line in enumerate(lines, start=2):
            xf = counts_xf if i == 3 else text_xf
            rows.append(f'<row r="{i}" ht="{block_height(line, total):g}" customHeight="1">'
                        f"{cell(f'A{i}', line, xf)}</row>")
            merges.append(f"A{i}:{last_col}{i}")
    rows.append(f'<row r="{head}" ht="{row_height(tuple(headers(lang)), widths):g}">'
                + "".join(cell(f"{col_letters(i)}{head}", h, header_xf) for i, h in enumerate(headers(lang)))
                + "</row>")
    links: list[str] = []
    letters = [col_letters(i) for i in range(ncol)]
    keys = [k for k, *_ in COLUMNS]
    shown: dict[str, str] = {}  # a link's display text, quoted once per distinct text
    # every row is given the height its longest text needs, since not every reader grows a
    # wrapped row by itself (no customHeight: Excel may refit it)
    heights = row_heights(items, widths)
    for n, item, height in zip(range(head + 1, head + 1 + len(items)), items, heights, strict=True):
        f = item.finding
        cells = []
        linked = f.sheet in sheet_names
        for i, text in enumerate(item.values):
            key = keys[i]
            xf = sev_xf.get(f.severity, text_xf) if key == "severity" else text_xf
            if linked and ((key == "cell" and f.row) or (key == "sheet" and not f.row)):
                xf = link_xf
                target = f.cell or (f"A{f.row}" if f.row else "A1")
                display = shown.get(text)
                if display is None:
                    display = shown[text] = xml_attr(text)
                links.append(f'<hyperlink ref="{letters[i]}{n}" '
                             f"location={xml_attr(quote_sheet(f.sheet) + '!' + target)} display={display}/>")
            cells.append(cell(f"{letters[i]}{n}", text, xf))
        rows.append(f'<row r="{n}" ht="{height:g}">' + "".join(cells) + "</row>")
    if not items:  # in 说明, wide enough to hold it, as in a live book (whose table cannot merge cells)
        ref = f"{col_letters(NO_FINDINGS_COLUMN)}{head + 1}"
        rows.append(f'<row r="{head + 1}" ht="{ROW_HEIGHT + PADDING:g}">' + cell(ref, NO_FINDINGS[lang], text_xf)
                    + "</row>")
    last_row = max(len(items), 1) + head
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths))
    footer = "&amp;CPage &amp;P of &amp;N" if lang == "en" else "&amp;C第 &amp;P 页，共 &amp;N 页"
    body = (
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        f'<sheetPr>{TAB_COLOUR.decode()}<pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last_col}{last_row}"/>'
        # the copy opens here (``Package.set_active_sheet``): this tab selected, the header frozen
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        f'<pane ySplit="{head}" topLeftCell="A{head + 1}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{head + 1}" sqref="A{head + 1}"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f'<sheetData>{"".join(rows)}</sheetData>'
        + (f'<autoFilter ref="A{head}:{last_col}{last_row}"/>' if items else "")
        + (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
           + "</mergeCells>" if merges else "")
        + (f'<hyperlinks>{"".join(links)}</hyperlinks>' if links else "")
        # printed: gridlines so a row can be followed across, landscape, as wide as the page,
        # the header row repeated on each page (the Print_Titles name), page numbers below
        + '<printOptions gridLines="1"/>'
        '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        f"<headerFooter><oddFooter>{footer}</oddFooter></headerFooter>"
        "</worksheet>"
    )
    return XML_DECL + body.encode("utf-8")


def is_our_results(xml: bytes, strings: Callable[[int], str] | None = None) -> bool:
    """Is this sheet a 校验结果 we wrote (its red tab and our header row), not a clerk's sheet of
    the same name? Only ours is ever replaced. The header may be inline text (as we write it)
    or shared strings (as Excel and LibreOffice save it)."""
    if not has_our_tab(xml[:4000]):
        return False
    texts = set(_first_texts(xml, strings))
    old = {"规则", "说明"}  # the header of copies made before the rule names
    return any(set(headers(lang)) <= texts for lang in ("zh", "en")) or {"工作表", "单元格", *old} <= texts


def _first_texts(xml: bytes, strings: Callable[[int], str] | None, rows: int = 12) -> list[str]:
    out: list[str] = []
    for n, row in enumerate(re.finditer(rb"<(?:[\w.-]+:)?row\b.*?</(?:[\w.-]+:)?row>", xml[:200_000], re.S)):
        if n >= rows:
            break
        for c in re.finditer(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", row[0], re.S):
            body = c[2] or b""
            if re.search(rb'\st="s"', c[1]) and strings is not None:
                v = re.search(rb"<(?:[\w.-]+:)?v>\s*(\d+)\s*<", body)
                if v:
                    out.append(strings(int(v[1])))
            else:
                out.append("".join(html.unescape(t.decode("utf-8", "replace"))
                                   for t in re.findall(rb"<(?:[\w.-]+:)?t\b[^>]*>(.*?)</(?:[\w.-]+:)?t>", body, re.S)))
    return out


def shared_strings(pkg: Package) -> Callable[[int], str]:
    """Shared string ``i`` of the workbook, read only as far as asked."""
    part = next((t for _, typ, t in pkg.rels(pkg.workbook_part()) if typ.endswith("/sharedStrings")), None)
    cache: list[str] = []
    state: dict[str, object] = {}

    def get(i: int) -> str:
        if part is None or not pkg.has(part):
            return ""
        if "iter" not in state:
            state["iter"] = re.finditer(rb"<(?:[\w.-]+:)?si\b.*?</(?:[\w.-]+:)?si>|<(?:[\w.-]+:)?si\s*/>",
                                        pkg.read(part), re.S)
        it = state["iter"]
        while len(cache) <= i:
            m = next(it, None)  # type: ignore[call-overload]
            if m is None:
                return ""
            body = re.sub(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>", b"", m[0], flags=re.S)
            cache.append("".join(html.unescape(t.decode("utf-8", "replace"))
                                 for t in re.findall(rb"<(?:[\w.-]+:)?t\b[^>]*>(.*?)</(?:[\w.-]+:)?t>", body, re.S)))
        return cache[i]

    return get


def free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``… when a clerk's sheet already has it (at most 31 characters)."""
    if name not in taken:
        return name
    n = 2
    while (candidate := f"{name[:31 - len(f' ({n})')]} ({n})") in taken:
        n += 1
    return candidate
