"""The one place cell values are normalised.

Readers disagree (calamine: floats and ""; openpyxl: ints and datetimes;
xlwings: floats and None; array formulas: float serials). Everything below
accepts any of them, so nothing downstream cares which reader ran.

Each ``to_*`` function returns ``(value, problem)``: ``value`` is the clean
value or None, ``problem`` is None or the rule id the raw value breaks.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

Result = tuple[Any, str | None]

EXCEL_EPOCH = dt.date(1899, 12, 30)
# the first day a dealership's log can be about: earlier is a typo, or a small number Excel shows
# as a date (a date-formatted 5 is 1900-01-05, 60 Excel's phantom 1900-02-29)
FIRST_DAY = dt.date(1990, 1, 1)
_FIRST_SERIAL = (FIRST_DAY - EXCEL_EPOCH).days
ERROR_VALUES = frozenset(
    {"#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)

_YES = frozenset({"是", "y", "yes", "√", "✓", "✔", "1", "true", "有", "对", "已", "已建卡", "已试驾", "t", "ok"})
_NO = frozenset({"否", "n", "no", "×", "✗", "✘", "x", "0", "false", "无", "没有", "未", "f", "不"})


def is_error(raw: Any) -> bool:
    return isinstance(raw, str) and raw in ERROR_VALUES


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Full-width → half-width, trimmed; the form every comparison uses."""
    return unicodedata.normalize("NFKC", text).strip()


def clean(raw: Any) -> Any:
    """Blank strings → None, strings folded, whole floats → int; other types as they are."""
    if raw is None:
        return None
    if isinstance(raw, str):
        s = fold(raw)
        return s or None
    if isinstance(raw, float):
        if raw != raw:  # NaN from pandas
            return None
        return int(raw) if raw.is_integer() and abs(raw) < 2**53 else raw
    return raw


def to_text(raw: Any) -> Result:
    if raw.__class__ is str:  # the common cell, as clean() + str() would give it, without the cache
        return unicodedata.normalize("NFKC", raw).strip() or None, None
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, bool):
        return ("是" if v else "否"), None
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" "), None
    if isinstance(v, dt.date | dt.time):
        return v.isoformat(), None
    return str(v), None


def to_words(raw: Any) -> Result:
    """A person's own words (a field ``as_typed``): trimmed, blank → None, and not folded, so a
    report shows the customer's ，：（） as they were typed."""
    if raw.__class__ is str:
        return raw.strip() or None, None
    return to_text(raw)


# ---------------------------------------------------------------- dates

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:\s*\(?(?:星期|周)[一二三四五六日天]\)?)?(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?$")


def serial_to_date(x: float) -> dt.date | None:
    """An Excel serial to a date; serials before 1990 are not dates a dealership records."""
    if _FIRST_SERIAL <= x < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(x))
    return None


