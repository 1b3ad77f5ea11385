"""The part-level XML edits behind ``annotate``, on the shapes of XML other producers write."""

from __future__ import annotations

import re

import pytest
from defusedxml import ElementTree as ET

from xl_dealer.xlsx.package import top_level_insert_at
from xl_dealer.xlsx.sheet import add_legacy_drawing, mark_cells, parse_ref

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def sheet(rows: str, tail: str = "", head: str = "", prefix: str = "") -> bytes:
    p = prefix
    ns = NS.replace("xmlns=", f"xmlns:{p[:-1]}=") if p else NS
    return (f"<{p}worksheet {ns}>{head}<{p}sheetData>{rows}</{p}sheetData>{tail}</{p}worksheet>").encode()


def style_plus_100(s: int, mark: str) -> int:
    return 100 + s


def cells(xml: bytes) -> list[tuple[str, str | None]]:
    root = ET.fromstring(xml)
    return [(c.get("r"), c.get("s")) for c in root.iter() if c.tag.endswith("}c")]


def test_existing_cell_gets_new_style_and_keeps_everything_else():
    xml = sheet('<row r="2" spans="1:3"><c r="A2" s="3" t="s"><v>0</v></c><c r="B2"><f>A2*2</f><v>4</v></c></row>')
    out = mark_cells(xml, {2: {0: "error", 1: "error"}}, style_plus_100)
    assert b'<c r="A2" s="103" t="s"><v>0</v></c>' in out
    assert b'<c r="B2" s="100"><f>A2*2</f><v>4</v></c>' in out
    assert b'spans="1:3"' in out  # nothing inserted: the hint stays


def test_blank_cells_inserted_in_column_order_with_row_and_column_styles():
    xml = sheet('<row r="5" s="7" customFormat="1" spans="2:2"><c r="B5"><v>1</v></c></row>',
                head='<cols><col min="4" max="4" width="9" style="9" customWidth="1"/></cols>')
    out = mark_cells(xml, {5: {0: "e", 3: "e"}, 6: {3: "e"}}, style_plus_100)
    # row 5 has its own style: a blank cell shows it; row 6 is new and falls back to column D's style
    assert cells(out) == [("A5", "107"), ("B5", None), ("D5", "107"), ("D6", "109")]
    assert b"spans" not in out


def test_missing_rows_inserted_in_row_order_and_self_closing_rows_opened():
    xml = sheet('<row r="2"/><row r="9"><c r="A9"><v>1</v></c></row>')
    out = mark_cells(xml, {1: {0: "e"}, 2: {1: "e"}, 5: {2: "e"}, 12: {0: "e"}}, style_plus_100)
    rows = [r.get("r") for r in ET.fromstring(out).iter() if r.tag.endswith("}row")]
    assert rows == ["1", "2", "5", "9", "12"]
    assert cells(out) == [("A1", "100"), ("B2", "100"), ("C5", "100"), ("A9", None), ("A12", "100")]


def test_rows_and_cells_without_r_attributes_are_counted():
    xml = sheet('<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>')
    out = mark_cells(xml, {2: {0: "e"}, 1: {1: "e"}}, style_plus_100)
    root = ET.fromstring(out)
    styles = [c.get("s") for c in root.iter() if c.tag.endswith("}c")]
    assert styles == [None, "100", "100"]


def test_prefixed_namespace_and_empty_sheet_data():
    xml = sheet("", prefix="x:").replace(b"<x:sheetData></x:sheetData>", b"<x:sheetData/>")
    out = mark_cells(xml, {3: {2: "e"}}, style_plus_100)
    assert b'<x:row r="3"><x:c r="C3" s="100"/></x:row>' in out
    ET.fromstring(out)


def test_legacy_drawing_goes_before_table_parts_not_inside_nested_ext_lists():
    tail = ('<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1"><formula>1</formula>'
            '<extLst><ext uri="x"/></extLst></cfRule></conditionalFormatting>'
            '<pageMargins left="0.7" right="0.7" top="0.7" bottom="0.7" header="0.3" footer="0.3"/>'
            '<drawing r:id="rId1"/><tableParts count="1"><tablePart r:id="rId2"/></tableParts>'
            '<extLst><ext uri="y"/></extLst>')
    out = add_legacy_drawing(sheet("", tail=tail), "rId9")
    names = [el.tag.rsplit("}", 1)[-1] for el in ET.fromstring(out)]
    assert names == ["sheetData", "conditionalFormatting", "pageMargins", "drawing", "legacyDrawing",
                     "tableParts", "extLst"]
    assert b'<legacyDrawing r:id="rId9"/>' in out


def test_top_level_insert_at_end_when_nothing_follows():
    xml = b"<a><b><extLst/></b><c/></a>"
    assert top_level_insert_at(xml, 3, ["extLst"], b"</a>") == xml.index(b"</a>")


def test_parse_ref():
    assert parse_ref("H12") == (12, 7)
    assert parse_ref("AA1") == (1, 26)
    with pytest.raises(ValueError):
        parse_ref("12H")


def test_styles_clone_keeps_number_format_font_and_alignment(tmp_path):
    import zipfile

    from xl_dealer.xlsx.package import Package
    from xl_dealer.xlsx.styles import Styles

    styles = (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/m/d"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1">'
        '<alignment horizontal="center"/><protection locked="0"/></xf></cellXfs></styleSheet>'
    )
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/styles.xml", styles)
    with Package(path) as pkg:
        st = Styles(pkg)
        fill = st.fill("FFFFC7CE")
        assert fill == 2
        assert st.clone_xf(1, fill=fill) == 2
        assert st.clone_xf(1, fill=fill) == 2  # cached: one xf per (style, colour)
        wrap = st.clone_xf(1, wrap="top")
        st.save()
        xml = pkg.read("xl/styles.xml")
    root = ET.fromstring(xml)
    xfs = [el for el in root.iter() if el.tag.endswith("}xf")][1:]  # skip cellStyleXfs
    assert len(xfs) == 4 and b'<cellXfs count="4">' in xml and b'<fills count="3">' in xml
    clone = xfs[2]
    assert (clone.get("numFmtId"), clone.get("fontId"), clone.get("fillId")) == ("164", "1", "2")
    assert [k.tag.rsplit("}", 1)[-1] for k in clone] == ["alignment", "protection"]
    aligned = xfs[wrap]
    assert [k.tag.rsplit("}", 1)[-1] for k in aligned] == ["alignment", "protection"]
    assert re.search(rb'<alignment wrapText="1" vertical="top"/>', xml)
