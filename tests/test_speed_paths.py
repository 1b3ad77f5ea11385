"""The fast paths of issue 19 give exactly what the plain ones do: the batch normalisers against
the per-value ones, interned columns against the cells as read, zlib-ng against zipfile, the
column-wise visitor-log rules against a row-by-row reading, and the environment as
pydantic-settings read it."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import REG_HEADER, write_xlsx
from xl_dealer.model.config import Config, load_config
from xl_dealer.model.errors import InputError
from xl_dealer.read import inflate
from xl_dealer.read.dense import _Columns
from xl_dealer.read.values import to_phone, to_text, to_words
from xl_dealer.rules import registration
from xl_dealer.rules.fields import _phone_batch, _text_batch, _words_batch
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)

_digits = st.text(alphabet="0123456789０１２３４５６７８９ \u3000-+()转x", max_size=16)
_phones = st.one_of(
    _digits, st.text(max_size=8), st.floats(allow_nan=False), st.integers(-10**12, 10**12).map(float),
    st.integers(10**10, 2 * 10**10).map(float), st.sampled_from(["13812345678", " 138 1234 5678 ", "１３８１２３４５６７８",
                                                                 "+86 13812345678", "010-88886666", "", "\u3000", "138\n"]),
    st.booleans(), st.none(), st.dates())


@settings(max_examples=400, deadline=None)
@given(st.lists(_phones, max_size=30))
def test_the_phone_batch_is_to_phone(values):
    distinct = set(values)
    assert _phone_batch(distinct) == {v: to_phone(v) for v in distinct}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["", "  ", "\u3000", "ＡＢＣ ", " 王伟\n", "①"]),
                          st.floats(allow_nan=False), st.booleans(), st.dates(), st.none()), max_size=30))
def test_the_text_batch_is_to_text(values):
    distinct = set(values)
    assert _text_batch(distinct) == {v: to_text(v) for v in distinct}
    assert _words_batch(distinct) == {v: to_words(v) for v in distinct}


def test_interned_columns_hold_the_cells_as_read():
    cols = _Columns(3)
    a = [("王伟", 1.5, "是"), ("王伟", True, ""), ("李娜", 1.0, "")]
    b = [("李娜", 0.0, "否"), ("王伟", 2.0, "")]
    for chunk in (a, b):
        cols.add(list(zip(*chunk, strict=True)), len(chunk))
    expect = [list(c) for c in zip(*(a + b), strict=True)]
    for c in range(3):
        got = cols.lists[c]
        assert got == expect[c] and [type(v) for v in got] == [type(v) for v in expect[c]]
    assert cols.lists[0][0] is cols.lists[0][1]  # one object per distinct value
    # True == 1 == 1.0: the column holding them keeps its cells (the TRUE stays a bool)
    assert cols.lists[1][1] is True and cols.lists[1][2] == 1.0 and type(cols.lists[1][2]) is float
    assert set(cols.distinct()) == {0, 2}
    assert set(cols.distinct()[0]) == {"王伟", "李娜"}


def test_a_bool_column_beside_numbers_is_read_as_before(tmp_path: Path):
    rows = [["来店登记表"], REG_HEADER]
    for i in range(300):
        flag = [True, 1, "是", 0, False][i % 5]
        rows.append(["2026-11-03", "10:00", "11:00", "来店", f"客户{i}", f"1381234{i:04d}", "威兰达", "懂车帝", "H",
                     "张伟", flag, "是", ""])
    p = write_xlsx(tmp_path / "b.xlsx", {"登记": rows})
    r = validate([p], as_of=AS_OF, config=Config(), jobs=1)
    flagged = [f for f in r.findings if f.field == "test_drive"]
    assert not flagged  # TRUE, 1, 是, 0, FALSE are all yes/no


def test_inflate_gives_zipfiles_bytes(tmp_path: Path):
    p = tmp_path / "z.zip"
    data = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7) for i in range(200_000))
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("deflated.xml", data, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("stored.xml", data, compress_type=zipfile.ZIP_STORED)
        z.writestr("empty.xml", b"", compress_type=zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(p) as z:
        for name in ("deflated.xml", "stored.xml", "empty.xml"):
            blocks = list(inflate.blocks(z, z.getinfo(name), crc=True))
            assert b"".join(blocks) == z.read(name)
            assert all(len(b) <= inflate.CHUNK for b in blocks)


def test_inflate_checks_the_crc_when_asked(tmp_path: Path):
    p = tmp_path / "z.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.xml", b"<a>" * 50_000, compress_type=zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("a.xml")
        info.CRC ^= 1
        assert b"".join(inflate.blocks(z, info)) == b"<a>" * 50_000  # unchecked: calamine checks it
        with pytest.raises(zipfile.BadZipFile):
            list(inflate.blocks(z, info, crc=True))


def test_inflate_without_zlib_ng_is_zipfile(tmp_path: Path, monkeypatch):
    p = tmp_path / "z.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.xml", b"<b>x</b>" * 300_000, compress_type=zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(inflate, "_zl", None)
    with zipfile.ZipFile(p) as z:
        assert b"".join(inflate.blocks(z, z.getinfo("a.xml"), crc=True)) == z.read("a.xml")


def _earlier_by_rows(leave, arrive):
    return [i for i, (a, b) in enumerate(zip(arrive, leave, strict=True)) if a is not None and b is not None and b < a]


_times = st.one_of(st.none(), st.times())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_times, _times), max_size=40))
def test_leaving_before_arriving_by_columns_is_by_rows(pairs):
    arrive = [a for a, _ in pairs]
    leave = [b for _, b in pairs]
    assert list(registration._earlier(leave, arrive)) == _earlier_by_rows(leave, arrive)


def _repeats_by_rows(dates, phones):
    from xl_dealer.read.values import phone_key

    seen, out = {}, []
    for i, (d, p) in enumerate(zip(dates, phones, strict=True)):
        if d is None or p is None:
            continue
        k = (d, phone_key(p))
        if k in seen:
            out.append((i, seen[k]))
        else:
            seen[k] = i
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from([dt.date(2026, 11, d) for d in (1, 2, 3)])),
                          st.one_of(st.none(), st.sampled_from(["13812345678", "13812345678-12", "010-8888666-3",
                                                                "010-8888666", "13900001111", "-", "1-"]))),
                max_size=40))
def test_same_phone_same_day_by_columns_is_by_rows(pairs):
    dates = [d for d, _ in pairs]
    phones = [p for _, p in pairs]
    assert list(registration.repeats(dates, phones)) == _repeats_by_rows(dates, phones)


def test_leaving_before_arriving_with_moments_falls_back_to_rows():
    arrive = [dt.datetime(2026, 11, 3, 10), None, dt.datetime(2026, 11, 3, 9)]
    leave = [dt.datetime(2026, 11, 3, 9), dt.datetime(2026, 11, 3, 9), dt.datetime(2026, 11, 3, 10)]
    assert list(registration._earlier(leave, arrive)) == [0]


def test_the_environment_fills_what_the_file_does_not(tmp_path: Path, monkeypatch):
    toml = tmp_path / "dealer.toml"
    toml.write_text('lang = "zh"\n[enums]\nsource = ["X"]\n[limits]\nmax_ratio = 300\n', encoding="utf-8")
    monkeypatch.setenv("xl_dealer_lang", "en")  # any case, as pydantic-settings read it
    monkeypatch.setenv("XL_DEALER_CALLBACK_DAYS", "5")
    monkeypatch.setenv("XL_DEALER_LIMITS", json.dumps({"max_columns": 50}))
    monkeypatch.setenv("XL_DEALER_TARGETS", "null")  # JSON null: not set
    monkeypatch.setenv("XL_DEALER_NOT_A_KEY", "1")  # not a setting: ignored
    c = load_config(toml)
    assert c.lang == "zh"  # the file's
    assert c.callback_days == 5
    assert (c.limits.max_ratio, c.limits.max_columns) == (300, 50)  # a table merged key by key
    assert c.enums["source"] == ["X"]
    assert Config().callback_days == 5 and Config().lang == "en"  # Config() reads the environment too


def test_a_bad_variable_names_itself(monkeypatch):
    monkeypatch.setenv("XL_DEALER_ENUMS", "[not json")
    with pytest.raises(InputError) as e:
        load_config()
    assert "XL_DEALER_ENUMS" in str(e.value) and 'error parsing value for field "enums"' in str(e.value)


_score_cells = st.one_of(st.sampled_from(["满意", "非常满意", "7", " 8 ", "10分", "", "3", "5.5"]), st.none(),
                         st.integers(-2, 12), st.floats(0, 11, allow_nan=False), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(_score_cells, max_size=40))
def test_the_ten_point_scale_from_distinct_cells_is_from_every_cell(cells):
    from xl_dealer.read.values import clean
    from xl_dealer.rules.scores import is_ten_point

    def plain(v):
        v = clean(v)
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                return False
        return isinstance(v, int | float) and not isinstance(v, bool) and 5 < v <= 10

    config = Config()
    assert is_ten_point(cells, config) == any(map(plain, cells))
    assert is_ten_point([*cells, ["unhashable"]], config) == any(map(plain, cells))
_TOTALISH = st.text(alphabet="合小计总共累本当今全日月 \u3000\u2028\x1c\n\t1条：王", max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_TOTALISH, st.text(max_size=6), st.floats(allow_nan=False), st.none(), st.dates()),
                max_size=40))
def test_the_total_candidates_are_the_values_total_start_matches(values):
    """The values a 合计 could be, found in one search over the values joined one a line, are the text
    values ``_TOTAL_START`` matches, one by one: with line breaks, full-width spaces, non-text."""
    from xl_dealer.read.table import _TOTAL_START, _total_candidates

    distinct = set(values)
    expect = {v for v in distinct if v.__class__ is str and _TOTAL_START(v)}
    assert set(_total_candidates(distinct)) == expect


def _sheet_package(path: Path, xml: bytes) -> Path:
    from tests.helpers import raw_xlsx

    return raw_xlsx(path, sheet_body=xml)


_error_value = st.sampled_from(sorted(__import__("xl_dealer.read.values", fromlist=["ERROR_VALUES"]).ERROR_VALUES))
_cells = st.lists(st.one_of(
    st.tuples(st.just("text"), st.text(alphabet="ab#1 ", max_size=30)),
    st.tuples(st.just("error"), _error_value, st.integers(0, 300)),  # a formula of that length before its value
    st.tuples(st.just("bare"), st.just("")),  # t="e" and no value: no error the reader would find
), max_size=12)


def _error_sheet(cells: list[tuple]) -> bytes:
    out = []
    for i, (what, *rest) in enumerate(cells, start=1):
        if what == "text":
            out.append(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{rest[0]}</t></is></c></row>')
        elif what == "error":
            out.append(f'<row r="{i}"><c r="A{i}" t="e"><f>{"x" * rest[1]}</f><v>{rest[0]}</v></c></row>')
        else:
            out.append(f'<row r="{i}"><c r="A{i}" t="e"/></row>')
    return "".join(out).encode()


@settings(max_examples=150, deadline=None)
@given(_cells, st.sampled_from([64, 97, 256, 1 << 20]))
def test_the_error_scan_misses_no_error_cell_at_any_block_boundary(tmp_path_factory, cells, chunk):
    """The pre-flight pass searches for t="e" only from the first block holding a "#": a sheet it
    says holds no error cell holds none the reader would find, wherever the blocks end (an error
    cell's t="e" in one block and its #N/A in the next), and a sheet without a "#" is never
    searched again."""
    from unittest import mock

    from xl_dealer.read import guard
    from xl_dealer.read.workbook import _xlsx_error_cells

    xml = _error_sheet(cells)
    p = _sheet_package(tmp_path_factory.mktemp("e") / "e.xlsx", xml)
    with mock.patch.object(inflate, "CHUNK", chunk), zipfile.ZipFile(p) as z:
        _, errors = guard._scan(z, z.getinfo("xl/worksheets/sheet1.xml"), Config().limits)
        found = _xlsx_error_cells(z, {"登记": "xl/worksheets/sheet1.xml"})
    if found:
        assert errors
    if b"#" not in xml:
        assert not errors
    if not errors:
        assert not found


def test_an_error_cell_across_a_block_boundary_is_a_formula_error(tmp_path: Path, monkeypatch):
    """An error cell whose t="e" ends one block and whose #N/A starts the next, in a sheet with no
    "#" before it: the cell.error finding is there, as with one block."""
    from xl_dealer.read.values import ERROR_VALUES

    assert all(v.startswith("#") for v in ERROR_VALUES)  # what the pre-flight pass relies on
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip("ABCDEFGHIJKLM", REG_HEADER,
                                                                                         strict=True))
    good = ["2026-11-20", "10:00", "", "来店", "王先生", "13812345678", "凯美瑞", "汽车之家", "A", "李娜", "否", "是", ""]

    def cells(r: int, columns: str) -> str:
        vals = dict(zip("ABCDEFGHIJKLM", good, strict=True), F=f"138{r:08d}")
        return "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>{vals[c]}</t></is></c>' for c in columns if vals[c])

    rows = [f'<row r="1">{header}</row>'] + [f'<row r="{r}">{cells(r, "ABCDEFGHIJKLM")}</row>' for r in range(2, 40)]
    before = "".join(rows) + f'<row r="40">{cells(40, "ABCDE")}<c r="F40" t="e"><f>IFERROR(VLOOKUP(E40,名单!A:B,2,0),VLOOKUP(E40,去年名单!A:B,2,0))</f>'
    after = f'<v>#N/A</v></c>{cells(40, "GHIJKLM")}</row>'
    p = _sheet_package(tmp_path / "split.xlsx", before + after)
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    # the first block ends right before the cell's "#N/A", its t="e" further back than the blocks' overlap
    cut = len(head) + len(before.encode())
    monkeypatch.setattr(inflate, "CHUNK", cut)
    r = validate([p], as_of=AS_OF, config=Config(), jobs=1)
    assert ("F40", "cell.error", "#N/A") in [(f.cell, f.rule, f.value) for f in r.findings]


_ref_bits = st.lists(st.sampled_from([' r="', 'r="', ' r=', '"', "A", "b", "XFD", "xfd", "ZZZZ", "1", "7", "1048576",
                                      "100000", "9999999", '<row r="', '<c r="', ">", " ", "s=", "t", "é"]),
                     max_size=24).map(lambda parts: "".join(parts).encode())


@settings(max_examples=1000, deadline=None)
@given(_ref_bits)
def test_the_far_reference_search_finds_whatever_the_exact_one_does(text):
    """The pre-flight pass runs _FAR_REF only on a block _FAR_MAYBE finds something in: it must
    find something wherever _FAR_REF would (lower case, four letters, a row tag, seven digits)."""
    from xl_dealer.read.guard import _FAR_MAYBE, _FAR_REF

    assert not _FAR_REF.findall(text) or _FAR_MAYBE.search(text)


_FAR_ROWS = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>x</t></is></c></row>'
                    for r in range(1, 60))


@pytest.mark.parametrize(("far", "ref"), [
    ('<row r="60"><c r="XFD1048576"><v>1</v></c></row>', 'r="XFD1048576"'),
    ('<row r="60"><c r="xfd5"><v>1</v></c></row>', 'r="xfd5"'),
    ('<row r="60"><c r="AB3"><v>1</v></c></row>', 'r="AB3"'),
    ('<row r="60"><c r="ZZZZ7"><v>1</v></c></row>', 'r="ZZZZ7"'),
    ('<row r="60"><c r="A1048576"><v>1</v></c></row>', 'r="A1048576"'),
    ('<row r="1048576"><c r="A1"><v>1</v></c></row>', 'r="1048576"'),
])
def test_a_far_reference_across_a_block_boundary_is_found(tmp_path: Path, far, ref):
    """Cut at every byte around it: a far cell (lower case, four letters, seven digits) or a row
    tag of seven digits is seen whichever block holds which part of it, and the grid is too big."""
    from unittest import mock

    from xl_dealer.model.config import Limits
    from xl_dealer.read import guard

    limits = Limits(max_dense_cells=1000)  # 59 rows x 2 columns fit; a far cell does not
    plain = _sheet_package(tmp_path / "plain.xlsx", _FAR_ROWS)
    with zipfile.ZipFile(plain) as z:
        assert guard._scan(z, z.getinfo("xl/worksheets/sheet1.xml"), limits) == (False, False)
    p = _sheet_package(tmp_path / "far.xlsx", _FAR_ROWS + far)
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        at = z.read(info).index(ref.encode())
    for cut in range(at - 6, at + 14):
        with mock.patch.object(inflate, "CHUNK", cut), zipfile.ZipFile(p) as z:
            assert guard._scan(z, info, limits)[0], cut
