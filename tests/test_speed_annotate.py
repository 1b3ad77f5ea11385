"""The fast paths of annotate's issue-19 pass give byte for byte what the plain ones did: the
cell marking against the reference copy of the per-cell version (``tests/sheet_reference.py``)
on sheets shaped as every producer writes them, out of order and malformed ones included; the
校验结果 rows' heights counted once per distinct text against each row's own; a big part
inflated in one call against the block reader, a damaged one still told as damaged; the XML
escapes against ``xml.sax.saxutils``'."""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import sheet_reference
from xl_dealer.model.errors import InputError
from xl_dealer.read import inflate
from xl_dealer.render.results import COLUMNS, ResultRow, row_height, row_heights
from xl_dealer.xlsx import package, sheet
from xl_dealer.xlsx.sheet import add_legacy_drawing, col_letters, mark_cells

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _style(s: int, mark: tuple[str, int]) -> int:
    return 1000 * mark[1] + s  # the mark's serial in the style: which cell got which mark shows


@st.composite
def _cell(draw: st.DrawFn, row: int, col: int, plain: bool = False) -> str:
    if plain and draw(st.integers(0, 9)):  # as Excel writes it: the fast path's cells
        s_attr = draw(st.sampled_from(["", ' s="3"', ' s="3" t="s"', ' t="n"']))
        return f'<{{p}}c r="{col_letters(col)}{row}"{s_attr}' + draw(st.sampled_from(["/>", "><v>1</v></c>"]))
    ref = draw(st.sampled_from([f"{col_letters(col)}{row}", "", f"{col_letters(col)}{row}\n", "ZZZZ1",
                                f"{col_letters(col).lower()}{row}", f"{col_letters(col)}{row + 1}", "A1"]))
    first = draw(st.sampled_from(["", ' t="s"', ' xr="B7"', " sr='1'"]))
    quote = draw(st.sampled_from(['"', "'"]))
    r_attr = draw(st.sampled_from([f" r={quote}{ref}{quote}", "", f' r="{ref}\'', " r=x"]))
    s_attr = draw(st.sampled_from(["", ' s="3"', " s='12'", ' s=""']))
    body = draw(st.sampled_from(["/>", "><v>1</v></c>", '><f>A1&gt;0</f><v>2</v></c>',
                                 '><is><t xml:space="preserve">a&gt;b</t></is></c>']))
    return f"<{{p}}c{first}{r_attr}{s_attr}{body}"


@st.composite
def _sheet(draw: st.DrawFn) -> tuple[bytes, dict[int, dict[int, tuple[str, int]]]]:
    p = draw(st.sampled_from(["", "x:"]))
    n = draw(st.integers(0, 7))
    order = list(range(1, n + 1))
    if draw(st.booleans()):
        order = draw(st.permutations(order))
    order = [r for r in order if draw(st.integers(0, 4))]  # some rows left out
    rows = []
    plain = draw(st.booleans())  # cells as Excel, WPS, LibreOffice and openpyxl write them, mostly
    for r in order:
        r_attr = draw(st.sampled_from([f' r="{r}"', f" r='{r}'", "", f' spans="1:3" r="{r}"', f' xr="{r + 2}" r="{r}"']))
        style = draw(st.sampled_from(["", ' s="5" customFormat="1"', ' s="6" customFormat="0"']))
        if draw(st.integers(0, 5)) == 0:
            rows.append(f"<{{p}}row{r_attr}{style}/>")
            continue
        cols = sorted(draw(st.sets(st.integers(0, 5), max_size=5)))
        if draw(st.integers(0, 3)) == 0:
            cols = draw(st.permutations(cols))
        cells = "".join(draw(_cell(r, c, plain)) for c in cols)
        ext = "<{p}extLst><{p}ext/></{p}extLst>" if draw(st.integers(0, 6)) == 0 else ""
        rows.append(f"<{{p}}row{r_attr}{style}>{cells}{ext}</{{p}}row>")
    head = draw(st.sampled_from(["", '<{p}cols><{p}col min="2" max="3" width="9" style="9"/></{p}cols>']))
    data = draw(st.sampled_from(["<{p}sheetData>{rows}</{p}sheetData>", "<{p}sheetData/>"])) if not rows else \
        "<{p}sheetData>{rows}</{p}sheetData>"
    # a close tag's text after the real one, where mark_cells looks for it first (from the end)
    after = draw(st.sampled_from(["", '<{p}pageMargins left="0.7"/>', "<!-- </{p}sheetData> -->",
                                  "<!-- </{p}sheetData><{p}x/> -->", "<?pi </{p}sheetData>?>",
                                  "<{p}x><![CDATA[</{p}sheetData>]]></{p}x>"]))
    ns = NS.replace("xmlns=", f"xmlns:{p[:-1]}=") if p else NS
    xml = (f"<{{p}}worksheet {ns}>{head}{data}{after}</{{p}}worksheet>"
           .replace("{rows}", "".join(rows)).replace("{p}", p)).encode()
    marks: dict[int, dict[int, tuple[str, int]]] = {}
    for i, (r, c) in enumerate(draw(st.lists(st.tuples(st.integers(1, 9), st.integers(0, 6)), max_size=12))):
        marks.setdefault(r, {})[c] = ("error", i + 1)
    return xml, marks


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sheet())
def test_marking_is_the_plain_per_cell_marking(case):
    xml, marks = case
    plain = sheet_reference.mark_cells(xml, marks, _style)
    assert mark_cells(xml, marks, _style) == plain
    assert bytes(mark_cells(xml, marks, _style, mutable=True)) == plain