def to_date(raw: Any, year: int | None = None, ref: dt.date | None = None) -> Result:
    """Excel dates, serials, and text dates (2026-11-03, 2026/11/3, 2026.11.03,
    2026年11月3日, 20261103, and 11月3日 within ``year``, else the latest such day
    not after ``ref``: 12月5日 checked on 2027-01-03 is 2026-12-05)."""
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return (v, None) if v >= FIRST_DAY else (None, "format.date")
    if isinstance(v, bool):
        return None, "format.date"
    if isinstance(v, int | float):
        if isinstance(v, int) and 19000101 <= v <= 21001231:  # 20261103 typed as a number
            return _ymd(v // 10000, v // 100 % 100, v % 100)
        d = serial_to_date(v)
        return (d, None) if d is not None else (None, "format.date")
    if isinstance(v, str):
        if year is None and ref is not None:
            d, problem = _parse_date_text(v, ref.year)
            if d is not None and d > ref and _MONTH_DAY.match(v):
                return _parse_date_text(v, ref.year - 1)
            return d, problem
        return _parse_date_text(v, year)
    return None, "format.date"


def parse_day(text: str) -> dt.date | None:
    """A day typed by a person as the cells have it (2026-11-27, 2026/11/27, 2026年11月27日,
    2026.11.27, 20261127), with its year; None when it is not one (``--as-of``, the API)."""
    d, _ = _parse_date_text(fold(text), None)
    return d


@lru_cache(maxsize=8192)
def _parse_date_text(s: str, year: int | None) -> Result:
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            return _ymd(int(m[1]), int(m[2]), int(m[3]))
    m = _MONTH_DAY.match(s)
    if m and year:
        return _ymd(year, int(m[1]), int(m[2]))
    return None, "format.date"


def _ymd(y: int, m: int, d: int) -> Result:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        return None, "format.date"
    return (day, None) if day >= FIRST_DAY else (None, "format.date")


# ---------------------------------------------------------------- times

_TIME_TEXT = re.compile(
    r"^(上午|下午|早上|中午|晚上|am|pm)?\s*(\d{1,2})\s*(?:[:：.点时]\s*(\d{1,2})?\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?|点半)?\s*(am|pm)?$",
    re.IGNORECASE,
)


def to_time(raw: Any) -> Result:
    """Times: 9:30, 09:30:00, 9点30, 9点半, 下午3:30, fractions of a day, datetimes."""
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, dt.datetime):
        return v.time().replace(microsecond=0), None
    if isinstance(v, dt.time):
        return v.replace(microsecond=0), None
    if isinstance(v, bool) or isinstance(v, dt.date):
        return None, "format.time"
    if isinstance(v, int | float):
        if 0 <= v < 1:  # a fraction of a day, as Excel stores a time
            secs = min(round(v * 86400), 86399)
            return dt.time(secs // 3600, secs // 60 % 60, secs % 60), None
        if 1 <= v < 24:  # 9 or 9.3 typed into a number cell: hours(.minutes)
            h = int(v)
            mi = round((v - h) * 100)
            return (dt.time(h, mi), None) if mi < 60 else (None, "format.time")
        if v >= 18264 and isinstance(v, float):  # a datetime serial keeps its time of day
            return to_time(v % 1)
        return None, "format.time"
    if isinstance(v, str):
        return _parse_time_text(v)
    return None, "format.time"


_LEADING_DATE = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?(?:\s+|T)")


def is_datetime_text(s: str) -> bool:
    """A text date with a time of day after it (2026-11-20 10:30)."""
    s = fold(s)
    return _LEADING_DATE.match(s) is not None and _parse_time_text(s)[1] is None


@lru_cache(maxsize=8192)
def _parse_time_text(s: str) -> Result:
    d = _LEADING_DATE.match(s)
    if d:  # "2026-11-03 09:30": the time after the date
        return _parse_time_text(s[d.end():])
    s = re.sub(r"\s+", "", s)  # "下午 5:00", "2:30 PM"
    m = _TIME_TEXT.match(s)
    if not m:
        return None, "format.time"
    ampm = (m[1] or m[5] or "").lower()
    h = int(m[2])
    mi = 30 if s.endswith("点半") else int(m[3] or 0)
    se = int(m[4] or 0)
    if ampm in ("下午", "晚上", "pm") and h < 12:
        h += 12
    if ampm == "中午" and h < 6:
        h += 12
    if h > 23 or mi > 59 or se > 59:
        return None, "format.time"
    return dt.time(h, mi, se), None


# ---------------------------------------------------------------- phones

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SERVICE = re.compile(r"^[48]00\d{7}$")
_LANDLINE = re.compile(r"^0(?:[12]\d\d{8}|[3-9]\d{2}\d{7,8})$")
_PHONE_STRIP = re.compile(r"[\s\-()（）.+·—_/]")
_EXTENSION = re.compile(r"(?:转|ext\.?|x|分机|-)\s*(\d{1,6})$", re.IGNORECASE)


def to_phone(raw: Any) -> Result:
    """Phones to digits: mobile ``13812345678``, landline ``01012345678`` (``-ext``),
    ``4001234567``. Floats, spaces, dashes, +86/0086 and full-width digits are accepted."""
    # the common cells first, with the same result as the general path below: a mobile
    # typed as a number (calamine gives 13812345678.0) or as plain ASCII digits
    if raw.__class__ is float and 1e10 <= raw < 2e10 and raw.is_integer():
        s = str(int(raw))
        if _MOBILE.match(s):
            return s, None
    elif raw.__class__ is str and raw.isascii() and _MOBILE.fullmatch(raw):  # fullmatch: no "\n" at the end
        return raw, None
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, bool):
        return None, "format.phone"
    if isinstance(v, float):
        return None, "format.phone"
    if isinstance(v, int):
        s = str(v)
        # a landline typed into a number cell lost its leading 0 (1088886666 was 010-88886666)
        if not _MOBILE.match(s) and not _SERVICE.match(s) and 9 <= len(s) <= 11 and _landline("0" + s):
            return "0" + s, None
        v = s
    if not isinstance(v, str):
        return None, "format.phone"
    return _parse_phone(v)


