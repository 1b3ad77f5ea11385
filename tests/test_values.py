import datetime as dt

import pytest

from xl_dealer.read import values as V


@pytest.mark.parametrize("raw", [
    dt.date(2026, 11, 3), dt.datetime(2026, 11, 3, 9, 30), 46329.0, 46329, "2026-11-03", "2026/11/3",
    "2026.11.03", "2026年11月3日", "2026年11月3号", "20261103", 20261103, "２０２６-１１-０３", " 2026-11-03 ",
    "2026-11-03 09:30:00",
])
def test_dates_in_every_form(raw):
    assert V.to_date(raw) == (dt.date(2026, 11, 3), None)


def test_month_day_uses_the_sheet_year():
    assert V.to_date("11月3日", year=2026) == (dt.date(2026, 11, 3), None)
    assert V.to_date("11月3日") == (None, "format.date")


@pytest.mark.parametrize("raw", ["2026-13-05", "昨天", "11/31", 3, True, "2026-02-30"])
def test_bad_dates(raw):
    assert V.to_date(raw) == (None, "format.date")


@pytest.mark.parametrize("raw,expected", [
    (dt.time(9, 30), dt.time(9, 30)), ("9:30", dt.time(9, 30)), ("09:30:00", dt.time(9, 30)),
    ("9点30", dt.time(9, 30)), ("9点半", dt.time(9, 30)), ("9点", dt.time(9)), ("下午3:30", dt.time(15, 30)),
    (0.3958333333, dt.time(9, 30)), (9.3, dt.time(9, 30)), (14, dt.time(14)), ("９：３０", dt.time(9, 30)),
    (dt.datetime(2026, 11, 3, 14, 5), dt.time(14, 5)), ("2026-11-03 14:05", dt.time(14, 5)), (46329.5, dt.time(12)),
])
def test_times_in_every_form(raw, expected):
    assert V.to_time(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["25:70", "上午", "9点70", "abc", 30])
def test_bad_times(raw):
    assert V.to_time(raw) == (None, "format.time")


@pytest.mark.parametrize("raw,expected", [
    (13812345678.0, "13812345678"), (13812345678, "13812345678"), ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("008613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"), ("010-62345678", "01062345678"), ("0755-8888 8888", "075588888888"),
    ("020-87654321-123", "02087654321-123"), ("010 62345678转8", "01062345678-8"), ("400-810-8888", "4008108888"),
    ("8008108888", "8008108888"),
])
def test_phones(raw, expected):
    assert V.to_phone(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["1381234567", "12812345678", "138123456789", "abc", "12345", 1381234567.0, True,
                                 "0000-1234567"])
def test_bad_phones(raw):
    assert V.to_phone(raw) == (None, "format.phone")


@pytest.mark.parametrize("raw,expected", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("√", True), ("×", False), ("✓", True), (1, True),
    (0.0, False), ("TRUE", True), (False, False), ("有", True), ("无", False),
])
def test_yes_no(raw, expected):
    assert V.to_bool(raw) == (expected, None)


def test_yes_no_unknown_word_is_enum():
    assert V.to_bool("也许") == (None, "enum")
    assert V.to_bool(None) == (None, None)


def test_enum_case_fullwidth_synonyms():
    to_level = V.make_enum(["O", "H", "A"], {}, upper=True)
    assert to_level("a") == ("A", None)
    assert to_level("Ａ") == ("A", None)
    assert to_level("X") == (None, "enum")
    to_type = V.make_enum(["来店", "来电"], {"展厅": "来店"})
    assert to_type("展厅") == ("来店", None)
    free = V.make_enum([], {})
    assert free("任意") == ("任意", None)


def test_ids():
    assert V.to_id("11010519491231002x") == ("11010519491231002X", None)
    assert V.to_id("440524188001010014") == ("440524188001010014", None)
    assert V.to_id("440106197202281371") == ("440106197202281371", None)  # a district stdnum's table lacks
    assert V.to_id("360426199101010072") == (None, "format.id")  # check digit
    assert V.to_id("11010519491331002X")[1] == "format.id"  # month 13
    assert V.to_id("1101051949123100") == (None, "format.id")  # length
    assert V.to_id(1.1010519491231e17) == (None, "format.id")  # typed as a number: digits lost


def test_ints_and_numbers():
    assert V.to_int(3.0) == (3, None)
    assert V.to_int("35岁", 18, 80) == (35, None)
    assert V.to_int(2.5) == (None, "format.number")
    assert V.to_int(17, 18, 80) == (None, "format.number")
    assert V.to_number("1,200") == (1200, None)
    assert V.to_number("abc") == (None, "format.number")


@pytest.mark.parametrize("raw,ok", [("粤B12345", True), ("川A12345D", True), ("川AF12345", True),
                                    ("粤b·12345", True), ("川AD123456", False), ("川A123456", False), ("XB12345", False),
                                    # GA 36: at most two letters in an ordinary plate's serial
                                    ("粤B8K2L6", True), ("粤BK2L60", True), ("粤E1234学", True),
                                    ("粤EPGDFS", False), ("粤B8KLM6", False), ("粤BAB12挂", True), ("粤BABC2挂", False)])
def test_plates(raw, ok):
    assert (V.to_plate(raw)[1] is None) is ok