@given(st.sampled_from(["", '<pageMargins left="0.7"/><tableParts count="1"><tablePart r:id="rId2"/></tableParts>',
                        '<extLst><ext uri="y"/></extLst>', '<drawing r:id="rId1"/><legacyDrawingHF r:id="rId3"/>']),
       st.sampled_from(["", "x:"]))
def test_a_legacy_drawing_added_in_place_is_the_one_added_to_a_copy(tail, p):
    ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    main = NS.replace("xmlns=", f"xmlns:{p[:-1]}=") if p else NS
    tail = tail.replace("<", f"<{p}").replace(f"<{p}/", f"</{p}")
    xml = f'<{p}worksheet {main} {ns}><{p}sheetData><{p}row r="1"/></{p}sheetData>{tail}</{p}worksheet>'.encode()
    copied = add_legacy_drawing(xml, "rId9")
    in_place = bytearray(xml)
    assert add_legacy_drawing(in_place, "rId9") is in_place
    assert bytes(in_place) == copied and b"legacyDrawing " in copied


def test_the_generated_sheets_reach_the_paths_that_can_diverge():
    # a row written before a lower one, a cell without r=, a cell to insert: each path is there
    xml = (f'<worksheet {NS}><sheetData><row r="3"><c r="C3"/><c><v>1</v></c></row><row r="2"/>'
           '<row r="5"><c r="B5" s="2"/><c r="A5"/><c r="E5"/></row></sheetData></worksheet>').encode()
    marks = {5: {0: ("error", 1), 3: ("error", 2)}, 3: {3: ("error", 3)}, 2: {1: ("error", 4)}}
    out = mark_cells(xml, marks, _style)
    assert out == sheet_reference.mark_cells(xml, marks, _style)
    assert b'<c r="D3" s="3000"/>' not in out  # column D of row 3 is the cell without r=
    assert b'<c s="3000"><v>1</v></c>' in out and b'<c r="D5" s="2000"/><c r="E5"/>' in out


def test_rows_as_excel_writes_them_take_the_fast_path_to_the_same_bytes():
    # a cell marked where it is, one added between two, one after the last; a row with its own
    # extLst, a cell of another row's reference: the walk's (None from the fast path)
    row = b'<row r="7" spans="1:9"><c r="A7" s="2"><v>1</v></c><c r="C7" t="s"><v>0</v></c><c r="D7"/></row>'
    marks = {0: ("error", 1), 1: ("error", 2), 5: ("error", 3), 3: ("error", 4)}
    fast = sheet._edit_plain_row(b"", row, row.index(b">") + 1, 7, marks, {5: 8}, _style)
    assert fast is not None
    assert fast == sheet_reference._edit_row(b"", row, row.index(b">") + 1, 7, marks, {5: 8}, _style)
    assert fast == (b'<row r="7"><c r="A7" s="1002"><v>1</v></c><c r="B7" s="2000"/><c r="C7" t="s"><v>0</v></c>'
                    b'<c r="D7" s="4000"/><c r="F7" s="3008"/></row>')
    for odd in (row.replace(b"</row>", b"<extLst/></row>"), row.replace(b'"C7"', b'"C8"')):
        assert sheet._edit_plain_row(b"", odd, odd.index(b">") + 1, 7, marks, {5: 8}, _style) is None
    # a cell past the last mark is not looked at: its reference does not send the row to the walk
    late = row.replace(b'"D7"', b'"D8"')
    assert sheet._edit_plain_row(b"", late, late.index(b">") + 1, 7, {0: ("error", 1)}, {}, _style) is not None