# a phone cell that says there is none (无, /, 拒留, 客户未留电话): blank, not a malformed number; the
# registration rules read the refusals among these as 未留电话 (``refused_phone``)
_REFUSED = (r"(?:客户|顾客)?(?:拒留|未留|不留|没留|拒绝|拒绝提供|不愿留|不肯留|不给|未提供|不提供|未给)"
            r"(?:电话|号码|手机号?|联系方式)?")
_NO_PHONE = re.compile(rf"(?:[/\\\-—_~.。、]+|无|暂无|没有|不详|未知|{_REFUSED})$")
_REFUSED_CELL = re.compile(_REFUSED + "$")


def refused_phone(raw: str) -> bool:
    """Does a phone cell say the customer would not leave one (拒留, 未留, 客户不留电话)?"""
    return _REFUSED_CELL.match(fold(raw)) is not None


@lru_cache(maxsize=65536)
def _parse_phone(s: str) -> Result:
    if _MOBILE.match(s):  # the common case, no work
        return s, None
    m = _EXTENSION.search(s)
    if m:  # 0755-88888888-123, 010 12345678转8
        head = _drop_country(_PHONE_STRIP.sub("", s[: m.start()]))
        if head.isdigit() and (_SERVICE.match(head) or _landline(head)):
            return f"{head}-{m[1]}", None
    digits = _PHONE_STRIP.sub("", s)
    if not digits.isdigit():  # no number at all: a cell saying there is none is a blank
        return (None, None) if _NO_PHONE.match(s) else (None, "format.phone")
    digits = _drop_country(digits)
    if _MOBILE.match(digits) or _SERVICE.match(digits) or _landline(digits):
        return digits, None
    return None, "format.phone"


def _drop_country(d: str) -> str:
    for prefix in ("0086", "86"):
        if d.startswith(prefix) and len(d) - len(prefix) in (10, 11, 12):
            rest = d[len(prefix):]
            if _MOBILE.match(rest) or _SERVICE.match(rest):
                return rest
            if not rest.startswith("0") and _landline("0" + rest):
                return "0" + rest
    return d


