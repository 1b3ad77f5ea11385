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
from xl_dealer.read.values import to_phone, to_text
from xl_dealer.rules import registration
from xl_dealer.rules.fields import _phone_batch, _text_batch
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