def test_masks():
    assert V.mask_phone("13812345678") == "138****5678"
    assert V.mask_id("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize("text,shown", [
    # ID numbers in groups, or glued to a label: masked like a bare one
    ("110101 19900307 1234", "110101********1234"),
    ("110101-1990-0307-123X", "110101********123X"),
    ("身份证 110101 199003071234 已核对", "身份证 110101********1234 已核对"),
    ("ID110101199003071234", "ID110101********1234"),
    ("身份证:110101199003071234", "身份证:110101********1234"),
    ("ＩＤ１１０１０１１９９００３０７１２３４", "ＩＤ110101********1234"),
    ("11010519491231002X", "110105********002X"),
    # phones glued to a latin label, in groups, in full width
    ("Tel13900000002", "Tel139****0002"),
    ("TEL:139-0000-0002", "TEL:139****0002"),
    ("mobile+86 139 0000 0002", "mobile139****0002"),
    ("手机139 0000 0002", "手机139****0002"),
    ("手机１３９００００ ０００２，谢谢（急）", "手机139****0002，谢谢（急）"),
    ("Tel:0755-12345678", "Tel:075****5678"),
    # landlines: the digits in one run, the area code in brackets, the number in two groups
    ("电话02812345678，请回电", "电话028****5678，请回电"),
    ("座机（028）8765-4321", "座机028****4321"),
    ("座机(0755)12345678转8", "座机075****5678转8"),
    ("028 1234 5678", "028****5678"),
    # the old 15-digit ID in groups or after a label
    ("身份证110101 900307 123", "身份证110101*****7123"),
    ("110101-900307-123", "110101*****7123"),
    ("ID110101900307123", "ID110101*****7123"),
    # not an ID or a phone: a day, an order or RO number, a VIN, digits inside a longer code
    ("20261203", "20261203"),
    ("2026-12-03 到店", "2026-12-03 到店"),
    ("订单1234567890", "订单1234567890"),
    ("LSVAU2180N2123456", "LSVAU2180N2123456"),
    ("LSVAU2180N2123456 13900000002", "LSVAU2180N2123456 139****0002"),
    ("RO19112200023", "RO19112200023"),
    ("KS2611-001，RO2611220023", "KS2611-001，RO2611220023"),
    ("X1101011990030712345", "X1101011990030712345"),  # 19 digits: no ID
    ("单号 20261203 1234", "单号 20261203 1234"),
    ("2026-11-03 2026-11-30", "2026-11-03 2026-11-30"),
    ("单号 01234567890", "单号 01234567890"),  # a run that starts with 0 but has no area code 012
    ("数量 0123456789", "数量 0123456789"),
    ("RO02812345678", "RO02812345678"),
    ("单号 110101 991399 123", "单号 110101 991399 123"),  # month 13: no ID's shape
])
def test_mask_text(text, shown):
    assert V.mask_text(text) == shown


def test_a_persons_words_are_kept_as_typed():
    """NFKC turned a customer's ，：（） into ,:() in the reports; their own words are only trimmed."""
    words = " 客户说：价格（优惠）不够，再考虑。 "
    assert V.to_words(words) == ("客户说：价格（优惠）不够，再考虑。", None)
    assert V.to_text(words) == ("客户说:价格(优惠)不够,再考虑。", None)  # names, RO numbers: folded to match
    assert V.to_words("\u3000 ") == (None, None) and V.to_words(3.0) == ("3", None)


def test_only_free_text_fields_are_kept_as_typed():
    from xl_dealer.model.kinds import KINDS

    typed = {f.key for k in KINDS.values() for f in k.fields if f.as_typed}
    assert {"remark", "comment", "issue", "result", "lost_reason", "content", "churn_result"} <= typed
    assert not typed & {"customer", "consultant", "advisor", "ro_no", "case_no", "caller", "model", "owner"}


def test_mask_text_keeps_phones_on_a_call_list_and_ids_never():
    assert V.mask_text("Tel13900000002，ID110101199003071234", phones=False) == "Tel13900000002，ID110101********1234"


def test_clean_blanks():
    assert V.clean("  ") is None
    assert V.clean(float("nan")) is None
    assert V.clean(3.0) == 3 and isinstance(V.clean(3.0), int)


def test_landline_typed_as_a_number_gets_its_zero_back():
    assert V.to_phone(1088886666) == ("01088886666", None)
    assert V.to_phone(2087654321.0) == ("02087654321", None)
    assert V.to_phone(1234567) == (None, "format.phone")


@pytest.mark.parametrize("raw,expected", [("下午 5:00", dt.time(17)), ("晚上 8点", dt.time(20)),
                                          ("下午 3点半", dt.time(15, 30)), ("2:30 PM", dt.time(14, 30)),
                                          ("2026/11/3 14:05", dt.time(14, 5))])
def test_times_with_spaces_inside(raw, expected):
    assert V.to_time(raw) == (expected, None)


def test_month_day_without_a_year_is_the_latest_such_day_by_the_as_of_date():
    ref = dt.date(2027, 1, 3)
    assert V.to_date("12月5日", ref=ref) == (dt.date(2026, 12, 5), None)
    assert V.to_date("1月2日", ref=ref) == (dt.date(2027, 1, 2), None)
    assert V.to_date("12月5日", year=2027, ref=ref) == (dt.date(2027, 12, 5), None)  # the title's year wins


@pytest.mark.parametrize("raw, want", [
    ("2026-11-20 14:30", dt.time(14, 30)), ("2026/11/20 下午2:30", dt.time(14, 30)),
    (dt.datetime(2026, 11, 20, 14, 30, 0, 500), dt.time(14, 30)), (46346.6041666667, dt.time(14, 30)),
    (dt.datetime(2026, 11, 20), None), ("2026-11-20 00:00", None), (46346.0, None), (dt.date(2026, 11, 20), None),
    ("2026-11-20", None), (dt.time(14, 30), None), ("14:30", None), (dt.datetime(1899, 12, 30, 14, 30), None),
    (None, None), ("", None),
])
def test_the_time_of_day_a_date_cell_carries(raw, want):
    """Midnight is a date typed as a datetime, not a time; a time alone is no date cell's."""
    assert V.time_in_date(raw) == want