@lru_cache(maxsize=65536)
def _landline(d: str) -> bool:
    """A valid Chinese fixed-line number (area code included): phonenumbers takes ~30 µs a
    number, and a folder of logs repeats its landlines, so each is asked once."""
    if not _LANDLINE.match(d):
        return False
    import phonenumbers  # only for the rare non-mobile numbers: area-code validity

    try:
        n = phonenumbers.parse(d, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(n)


def phone_key(v: str | None) -> str | None:
    """The matching key across workbooks: the number without its extension. A number without one
    is its own key, the very string (a sheet's cells are one object per distinct value: its
    keys then are too, and no new string is made per row)."""
    if not v:
        return None
    return v if "-" not in v else v.split("-", 1)[0]


def ro_key(v: str | None) -> str | None:
    """The matching key of a repair-order (RO) number: no spaces, upper case."""
    return "".join(v.split()).upper() or None if v else None


# ---------------------------------------------------------------- yes/no, enums, numbers

def to_bool(raw: Any) -> Result:
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, bool):
        return v, None
    if isinstance(v, int | float):
        if v in (0, 1):
            return bool(v), None
        return None, "enum"
    if isinstance(v, str):
        s = v.lower()
        if s in _YES:
            return True, None
        if s in _NO:
            return False, None
    return None, "enum"


# what a clerk writes in a signature cell that was NOT signed: no signature, like a blank cell
_UNSIGNED = frozenset({"否", "n", "no", "×", "✗", "✘", "x", "0", "false", "无", "没有", "未", "f", "不", "未签", "没签",
                       "未签字", "未签名", "没签字", "没有签字", "不签", "拒签", "待签", "未审核", "/", "-", "—"})


def to_sign(raw: Any) -> Result:
    """A signature cell: yes, or any name, is signed (True); 否, ×, 无, 未签 and the like are
    no signature (None, as a blank: a required signature is then ``required``)."""
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, str) and v.lower() in _UNSIGNED:
        return None, None
    if v is False or (isinstance(v, int | float) and not isinstance(v, bool) and v == 0):
        return None, None
    return True, None


def is_refusal(raw: Any) -> bool:
    """A signature cell that holds a word saying it was not signed (not a blank)."""
    v = clean(raw)
    return v is not None and to_sign(raw)[0] is None


# ---------------------------------------------------------------- values outside the table

_SPAN_SEP = re.compile(r"\s*(?:-|~|—|–|至|到)+\s*")
_DAYPART = re.compile(r"^(上午|下午|早上|中午|晚上)")


def split_span(raw: Any) -> tuple[Any, Any]:
    """One cell holding a range of times (在店时段 9:30-10:15, 9:30~10:15, 9点30-10点15,
    下午3:30-4:15) as its start and its end, each still raw; a single time is the start."""
    if raw is None or raw.__class__ is not str:
        return raw, None
    s = fold(raw)
    if not s:
        return None, None
    d = _LEADING_DATE.match(s)
    if d:  # "2026-11-18 9:30-10:15": the times after the date
        s = s[d.end():]
    parts = _SPAN_SEP.split(s, maxsplit=1)
    if len(parts) == 1:
        return s, None
    a, b = parts[0] or None, parts[1] or None
    m = _DAYPART.match(a or "")
    if m and b and not _DAYPART.match(b) and not re.search(r"am|pm", b, re.IGNORECASE):
        b = m[1] + b  # 下午3:30-4:15: the end is in the afternoon too
    return a, b


_DATE_IN_TEXT = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY_IN_TEXT = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_YEAR_MONTH_IN_TEXT = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月(?!\s*\d)")
_DAY_ONLY = re.compile(r"^(\d{1,2})\s*[日号]?$")  # sheets 1…31 of a month's workbook


def date_in_text(text: str) -> str | None:
    """The one day a title names (日期：2026年11月18日 星期三 → "2026年11月18日"); None when it
    names none, or a range (2026年11月1日—11月30日) or several days."""
    s = fold(text)
    full = _DATE_IN_TEXT.findall(s)
    short = _MONTH_DAY_IN_TEXT.findall(_DATE_IN_TEXT.sub(" ", s))
    if len(full) == 1 and not short:
        y, m, d = full[0]
        return f"{y}年{int(m)}月{int(d)}日"
    return None