def test_a_row_given_no_marks_comes_back_as_it_was():
    # a caller's row entry with no cells in it: the row unchanged, as the walk gives it (the fast
    # path once raised on it)
    xml = f"<worksheet {NS}><sheetData><row r=\"2\"><c r=\"A2\"/></row></sheetData></worksheet>".encode()
    assert mark_cells(xml, {2: {}}, _style) == xml == sheet_reference.mark_cells(xml, {2: {}}, _style)


_texts = st.one_of(st.sampled_from(["", "登记表", "H12", "错误", "联系电话格式不对：13812345678 不是手机号", "a\nb\nc",
                                    "来店时间晚于离店时间" * 9, "x" * 200]), st.text(max_size=90))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(*[_texts] * len(COLUMNS)), max_size=40),
       st.lists(st.integers(1, 70), min_size=len(COLUMNS), max_size=len(COLUMNS)))
def test_the_row_heights_are_each_rows_height(values, widths):
    rows = [ResultRow(None, v) for v in values]  # type: ignore[arg-type]
    assert row_heights(rows, widths) == [row_height(v, widths) for v in values]


def _big_package(path, crc_flip: bool = False):
    """A zip with one part over the one-call inflate's threshold (random-ish text, so it is
    several deflate blocks) and a small one."""
    import random

    rnd = random.Random(7)
    big = "".join(f'<row r="{i}"><c r="A{i}"><v>{rnd.random()}</v></c></row>' for i in range(120_000)).encode()
    assert len(big) > package._WHOLE
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", big)
        z.writestr("small.xml", b"<a/>")
    if crc_flip:  # the CRC in the directory no longer matches the data
        data = bytearray(path.read_bytes())
        with zipfile.ZipFile(path) as z:
            cd = z.start_dir
        data[data.find(b"PK\x01\x02", cd) + 16] ^= 0xFF
        path.write_bytes(bytes(data))
    return big


def test_a_big_part_is_inflated_in_one_call_to_the_same_bytes(tmp_path, monkeypatch):
    p = tmp_path / "big.xlsx"
    big = _big_package(p)
    calls = []
    monkeypatch.setattr(inflate, "blocks", lambda *a, **k: calls.append(a) or iter(()))
    with package.Package(p) as pkg:
        assert pkg.read("xl/worksheets/sheet1.xml") == big
        assert not calls  # not through the block reader
        assert pkg.read("small.xml") == b""  # a small part still is (here: stubbed out)


def test_a_big_part_with_a_bad_checksum_is_still_a_damaged_file(tmp_path):
    p = tmp_path / "big.xlsx"
    _big_package(p, crc_flip=True)
    with package.Package(p) as pkg, pytest.raises(InputError, match="文件已损坏"):
        pkg.read("xl/worksheets/sheet1.xml")



@pytest.mark.parametrize("deflater", ["isal", "zlib-ng", "zlib"])
def test_a_big_part_is_deflated_by_the_fast_deflater_and_reads_back(tmp_path, monkeypatch, deflater):
    """Saved with ISA-L's deflater on the part's writer (zlib-ng's where ISA-L is not
    installed, zipfile's zlib at level 1 where neither is): every reader's inflater reads it,
    the CRC checks, and a small part still goes through zipfile's own."""
    p = tmp_path / "big.xlsx"
    big = _big_package(p)
    made = []
    if deflater == "isal":
        module = pytest.importorskip("isal.isal_zlib", reason="no ISA-L wheels for this platform (pyproject)")
    else:
        monkeypatch.setattr(package, "_isal", None)  # as where its import failed
        if deflater == "zlib-ng":
            module = pytest.importorskip("zlib_ng.zlib_ng", reason="no zlib-ng wheels for this platform (pyproject)")
        else:
            import zlib as module

            monkeypatch.setattr(package, "_zl", None)
    real = module.compressobj
    monkeypatch.setattr(module, "compressobj", lambda *a: made.append(a) or real(*a))
    changed = big.replace(b'<row r="1">', b'<row r="1" ht="20">', 1)
    with package.Package(p) as pkg:
        pkg.write("xl/worksheets/sheet1.xml", changed)
        pkg.save(tmp_path / "out.xlsx")
    # one part big enough: level 2, raw deflate (zlib: level 1; the small parts at its level 6)
    assert [a for a in made if a[0] != 6] == [(1 if deflater == "zlib" else 2, 8, -15)]
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet1.xml") == changed
        assert z.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_DEFLATED
        assert z.getinfo("xl/worksheets/sheet1.xml").compress_size < len(changed) / 3


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("a中&<>\"'\n\r\t ;#")), max_size=20) | st.text(max_size=20))
def test_our_escapes_are_saxutils_escapes(text):
    from xml.sax.saxutils import escape, quoteattr

    assert package.escape(text) == escape(text)
    assert package.quoteattr(text) == quoteattr(text, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
