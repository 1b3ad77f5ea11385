"""DEALER_CHECK_ROW's fast path (``xl_dealer.excel.rowcheck``) says exactly what the full way
(``grid.check_rows([header, row])``) says: the same findings, messages, cells and order, for
every kind's header, typical and malformed values as Excel hands them (floats, datetimes, None),
blank cells, clean rows, and rows that must fall back to the full way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import REG_HEADER
from udfs import dealer_udfs as u
from xl_dealer.excel import grid, rowcheck
from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.model.schema import Field, FieldType
from xl_dealer.read.values import to_text, to_words
from xl_dealer.rules.fields import BATCH

CONFIG = Config()
AS_OF = dt.date(2026, 11, 27)
D = dt.datetime

# the header of the benchmark (benchmarks/check_row.py): a visitor log with unmapped columns
VISITOR = ["日期", "来店时间", "离店时间", "来店/来电", "首次/再次", "客户姓名", "性别", "联系电话", "同行人数",
           "意向车型", "信息来源", "意向级别", "接待顾问", "是否试驾", "是否建卡", "区域", "备注", "微信号", "预算",
           "关注点"]
# every kind's own headers; a visitor log without its 联系电话 (column.missing, with a hint from
# the values under the other headers) and one with 客户姓名 twice (column.duplicate)
HEADERS = {k: [f.header for f in kind.fields] for k, kind in KINDS.items()}
HEADERS |= {"visitor": VISITOR, "reg_helpers": REG_HEADER,
            "no_phone": [h for h in VISITOR if h != "联系电话"] + ["手机"],
            "twice": VISITOR + ["顾客姓名"]}

TEXTS = ["张伟", "李娜", " ", "", "合计", "合 计", "本日小计", "客户姓名", "来店时间", "日期", "#N/A", "不留电话", "客户未留电话",
         "威兰达", "H级", "是", "否", "未签", "×", "满意", "很不满意", "天河区", "ＡＢＣ", "粤A12345", "2026-11-05",
         "11月5日", "9:30", "9:30-10:15", "13812345678", "138-1234-5678", "+86 13812345678", "020-12345678"]
NUMBERS = [0.0, -0.0, 1.0, 2.0, 5.0, 9.0, 10.0, 51.0, 0.4, 0.75, 0.99, 46000.0, 46353.0, 46400.5, 13812345678.0,
           1381234567.0, 2012345678.0, 20261105.0, float("nan")]
DATES = [D(2026, 11, 1), D(2026, 11, 27), D(2026, 11, 28), D(2026, 12, 30), D(2025, 1, 1), D(1899, 12, 30, 10, 40),
         D(1899, 12, 30, 18, 5), D(2026, 11, 20, 9, 30), dt.date(2026, 11, 3), dt.time(9, 30), dt.time(18, 0)]


def _typed(f: Field) -> tuple[list[Any], list[Any]]:
    """Values a clerk types into a column of this field: good ones, and what goes wrong."""
    t = f.type
    enum = CONFIG.enums.get(f.enum or "", [])
    if f.enum == "level":
        return list(CONFIG.levels)[:5] + ["H级", "A级客户", "h"], ["Z", "合计"]
    if t is FieldType.DATE:
        return [D(2026, 11, 1 + i) for i in range(0, 30, 3)] + [46353.0, "2026/11/3", "11月5日"], ["2026-13-05", "昨天"]
    if t in (FieldType.TIME, FieldType.MOMENT):
        return [0.4, 0.41, 0.6, 0.75, D(1899, 12, 30, 10, 40), "9:30", "18:05", D(2026, 11, 20, 15, 0)], ["25:00"]
    if t is FieldType.PHONE:
        return [13812340000.0 + i for i in range(8)] + ["138 1234 5678", "020-12345678"], ["12345", 1381234567.0]
    if t in (FieldType.BOOL, FieldType.SIGN):
        return ["是", "否", True, False, 1.0, 0.0, "√", "×", "未签", "王经理"], ["也许"]
    if t in (FieldType.INT, FieldType.NUMBER):
        return [1.0, 2.0, 3.0, "3"], [0.0, -0.0, -1.0, 51.0, 2.5, "两"]
    if t is FieldType.SCORE:
        return [5.0, 4.0, 3.0, 1.0, 10.0, 8.0, "满意", "不满意", "很满意", "一般"], [0.0, 11.0, "好"]
    if t is FieldType.ID:
        return ["11010519491231002X"], ["110105194912310021", "4401061990010112", 110105194912310000.0]
    if t is FieldType.VIN:
        return ["LSVAU218XN2183294", "lsvau218xn2183294", "LFV2A21K3R3000001"], ["LSVAU2180N2183294", "IOQ0000"]
    if t is FieldType.PLATE:
        return ["粤A12345", "粤AD12345"], ["A12345", "粤A1234"]
    if enum:
        return [*enum[:4], enum[0] + " "], ["路人"]
    return [f"客户{i}" for i in range(6)] + ["张伟", "备注：不留电话", "客户未留电话", "王强", 12.0, D(2026, 1, 2)], ["合计"]


def _cell(header: str, kind_key: str) -> st.SearchStrategy[Any]:
    """Mostly good values (most rows are clean), some blank, now and then a mistake or anything."""
    kind = KINDS.get(kind_key, KINDS["registration"])
    key = grid.alias_index(CONFIG).lookup(kind, header)
    f = kind.field(key) if key else None
    good, bad = _typed(f) if f else (TEXTS, TEXTS)
    wild = st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS), st.sampled_from(DATES), st.booleans(),
                     st.text(max_size=6), st.floats(allow_nan=False, width=32))
    return st.integers(0, 99).flatmap(
        lambda p: st.sampled_from(good) if p < 88 else st.none() if p < 94 else st.sampled_from(bad) if p < 98
        else wild)


@st.composite
def header_and_row(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    name = draw(st.sampled_from(sorted(HEADERS)))
    header = HEADERS[name]
    kind_key = name if name in KINDS else "registration"
    row = [draw(_cell(h, kind_key)) for h in header]
    cut = draw(st.sampled_from([None, None, None, len(row) - 2, len(row) + 2]))  # ragged as Excel may give
    if cut is not None:
        row = row[:cut] if cut < len(row) else row + [draw(st.sampled_from([None, "合计", "x"])) for _ in range(2)]
    return header, row


def full(header: list[Any], row: list[Any], as_of: dt.date = AS_OF) -> list[Any] | None:
    t, findings = grid.check_rows([list(header), list(row)], CONFIG, as_of)
    return None if t.__class__.__name__ == "SkippedSheet" else findings


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header_and_row(), st.sampled_from([AS_OF, dt.date(2026, 11, 10), dt.date(2027, 1, 3)]))
def test_fast_path_is_the_full_way(hr: tuple[list[Any], list[Any]], as_of: dt.date) -> None:
    header, row = hr
    assert grid.check_row(list(header), list(row), CONFIG, as_of) == full(header, row, as_of)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header_and_row())
def test_the_silence_test_never_hides_a_finding(hr: tuple[list[Any], list[Any]]) -> None:
    """Where a quiet row is answered "" without the rules over several cells, running those
    rules on the prepared one-row table says nothing either (and both are the full way)."""
    header, row = hr
    plan = rowcheck.plan_for(list(header), CONFIG, AS_OF, grid.alias_index(CONFIG))
    if plan is None:
        return
    fast = rowcheck.check_row(plan, list(row))
    silent, plan.silent = plan.silent, None
    try:
        ruled = rowcheck.check_row(plan, list(row))
    finally:
        plan.silent = silent
    assert fast == ruled
    if fast is not None:
        assert fast == full(header, row)


def _clean_visitor_row(i: int) -> list[Any]:
    return [D(2026, 11, 1 + i % 26), 0.4 + (i % 40) / 100, 0.5 + (i % 40) / 100, "来店", "首次" if i % 3 else "再次",
            f"客户{i}", "男" if i % 2 else "女", 13812340000.0 + i, 1.0, "威兰达", "懂车帝", "H" if i % 4 else "A",
            "张伟", "是" if i % 5 == 0 else "否", "是", "天河区", None, None, "20万", "油耗"]


def test_clean_rows_are_answered_without_the_full_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the fast path: a visitor-log row, clean or with a bad cell, never reaches
    check_rows, and says what check_rows says."""
    rows = [_clean_visitor_row(i) for i in range(300)]
    expected = [full(VISITOR, r) for r in rows]
    assert all(e == [] for e in expected)
    calls = []
    real = grid.check_rows
    monkeypatch.setattr(grid, "check_rows", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert [grid.check_row(VISITOR, r, CONFIG, AS_OF) for r in rows] == expected
    assert calls == []
    bad = _clean_visitor_row(7)
    bad[7] = 1381234567.0  # ten digits
    want = full(VISITOR, bad)
    calls.clear()
    assert grid.check_row(VISITOR, bad, CONFIG, AS_OF) == want != []
    assert calls == []


@pytest.mark.parametrize("change", [
    {2: 0.3},  # 离店 before 来店: time.order, a rule over two cells
    {14: "否"},  # a phone left without a card: card.required
    {0: D(2026, 11, 28)},  # after the as-of day: date.future
    {7: None},  # no phone and no word why: required
    {7: None, 16: "客户不留电话"},  # no phone, the remark says why: nothing
    {5: None},  # no name
    {8: 0.0}, {8: -0.0},  # no one came along: out of range
])
def test_rows_with_one_thing_wrong_say_what_the_full_way_says(change: dict[int, Any]) -> None:
    row = _clean_visitor_row(3)
    for c, v in change.items():
        row[c] = v
    assert grid.check_row(VISITOR, row, CONFIG, AS_OF) == full(VISITOR, row)


def test_fast_answers_for_rows_the_rules_over_several_cells_judge() -> None:
    """Rows quiet cell by cell but caught by a rule over several cells run the real rules on a
    prepared one-row table (the plan's fast answer is not None, and is the full way's)."""
    plan = rowcheck.plan_for(VISITOR, CONFIG, AS_OF, grid.alias_index(CONFIG))
    assert plan is not None and plan.silent is not None
    for c, v in [(2, 0.3), (14, "否")]:
        row = _clean_visitor_row(11)
        row[c] = v
        fast = rowcheck.check_row(plan, row)
        assert fast is not None and fast == full(VISITOR, row) and fast


@pytest.mark.parametrize("row", [
    [None] * 20,  # blank: dropped
    ["合计", None, None, None, None, None, None, None, 12.0] + [None] * 11,  # a total row
    VISITOR,  # the header again
    ["日期", "来店时间", "离店时间", "客户姓名", "联系电话", "意向车型", "信息来源", "意向级别", "接待顾问"],
])
def test_rows_that_change_how_the_sheet_reads_go_the_full_way(row: list[Any]) -> None:
    plan = rowcheck.plan_for(VISITOR, CONFIG, AS_OF, grid.alias_index(CONFIG))
    assert rowcheck.check_row(plan, list(row)) is None
    assert grid.check_row(VISITOR, list(row), CONFIG, AS_OF) == full(VISITOR, row)


def test_a_row_that_is_a_better_header_is_read_as_the_header() -> None:
    """classify takes a second row that maps more fields than the first for the header."""
    small = ["日期", "客户姓名", "联系电话", "意向车型"]
    bigger = VISITOR[:16]
    assert grid.check_row(small, bigger, CONFIG, AS_OF) == full(small, bigger)


def test_the_udf_gives_the_full_ways_messages() -> None:
    rows = [_clean_visitor_row(i) for i in range(40)]
    rows[5][7] = "12345"
    rows[9][11] = "Z"
    rows[12] = [None] * 20
    for r in rows:
        said = u.DEALER_CHECK_ROW([VISITOR], [r], D(2026, 11, 27))
        assert said == "；".join(f.message for f in full(VISITOR, r))
    assert u.DEALER_CHECK_ROW([["甲", "乙"]], [[1.0, 2.0]]).startswith("错误：表头无法识别")
    assert u.DEALER_CHECK_ROW([VISITOR], [rows[0]], "明天").startswith("错误：检查日")


@given(st.one_of(st.text(), st.none(), st.floats(), st.booleans(), st.integers(), st.sampled_from(DATES)))
def test_to_text_is_its_batch_form_value_by_value(v: Any) -> None:
    """The fast path normalises a text cell with to_text, check_fields with _text_batch."""
    assert BATCH[to_text]({v})[v] == to_text(v) or v != v
    assert BATCH[to_words]({v})[v] == to_words(v) or v != v


def test_a_bool_never_takes_the_fact_of_an_equal_number() -> None:
    """True == 1.0 as a dict key: the quiet row's one lookup a cell must not hand an Excel TRUE
    the fact kept for a typed 1 (or the other way round), in either order, nor a 1 that of 1.0."""
    for first, then in [(1.0, True), (True, 1.0), (0.0, False), (1.0, 1)]:
        header = list(VISITOR)
        rows = [_clean_visitor_row(i) for i in range(4)]
        for r in rows:
            r[14] = r[8] = first  # 是否建卡 and 同行人数
        rows.append(_clean_visitor_row(9))
        rows[-1][14] = rows[-1][8] = then
        header[19] = f"关注点{first!r}{then!r}"  # a plan of its own, its memos fresh
        for r in rows:
            assert grid.check_row(header, list(r), CONFIG, AS_OF) == full(header, r)


def test_the_last_header_is_kept_only_for_the_same_header_day_and_config() -> None:
    """plan_for keeps the last plan apart from the rest: a changed header cell, another as-of
    day or another config gets its own."""
    index = grid.alias_index(CONFIG)
    plan = rowcheck.plan_for(list(VISITOR), CONFIG, AS_OF, index)
    assert rowcheck.plan_for(list(VISITOR), CONFIG, AS_OF, index) is plan
    other = [*VISITOR[:-1], "车型关注点"]
    assert rowcheck.plan_for(other, CONFIG, AS_OF, index) is not plan
    assert rowcheck.plan_for(list(VISITOR), CONFIG, AS_OF, index) is plan
    later = rowcheck.plan_for(list(VISITOR), CONFIG, dt.date(2026, 11, 28), index)
    assert later is not plan and later.as_of == dt.date(2026, 11, 28)
    config = Config()
    assert rowcheck.plan_for(list(VISITOR), config, AS_OF, grid.alias_index(config)).config is config
    # a row dated 11-28 is in the future on the 27th only
    row = _clean_visitor_row(0)
    row[0] = D(2026, 11, 28)
    assert grid.check_row(list(VISITOR), row, CONFIG, AS_OF) == full(VISITOR, row, AS_OF) != []
    assert grid.check_row(list(VISITOR), row, CONFIG, dt.date(2026, 11, 28)) == []


def test_the_lower_row_of_a_two_row_header_is_what_the_full_way_makes_of_it() -> None:
    """Under a header with a merged group (来店时间 over a blank), a row of its parts is the
    header's lower row for the full way: the fast path must not check it as data."""
    top = ["日期", "来店/来电", "客户姓名", "来店时间", None, "联系电话", "意向车型", "信息来源", "意向级别", "接待顾问"]
    low = [None, None, None, "到店", "离店", None, None, None, None, None]
    assert grid.check_row(top, low, CONFIG, AS_OF) == full(top, low) == []
    row = [D(2026, 11, 20), "来店", "王先生", 0.4, 0.3, 13812345678.0, "途观L", "汽车之家", "H", "张伟"]
    assert grid.check_row(top, row, CONFIG, AS_OF) == full(top, row)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(sorted(HEADERS)), st.data())