def date_in_sheet_name(name: str, title_texts: list[str]) -> str | None:
    """The day a day-per-sheet form's sheet name says: 2026-11-18, 11月18日, 11.18, or 18日
    (the month from the title's 2026年11月); None otherwise."""
    s = fold(name)
    full = date_in_text(s)
    if full:
        return full
    if _MONTH_DAY.match(s):
        return s
    m = _DAY_ONLY.match(s)
    if m and 1 <= int(m[1]) <= 31:
        for t in title_texts:
            ym = _YEAR_MONTH_IN_TEXT.search(fold(t))
            if ym:
                return f"{ym[1]}年{int(ym[2])}月{int(m[1])}日"
    return None


def make_enum(allowed: list[str], synonyms: dict[str, str], upper: bool = False) -> Callable[[Any], Result]:
    """An enum normaliser: full-width folded, case-insensitive, synonyms mapped."""
    table: dict[str, str] = {}
    for a in allowed:
        table[fold(a).lower()] = a
    for k, target in synonyms.items():
        table[fold(k).lower()] = target
    check = bool(allowed)

    def to_enum(raw: Any) -> Result:
        v = clean(raw)
        if v is None:
            return None, None
        s = (str(v) if not isinstance(v, str) else v).lower()
        hit = table.get(s)
        if hit is not None:
            return hit, None
        if not check:
            return (str(v).upper() if upper else str(v)), None
        return None, "enum"

    return to_enum


def to_int(raw: Any, lo: float | None = None, hi: float | None = None) -> Result:
    v, problem = to_number(raw, lo, hi)
    if problem or v is None:
        return v, problem
    if isinstance(v, float) and not v.is_integer():
        return None, "format.number"
    return int(v), None


_NUM_TEXT = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
_NUM_UNITS = re.compile(r"(?:岁|人|位|公里|km|千米)$", re.IGNORECASE)


def to_number(raw: Any, lo: float | None = None, hi: float | None = None) -> Result:
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, bool):
        return None, "format.number"
    if isinstance(v, str):
        s = _NUM_UNITS.sub("", v.replace(",", "")).strip()
        if not _NUM_TEXT.match(s):
            return None, "format.number"
        f = float(s)
        v = int(f) if f.is_integer() else f
    if not isinstance(v, int | float):
        return None, "format.number"
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return None, "format.number"
    return v, None


# ---------------------------------------------------------------- ID numbers, plates

def to_id(raw: Any) -> Result:
    """A GB 11643 citizen ID (= driving-licence number): 18 characters, a real birth date,
    the ISO 7064 MOD 11-2 check digit (``stdnum.cn.ric``); a lower-case x is accepted."""
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, float):
        return None, "format.id"  # 18 digits typed as a number lose their last digits
    s = str(v).replace(" ", "").upper()
    return _parse_id(s)


@lru_cache(maxsize=65536)
def _parse_id(s: str) -> Result:
    # stdnum's own validate() also looks the birth place up in a table that lacks real
    # districts (440106 广州天河区), so only its checksum and birth-date checks are used.
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    if len(s) != 18 or not s[:17].isdigit():
        return None, "format.id"
    try:
        if ric.calc_check_digit(s) != s[17]:
            return None, "format.id"
        ric.get_birth_date(s)
    except (ValidationError, ValueError):
        return None, "format.id"
    return s, None


def id_birth_date(id_no: str) -> dt.date | None:
    try:
        return dt.date(int(id_no[6:10]), int(id_no[10:12]), int(id_no[12:14]))
    except (ValueError, TypeError, IndexError):
        return None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"^[{_PROVINCES}][A-HJ-Z](?:[A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳]"
    r"|[DABCEFGHJK][A-HJ-NP-Z0-9]\d{4}|\d{5}[DABCEFGHJK])$"
)


