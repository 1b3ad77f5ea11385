"""The 校验结果 worksheet of a marked copy as sheet XML: one row per finding, linked to its cell."""

from __future__ import annotations

from xl_dealer.model.findings import Finding
from xl_dealer.render.results import (
    COLUMNS,
    NO_FINDINGS,
    column_widths,
    headers,
    result_rows,
    row_height,
)
from xl_dealer.xlsx.package import NS_MAIN, NS_REL, XML_DECL, xml_attr, xml_text
from xl_dealer.xlsx.sheet import col_letters
from xl_dealer.xlsx.styles import Styles


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def results_sheet_xml(findings: list[Finding], lang: str, sheet_names: set[str], styles: Styles,
                      fills: dict[str, int]) -> bytes:
    """The 校验结果 worksheet: one row per finding, a link to the cell, frozen header, widths."""
    bold = styles.font(bold=True)
    link_font = styles.font(underline=True, rgb="FF0563C1")
    header_xf = styles.clone_xf(0, font=bold, fill=styles.fill("FFD9E1F2"), wrap="center")
    text_xf = styles.clone_xf(0, wrap="top")
    link_xf = styles.clone_xf(0, font=link_font, wrap="top")
    sev_xf = {sev: styles.clone_xf(0, fill=fid, wrap="top") for sev, fid in fills.items()}

    def cell(ref: str, text: str, xf: int) -> str:
        if not text:
            return f'<c r="{ref}" s="{xf}"/>'
        return f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'

    ncol = len(COLUMNS)
    last_col = col_letters(ncol - 1)
    rows = ['<row r="1">' + "".join(cell(f"{col_letters(i)}1", h, header_xf)
                                    for i, h in enumerate(headers(lang))) + "</row>"]
    links: list[str] = []
    items = result_rows(findings, lang)
    widths = column_widths(items, lang)
    for n, item in enumerate(items, start=2):
        f = item.finding
        cells = []
        for i, text in enumerate(item.values):
            key = COLUMNS[i][0]
            xf = sev_xf.get(f.severity, text_xf) if key == "severity" else text_xf
            if f.sheet in sheet_names and ((key == "cell" and f.row) or (key == "sheet" and not f.row)):
                xf = link_xf
                target = f.cell or (f"A{f.row}" if f.row else "A1")
                links.append(f'<hyperlink ref="{col_letters(i)}{n}" '
                             f"location={xml_attr(quote_sheet(f.sheet) + '!' + target)} display={xml_attr(text)}/>")
            cells.append(cell(f"{col_letters(i)}{n}", text, xf))
        # every cell wraps; the row is given the height its longest text needs, since not
        # every reader grows a wrapped row by itself (customHeight="0": Excel may refit it)
        ht = row_height(item.values, widths)
        rows.append(f'<row r="{n}"' + (f' ht="{ht:g}"' if ht else "") + ">" + "".join(cells) + "</row>")
    if not items:
        rows.append('<row r="2">' + cell("A2", NO_FINDINGS[lang], text_xf) + "</row>")
    last_row = max(len(items) + 1, 2)
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths))
    footer = "&amp;CPage &amp;P of &amp;N" if lang == "en" else "&amp;C第 &amp;P 页，共 &amp;N 页"
    body = (
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<sheetPr><tabColor rgb="FFC00000"/><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last_col}{last_row}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f'<sheetData>{"".join(rows)}</sheetData>'
        + (f'<autoFilter ref="A1:{last_col}{last_row}"/>' if items else "")
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


TAB_COLOUR = b'<tabColor rgb="FFC00000"/>'


def is_our_results(xml: bytes) -> bool:
    """Is this sheet a 校验结果 we wrote (its red tab and our header row), not a clerk's sheet of
    the same name? Only ours is ever replaced."""
    if TAB_COLOUR not in xml[:2000]:
        return False
    head = xml[:20000].decode("utf-8", "replace")
    return any(all(f">{h}<" in head for h in headers(lang)) for lang in ("zh", "en"))


def free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``… when a clerk's sheet already has it (at most 31 characters)."""
    if name not in taken:
        return name
    n = 2
    while (candidate := f"{name[:31 - len(f' ({n})')]} ({n})") in taken:
        n += 1
    return candidate