def test_a_new_values_state_is_its_facts(name: str, data: st.DataObject) -> None:
    """A quiet row's first sight of a value gives its state without its fact (Plan.state): the
    state the fact would have, for every column and value the property tests draw."""
    header = HEADERS[name]
    plan = rowcheck.plan_for(list(header), CONFIG, AS_OF, grid.alias_index(CONFIG))
    if plan is None:
        return
    kind_key = name if name in KINDS else "registration"
    c = data.draw(st.integers(0, len(header) - 1))
    v = data.draw(_cell(header[c], kind_key))
    if type(v) in rowcheck._PLAIN:
        assert plan.state(c, v) == plan._fact(c, v).state


def test_a_plan_that_keeps_too_much_lets_go_and_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet of unique values fills the plan's memos: past the limit they are emptied, and the
    rows after say what the full way says."""
    monkeypatch.setattr(rowcheck, "_MEMO_LIMIT", 30)
    header = [*VISITOR[:-1], "关注点（限额）"]  # a plan of its own
    rows = [_clean_visitor_row(i % 7) for i in range(60)]
    rows[33][2] = 0.3  # 离店 before 来店
    for r in rows:
        assert grid.check_row(header, list(r), CONFIG, AS_OF) == full(header, r)
    plan = rowcheck.plan_for(header, CONFIG, AS_OF, grid.alias_index(CONFIG))
    assert 0 < plan.kept <= 30 and sum(map(len, plan.states)) + len(plan.memo) <= 30


def _good_or_bad(header: str, bad: bool) -> st.SearchStrategy[Any]:
    kind = KINDS["registration"]
    key = grid.alias_index(CONFIG).lookup(kind, header)
    good, wrong = _typed(kind.field(key)) if key else (["张伟", "x", None], ["合计", 3.0])
    return st.sampled_from(wrong if bad else good)


def _clean_row_for(header: list[str], i: int) -> list[Any]:
    """The benchmark's clean visitor row, its values under ``header``'s columns of the same fields."""
    kind, index = KINDS["registration"], grid.alias_index(CONFIG)
    by_key = {index.lookup(kind, h): v for h, v in zip(VISITOR, _clean_visitor_row(i), strict=True)}
    return [by_key.get(index.lookup(kind, h)) for h in header]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["visitor", "reg_helpers", "registration"]), st.integers(0, 60), st.data())
def test_rows_wrong_in_a_cell_or_two_say_what_the_full_way_says(name: str, i: int, data: st.DataObject) -> None:
    """A row quiet but for a cell or two with findings of their own is answered from the
    findings kept for those cells' values (check_row's _alone): under one header, many rows
    share a wrong phone or source while the other cells differ (a clean row, a few cells
    changed to other good values: the time order and the card included); each says what the
    full way says."""
    header = HEADERS[name]
    row = _clean_row_for(header, i)
    cols = st.integers(0, len(header) - 1)
    for c in data.draw(st.lists(cols, max_size=4)):
        row[c] = data.draw(_good_or_bad(header[c], False))
    for c in data.draw(st.lists(cols, min_size=1, max_size=2)):
        row[c] = data.draw(_good_or_bad(header[c], True))
    assert grid.check_row(list(header), row, CONFIG, AS_OF) == full(header, row)