def to_plate(raw: Any) -> Result:
    """CN plates: ordinary 7 characters, new-energy 8 (small: 川AD12345; large: 川A12345D).

    The serial of an ordinary plate (GA 36) holds at most two letters: 粤B8K2L6 is a plate,
    粤EPGDFS (all letters) is not."""
    v = clean(raw)
    if v is None:
        return None, None
    s = re.sub(r"[\s·.\-]", "", str(v)).upper()
    if not _PLATE.match(s) or (len(s) == 7 and sum(c.isascii() and c.isalpha() for c in s[2:]) > 2):
        return None, "format.plate"
    return s, None


_VIN_STRIP = re.compile(r"[\s\-_.·]")


def to_vin(raw: Any) -> Result:
    """A VIN (车架号): 17 characters, no I, O or Q, and the check digit in position 9 (ISO 3779,
    mandatory in China by GB 16735), checked by ``vininfo``. Lower case and spaces are accepted
    (lsvam 4187c2184847 is LSVAM4187C2184847)."""
    v = clean(raw)
    if v is None:
        return None, None
    if not isinstance(v, str):
        return None, "format.vin"  # 17 characters with letters are never a number
    return _parse_vin(_VIN_STRIP.sub("", v).upper())


@lru_cache(maxsize=65536)
def _parse_vin(s: str) -> Result:
    from vininfo import Vin
    from vininfo.exceptions import ValidationError

    try:
        ok = Vin(s).verify_checksum(check_year=False)
    except (ValidationError, ValueError, KeyError, IndexError):
        return None, "format.vin"
    return (s, None) if ok else (None, "format.vin")


def vin_check_digit(vin17: str) -> str | None:
    """The check digit position 9 of ``vin17`` must have (None when no digit makes it valid):
    for the samples, found by asking ``vininfo`` rather than keeping a second table."""
    for ch in "0123456789X":
        cand = vin17[:8] + ch + vin17[9:]
        if _parse_vin(cand)[1] is None:
            return ch
    return None


def to_moment(raw: Any) -> Result:
    """A time of day (10:30, 下午3:30, a fraction of a day), or a date and a time
    (2026-11-20 10:30, an Excel datetime): a ``time``, or a ``datetime`` when the day is given."""
    v = clean(raw)
    if v is None:
        return None, None
    if isinstance(v, dt.datetime):
        if v.year < 1950:  # a time cell as Excel hands it (1899-12-30 10:40): no day in it
            return v.time().replace(microsecond=0), None
        return v.replace(microsecond=0), None
    if isinstance(v, float) and v >= 18264:  # a datetime serial
        d = serial_to_date(v)
        t, _ = to_time(v % 1)
        return (dt.datetime.combine(d, t), None) if d is not None and t is not None else (None, "format.time")
    if isinstance(v, str) and is_datetime_text(v):
        d, _ = to_date(v)
        t, _ = to_time(v)
        if d is not None and t is not None:
            return dt.datetime.combine(d, t), None
    if isinstance(v, dt.date):
        return None, "format.time"  # a day alone says nothing of the hour
    return to_time(v)


def time_in_date(raw: Any) -> dt.time | None:
    """The time of day a date cell carries (2026-11-20 14:30 typed, an Excel datetime, a serial
    with a fraction), else None. Midnight is None: it is a date typed as a datetime, not a
    moment, and a 0:00 delivery would make every call that day look hours late."""
    v = clean(raw)
    if isinstance(v, dt.datetime):
        t = v.time().replace(microsecond=0) if v.year >= 1950 else None  # before 1950: a time cell
    elif isinstance(v, float) and v >= 18264:
        t = to_time(v % 1)[0]
    elif isinstance(v, str) and is_datetime_text(v):
        t = to_time(v)[0]
    else:
        return None
    return t if t is not None and t != dt.time(0) else None


def mask_phone(v: str | None) -> str | None:
    """138****5678: what a manager report shows instead of the number."""
    if not v:
        return v
    d = str(v)
    return d[:3] + "****" + d[-4:] if len(d) >= 8 else "****"


def mask_id(v: str | None) -> str | None:
    if not v:
        return v
    s = str(v)
    return s[:6] + "*" * (len(s) - 10) + s[-4:] if len(s) > 10 else "*" * len(s)


