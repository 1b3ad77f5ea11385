"""Worksheet functions for clerks: thin wrappers over the engine, named ``DEALER_*``.

"Import Functions" in the xlwings add-in turns each into a VBA function of the same
name. Every function takes what Excel gives (floats for numbers, None for blanks,
datetimes for date cells, float serials from array formulas, lists of rows for
ranges) and returns something a cell can show: never NaN, never an exception — a
``错误：…`` text the clerk can read instead.

Functions that depend on "today" take an optional date; pass ``TODAY()`` so Excel
recalculates them every day without making them volatile.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import xlwings as xw

from udfs.cells import (
    CellError,
    as_date,
    day_or_today,
    error_text,
    excel_date,
    excel_safe,
    flat,
    grid,
    map_cells,
)
from xl_dealer.excel.grid import check_row, header_of
from xl_dealer.model.config import Config, load_config
from xl_dealer.read.table import SkippedSheet
from xl_dealer.read.values import (
    age_on,
    clean,
    id_birth_date,
    make_enum,
    mask_id,
    mask_phone,
    to_id,
    to_phone,
    to_vin,
)
from xl_dealer.rules import cadence

CATEGORY = "xl_dealer 4S店"
RESULT_HEADER = ["单元格", "列", "规则", "级别", "说明"]


@lru_cache(maxsize=1)
def config() -> Config:
    """dealer.toml from $XL_DEALER_CONFIG or the current folder; the defaults otherwise."""
    return load_config()


def _level(v: Any) -> str:
    level, problem = make_enum(list(config().levels), config().synonyms.get("level", {}), upper=True)(v)
    if problem or level is None:
        raise CellError(f"意向级别「{v if v is not None else ''}」不在 {'/'.join(config().levels)} 中")
    return level


def _new_car(service_type: Any) -> bool:
    norm = make_enum(config().enums.get("service_type", []), config().synonyms.get("service_type", {}))
    return norm(service_type)[0] == cadence.NEW_CAR


# ---------------------------------------------------------------- phones, IDs, masking


@xw.func(category=CATEGORY)
@xw.arg("phone", ndim=2, doc="电话单元格或一列电话")
@excel_safe
def DEALER_PHONE_OK(phone: Any) -> Any:
    """电话是否有效（手机或固话）：TRUE/FALSE，空白返回空。可传一整列。"""

    def one(v: Any) -> Any:
        if clean(v) is None:
            return None
        return to_phone(v)[1] is None

    return map_cells(one, phone)


@xw.func(category=CATEGORY)
@xw.arg("phone", ndim=2, doc="电话单元格或一列电话")
@excel_safe
def DEALER_PHONE(phone: Any) -> Any:
    """规范化电话：去掉空格、横线、+86，数字存成文本（13812345678）；无效时返回错误说明。"""

    def one(v: Any) -> Any:
        p, problem = to_phone(v)
        return f"错误：「{v}」不是有效电话" if problem else p

    return map_cells(one, phone)


@xw.func(category=CATEGORY)
@xw.arg("id_no", ndim=2, doc="身份证号/驾驶证号单元格或一列")
@excel_safe
def DEALER_ID_OK(id_no: Any) -> Any:
    """18位身份证号（驾驶证号）是否有效：位数、出生日期、校验位。空白返回空。"""

    def one(v: Any) -> Any:
        if clean(v) is None:
            return None
        return to_id(v)[1] is None

    return map_cells(one, id_no)


@xw.func(category=CATEGORY)
@xw.arg("vin", ndim=2, doc="车架号单元格或一列车架号")
@excel_safe
def DEALER_VIN_OK(vin: Any) -> Any:
    """车架号（VIN）是否有效：17位、不含 I/O/Q、第9位校验位正确；小写和空格也认。空白返回空。可传一整列。"""

    def one(v: Any) -> Any:
        if clean(v) is None:
            return None
        return to_vin(v)[1] is None

    return map_cells(one, vin)


@xw.func(category=CATEGORY)
@xw.arg("id_no", doc="身份证号/驾驶证号")
@xw.arg("on_date", doc="计算年龄的日期，空白为今天")
@excel_safe
def DEALER_ID_AGE(id_no: Any, on_date: Any = None) -> Any:
    """按身份证号计算年龄（周岁），默认为今天的年龄。"""
    if clean(id_no) is None:
        return None
    v, problem = to_id(id_no)
    if problem:
        raise CellError(f"「{id_no}」不是有效的18位身份证号")
    birth = id_birth_date(v)
    if birth is None:
        raise CellError("身份证号中的出生日期无效")
    return age_on(birth, day_or_today(on_date, "日期"))


@xw.func(category=CATEGORY)
@xw.arg("value", ndim=2, doc="电话或身份证号，可传一整列")
@excel_safe
def DEALER_MASK(value: Any) -> Any:
    """遮蔽电话（138****5678）或身份证号（440106********1234），给经理看的表用。"""

    def one(v: Any) -> Any:
        c = clean(v)
        if c is None:
            return None
        ident, bad_id = to_id(c)
        if not bad_id:
            return mask_id(ident)
        phone, bad_phone = to_phone(c)
        if not bad_phone:
            return mask_phone(phone)
        s = str(c).replace(" ", "")
        return mask_id(s) if len(s) >= 15 else mask_phone(s)

    return map_cells(one, value)


# ---------------------------------------------------------------- follow-ups and callbacks


@xw.func(category=CATEGORY)
@xw.arg("level", doc="意向级别 O/H/A/B/C/N…")
@xw.arg("last_contact", doc="最近跟进日期（或建卡日期）")
@xw.arg("planned", doc="下次跟进日期（可选）")
@excel_safe
def DEALER_NEXT_FOLLOWUP(level: Any, last_contact: Any, planned: Any = None) -> Any:
    """最迟下次跟进日期：按级别的跟进周期（如 H 级 2 天）从最近跟进日期算起；已关闭级别返回说明。"""
    lv = _level(level)
    last = as_date(last_contact, "最近跟进日期")
    if last is None:
        raise CellError("请填写最近跟进日期")
    due = cadence.next_followup(lv, last, config(), as_date(planned, "下次跟进日期"))
    return excel_date(due) if due else "已关闭，无需跟进"


@xw.func(category=CATEGORY)
@xw.arg("level", doc="意向级别")
@xw.arg("last_contact", doc="最近跟进日期")
@xw.arg("planned", doc="下次跟进日期（可选）")
@xw.arg("as_of", doc="检查日，空白为今天；建议填 TODAY()")
@excel_safe
def DEALER_FOLLOWUP_STATUS(level: Any, last_contact: Any, planned: Any = None, as_of: Any = None) -> Any:
    """跟进状态：正常 / 今日到期 / 逾期N天 / 已关闭。"""
    lv = _level(level)
    last = as_date(last_contact, "最近跟进日期")
    if last is None:
        raise CellError("请填写最近跟进日期")
    st = cadence.followup_status(lv, last, config(), day_or_today(as_of, "检查日"),
                                 as_date(planned, "下次跟进日期"))
    return st.text()


@xw.func(category=CATEGORY)
@xw.arg("delivered", doc="交车日期")
@xw.arg("service_type", doc="维修类型（新车交付为7天）")
@excel_safe
def DEALER_CALLBACK_DUE(delivered: Any, service_type: Any = None) -> Any:
    """售后回访最迟日期：交车后3天（新车交付7天）。"""
    d = as_date(delivered, "交车日期")
    if d is None:
        return None
    return excel_date(cadence.callback_due(d, _new_car(service_type), config()))


@xw.func(category=CATEGORY)
@xw.arg("delivered", doc="交车日期")
@xw.arg("called", doc="回访日期；空白表示还没回访")
@xw.arg("service_type", doc="维修类型")
@xw.arg("as_of", doc="检查日，空白为今天；建议填 TODAY()")
@excel_safe
def DEALER_CALLBACK_LATE(delivered: Any, called: Any, service_type: Any = None, as_of: Any = None) -> Any:
    """回访是否超期：TRUE/FALSE。还没回访时，按检查日判断是否已经超期。"""
    d = as_date(delivered, "交车日期")
    if d is None:
        return None
    c = as_date(called, "回访日期")
    new_car = _new_car(service_type)
    if c is None:
        return day_or_today(as_of, "检查日") > cadence.callback_due(d, new_car, config())
    return cadence.callback_late(d, c, new_car, config())


# ---------------------------------------------------------------- satisfaction


@xw.func(category=CATEGORY)
@xw.arg("scores", ndim=2, doc="评分区域：1~5分、1~10分或 满意/不满意 等文字")
@excel_safe
def DEALER_SATISFACTION(scores: Any) -> Any:
    """满意率 = 满意及以上的回答数 ÷ 有效回答数（空白不计），设置单元格为百分比格式。"""
    from xl_dealer.rules.scores import is_ten_point, rate_of, score_normaliser

    cells = flat(scores)
    to_score = score_normaliser(config(), is_ten_point(cells, config()))
    values = []
    for v in cells:
        s, problem = to_score(v)
        if problem:
            raise CellError(f"「{v}」不是评分")
        values.append(s)
    rate = rate_of(values, config()).rate
    return "" if rate is None else rate


# ---------------------------------------------------------------- row and range checks


def _one_row(v: Any) -> list[Any]:
    """``flat`` for the shape Excel gives a one-row range (``[[…]]``) without its general walk
    or a copy (nothing changes the row): DEALER_CHECK_ROW is called once per row of a sheet."""
    if v.__class__ is list and len(v) == 1 and v[0].__class__ is list:
        return v[0]
    return flat(v)


def _header(v: Any, cfg: Config) -> list[Any] | None:
    """The header DEALER_CHECK_ROW is given: one row as ``_one_row``; a range of two rows or
    more (a header on two rows, a title above it) as the full way reads it (``header_of``)."""
    if v.__class__ is list and len(v) == 1 and v[0].__class__ is list:
        return v[0]
    rows = grid(v)
    return header_of(rows, cfg) if len(rows) > 1 else flat(v)


_DAYS: dict[tuple[type, Any], Any] = {}


def _as_of(v: Any) -> Any:
    """``day_or_today(v, "检查日")``, kept per value given (``TODAY()`` is the same cell all
    day); a blank is today, asked every time, and a value that is no day is told every time."""
    try:
        key = (v.__class__, v)
        day = _DAYS.get(key)
    except TypeError:  # unhashable: as day_or_today says
        return day_or_today(v, "检查日")
    if day is None:
        day = as_date(v, "检查日")
        if day is None:
            return dt.date.today()
        if len(_DAYS) > 64:
            _DAYS.clear()
        _DAYS[key] = day
    return day


@xw.func(category=CATEGORY)
@xw.arg("header", ndim=2, doc="表头行（例如 $A$1:$T$1）；两行的表头选两行（例如 $A$2:$T$3）")
@xw.arg("row", ndim=2, doc="要检查的一行（例如 A2:T2）")
@xw.arg("as_of", doc="检查日，空白为今天")
def DEALER_CHECK_ROW(header: Any, row: Any, as_of: Any = None) -> Any:
    """检查一行：返回这一行的问题说明（多条用；分隔），没有问题返回空。"""
    try:  # excel_safe's work, inline: Excel calls this once per row
        cfg = config()
        head = _header(header, cfg)
        findings = None if head is None else check_row(head, _one_row(row), cfg, _as_of(as_of))
        if findings is None:
            raise CellError("表头无法识别：请选中包含列名的表头行（两行的表头选中两行）")
        return "；".join([f.message for f in findings]) if findings else ""
    except Exception as e:  # noqa: BLE001 - the cell shows the reason instead of #VALUE!
        return error_text(e)


@xw.func(category=CATEGORY)
@xw.arg("data", xw.Range, doc="整张表的区域，含表头（例如 A1:T500）")
@xw.arg("as_of", doc="检查日，空白为今天")
@excel_safe
def DEALER_VALIDATE(data: Any, as_of: Any = None) -> Any:
    """检查整个区域（含表头），溢出一张问题表：单元格、列、规则、级别、说明。"""
    from xl_dealer.excel.grid import SEVERITY_ZH, check_rows, pad

    if hasattr(data, "options") and hasattr(data, "row"):  # a Range: real cell addresses
        rows = pad(data.options(ndim=2, err_to_str=True).value, data.row, data.column)
        sheet = data.sheet.name
    elif data is None:
        raise CellError("请选择一个单元格区域（含表头）")
    else:  # an array (formula result): addresses count from its first cell as A1
        rows = grid(data)
        sheet = ""
    t, findings = check_rows(rows, config(), day_or_today(as_of, "检查日"), sheet=sheet)
    if isinstance(t, SkippedSheet):
        raise CellError("表头无法识别：区域中找不到已知表的表头行")
    out: list[list[Any]] = [list(RESULT_HEADER)]
    for f in findings:
        out.append([f.cell or f.subject or "", f.column or "", f.rule, SEVERITY_ZH.get(f.severity, f.severity),
                    f.message])
    if len(out) == 1:
        out.append(["", "", "", "", "没有发现问题"])
    return out