# what a person types in full width (１３９, ＩＤ, －, the ideographic space) as the ASCII it means, one
# character for one, so a match in the folded form is the same span of the text as typed
_HALF = {**{0xFF01 + i: 0x21 + i for i in range(94)}, 0x3000: 0x20}
_BIRTH = r"(?:19|20)\d\d(?P=s)?(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
# an ID number (18 characters, or the old 15 digits) or a phone inside free text: 客户意见, 处理结果,
# a name a clerk typed the customer's ID into. A bare run of 15 or 18 digits is one; one written
# in groups (110101 19900307 1234, 110101-1990-0307-123X) or glued to a label (ID110101…) must
# also have an ID's shape (a birth date in 19xx/20xx), so an RO number is not taken for one.
# Nothing inside a longer run of digits or letters (a VIN) is hidden.
_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])"
    rf"|(?<!\d)[1-9]\d{{5}}(?P<s>[ -]?){_BIRTH}(?P=s)?\d{{3}}[\dXx](?![0-9A-Za-z])"
    # the old 15 digits, area YYMMDD and three (110101 900307 123), in groups or after a label
    r"|(?<!\d)[1-9]\d{5}(?P<t>[ -]?)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?P=t)\d{3}(?![0-9A-Za-z])",
    re.ASCII,
)
# a phone may be glued to a latin label (Tel13900000002), never to any other letters: an RO
# number or a VIN ends in digits too
_PHONE_LABEL = r"(?:(?<![0-9A-Za-z])|(?<=tel)|(?<=phone)|(?<=mobile)|(?<=mob)|(?<=cell))"
_MOBILE_IN_TEXT = re.compile(
    _PHONE_LABEL + r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?![0-9A-Za-z])", re.ASCII | re.IGNORECASE)
# a landline with its area code apart ((028)8765-4321, 0755 1234 5678), or all its digits in one run
# (02812345678): a run is taken only when its area code and length make a valid number, so an
# order number that starts with 0 is left alone unless it is one
_LANDLINE_IN_TEXT = re.compile(
    _PHONE_LABEL + r"(?:\(0\d{2,3}\)\s?|0\d{2,3}[\s-])\d{3,4}[\s-]?\d{4}(?![0-9A-Za-z])"
    r"|" + _PHONE_LABEL + r"(?P<run>0\d{9,11})(?![0-9A-Za-z])",
    re.ASCII | re.IGNORECASE,
)


def mask_text(s: str, phones: bool = True) -> str:
    """Free text with every ID number masked, and every phone unless ``phones`` is False (a
    call list): what a manager report shows of a clerk's or customer's words. Only the numbers
    change: the rest stays as typed, full-width punctuation too."""
    if not any(map(str.isdigit, s)):  # most texts hold no digit at all (in C: a manager report masks every cell)
        return s
    t = s.translate(_HALF)
    hits = [(m.start(), m.end(), mask_id(_plain(m[0]).upper()) or "") for m in _ID_IN_TEXT.finditer(t)]
    if phones:
        for pat, last in ((_MOBILE_IN_TEXT, 11), (_LANDLINE_IN_TEXT, None)):  # a mobile without its +86
            for m in pat.finditer(t):
                if pat is _LANDLINE_IN_TEXT and m["run"] and not _landline(m["run"]):
                    continue
                if not any(a < m.end() and m.start() < b for a, b, _ in hits):  # an ID's digits are the ID's
                    hits.append((m.start(), m.end(), mask_phone(_plain(m[0])[-last if last else 0:]) or ""))
    if not hits:
        return s
    out, at = [], 0
    for a, b, masked in sorted(hits):
        out += (s[at:a], masked)
        at = b
    out.append(s[at:])
    return "".join(out)


def _plain(number: str) -> str:
    return re.sub(r"[^0-9Xx]", "", number)
