"""Per-cell checks from the declarations: required, formats, enums, formula errors, future dates.

Column-wise: one pass per column with a memo, since real columns repeat their
values (dates, consultants, sources) and most cells are seen many times.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from functools import partial
from itertools import compress, repeat
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.schema import Field, FieldType, Kind
from xl_dealer.model.vocabulary import LEVEL_FORMS
from xl_dealer.read.table import Filled, Table
from xl_dealer.read.values import (
    Result,
    fold,
    is_error,
    is_refusal,
    make_enum,
    refused_phone,
    time_in_date,
    to_bool,
    to_date,
    to_id,
    to_int,
    to_moment,
    to_number,
    to_phone,
    to_plate,
    to_sign,
    to_text,
    to_time,
    to_vin,
    to_words,
)
from xl_dealer.rules.base import Checked, Emitter

Normaliser = Callable[[Any], Result]
_mobile = re.compile(r"1[3-9]\d{9}").fullmatch  # values._MOBILE, whole string (no trailing newline)
_first, _second = operator.itemgetter(0), operator.itemgetter(1)


_SIMPLE: dict[FieldType, Normaliser] = {
    FieldType.TEXT: to_text, FieldType.TIME: to_time, FieldType.PHONE: to_phone,
    FieldType.BOOL: to_bool, FieldType.ID: to_id, FieldType.PLATE: to_plate, FieldType.SIGN: to_sign,
    FieldType.VIN: to_vin, FieldType.MOMENT: to_moment,
}


def normaliser(f: Field, config: Config, year: int | None = None, column: list[Any] | None = None,
               ref: dt.date | None = None) -> Normaliser:
    """The function that turns one raw cell of field ``f`` into (value, problem)."""
    t = f.type
    if f.enum == "level":
        return _enum(config, "level", lambda: make_enum(list(config.levels), level_synonyms(config), upper=True))
    if t is FieldType.ENUM or (f.enum and config.enums.get(f.enum)):
        name = f.enum or ""
        return _enum(config, name, lambda: make_enum(config.enums.get(name, []), config.synonyms.get(name, {})))
    if t is FieldType.TEXT and f.as_typed:
        return to_words
    if t in _SIMPLE:
        return _SIMPLE[t]
    if t is FieldType.DATE:
        return partial(to_date, year=year, ref=ref)
    if t is FieldType.INT:
        return partial(to_int, lo=f.min, hi=f.max)
    if t is FieldType.NUMBER:
        return partial(to_number, lo=f.min, hi=f.max)
    from xl_dealer.rules.scores import (  # SCORE: the scale is the column's
        is_ten_point,
        score_normaliser,
    )

    return score_normaliser(config, is_ten_point(column or (), config))


_ENUMS: dict[tuple[int, str], tuple[Config, Normaliser]] = {}


def _enum(config: Config, name: str, make: Callable[[], Normaliser]) -> Normaliser:
    """An enum's normaliser, built once per config (DEALER_CHECK_ROW asks for it every row)."""
    hit = _ENUMS.get((id(config), name))
    if hit is None or hit[0] is not config:
        if len(_ENUMS) > 256:
            _ENUMS.clear()
        hit = _ENUMS[(id(config), name)] = (config, make())
    return hit[1]


def level_synonyms(config: Config) -> dict[str, str]:
    """The store's level synonyms plus the written forms of each level (H级, A级客户: vocabulary)."""
    forms = {form.format(lv): lv for lv in config.levels for form in LEVEL_FORMS}
    return {**forms, **config.synonyms.get("level", {})}


def allowed_text(f: Field, config: Config) -> str:
    if f.enum == "level":
        vals = list(config.levels)
    elif f.type is FieldType.BOOL or f.type is FieldType.SIGN:
        vals = ["是", "否"]
    elif f.type is FieldType.SCORE:
        vals = ["1~5分", "1~10分", *config.score_words]
    else:
        vals = config.enums.get(f.enum or "", [])
    return "、".join(vals)


def check_fields(table: Table, config: Config, em: Emitter) -> Checked:
    """Normalise every mapped column and emit the per-cell findings; required-when is checked after."""
    kind: Kind = table.kind
    values: dict[str, list[Any]] = {}
    bad: dict[str, set[int]] = {}
    year = table.year  # from the title or sheet name; else 11月3日 is the latest one by the as-of date
    for key, col in table.columns.items():
        f = kind.field(key)
        raw_col = table.raw[key]
        fn = normaliser(f, config, year, raw_col, em.as_of)
        memo = _memo(raw_col, fn, table.distinct.pop(key, None))
        if memo is None:
            out, problems = _normalise_cells(raw_col, fn)
        else:
            results = memo.values()
            out = list(map(dict(zip(memo, map(_first, results), strict=True)).__getitem__, raw_col))
            said = list(map(_second, results))
            problems = _rows_where(raw_col, dict(compress(zip(memo, said, strict=True), said)))
        bad[key] = _emit(table, key, col, f, config, em, raw_col, out, problems)
        values[key] = out
    return complete_fields(table, values, bad, config, em)


def complete_fields(table: Table, values: dict[str, list[Any]], bad: dict[str, set[int]], config: Config,
                    em: Emitter) -> Checked:
    """After the per-cell findings: the values the form fills in, the kind's derived columns, and
    the checks that read several fields of a row (required-when, a day after the as-of day)."""
    for key, fill in table.filled.items():
        values[key] = _fill(table, key, fill, config, em)
    c = Checked(table, values, bad)
    _times_in_dates(c)
    derive = DERIVED.get(table.kind.key)
    if derive:
        derive(c, config)
    _required(c, config, em)
    _future(c, em)
    return c


def _times_in_dates(c: Checked) -> None:
    """A time written in the date cell (交车日期 2026-11-20 14:30, as text or a datetime) is the
    row's time when its own cell is blank: no wrong 交车时间不能为空, and the rules that count
    hours (the thank-you call within the hour) see it. One column holding both fields
    (``kind.moments``) gives no 0:00 for a date typed as a datetime; nor does midnight here."""
    t = c.table
    for date_key, time_key in t.kind.moments:
        if date_key not in t.columns or time_key not in t.columns:
            continue
        days, times = c.values[date_key], c.values[time_key]
        if t.columns[date_key] == t.columns[time_key]:
            zero = [i for i in compress(range(len(times)), map(operator.eq, times, repeat(dt.time(0))))
                    if days[i] is not None]
            if zero:
                times = list(times)
                for i in zero:
                    times[i] = None
                c.values[time_key] = times
            continue
        raw, bad = t.raw[date_key], c.bad.get(time_key, ())
        blank = [i for i in compress(range(len(times)), map(operator.is_, times, repeat(None)))
                 if i not in bad and days[i] is not None]
        if not blank:
            continue
        memo = {v: time_in_date(v) for v in {raw[i] for i in blank}}
        found = [(i, memo[raw[i]]) for i in blank if memo[raw[i]] is not None]
        if found:
            times = list(times)
            for i, tm in found:
                times[i] = tm
            c.values[time_key] = times


def _fill(table: Table, key: str, fill: Filled, config: Config, em: Emitter) -> list[Any]:
    """A value from outside the table, normalised once for every row: a problem with it is one
    finding on the title cell (or the sheet), never one per row."""
    f = table.kind.field(key)
    v, problem = normaliser(f, config, table.year, None, em.as_of)(fill.value)
    where = fill_place(fill, config.lang)
    if problem is not None:
        em.sheet(table, key, problem, column=where, cell=fill.cell, row=fill.row, value=fill.value,
                 **_params(f, config, problem))
        v = None
    elif f.type is FieldType.DATE and f.past and v is not None and v > em.as_of:
        em.sheet(table, key, "date.future", column=where, cell=fill.cell, row=fill.row, value=v)
    return [v] * len(table.rows)


def fill_place(fill: Filled, lang: str) -> str:
    """Where a value from outside the table was read, as a message names it."""
    if lang == "en":
        return {"title": "the title", "sheet_name": "the sheet name"}.get(fill.source, "the form's default")
    return {"title": "标题", "sheet_name": "工作表名"}.get(fill.source, "表单默认值")


def _memo(raw_col: list[Any], fn: Normaliser, distinct: Collection[Any] | None = None) -> dict[Any, Result] | None:
    """Each distinct raw value normalised once (real columns repeat their values);
    ``distinct`` may hold more values than the column (the reader's set).

    None when the column holds a bool: True == 1 == 1.0 as dict keys, but an Excel
    TRUE and a typed 1 may normalise differently, so such a column goes cell by cell.
    """
    if distinct is None:
        distinct = set(raw_col)
    if (True in distinct or False in distinct) and bool in set(map(type, raw_col)):
        return None
    batch = BATCH.get(fn)  # type: ignore[call-overload]
    if batch is not None:
        return batch(distinct)
    return {v: fn(v) for v in distinct}


def _text_batch(distinct: Collection[Any]) -> dict[Any, Result]:
    """to_text over many values: the str ones in C (``map``), as to_text gives them: folded
    (NFKC), trimmed, None when nothing is left."""
    strs = [v for v in distinct if v.__class__ is str]
    return _trimmed(distinct, strs, map(partial(unicodedata.normalize, "NFKC"), strs), to_text)


def _words_batch(distinct: Collection[Any]) -> dict[Any, Result]:
    """to_words over many values, the str ones in C: trimmed, None when nothing is left."""
    strs = [v for v in distinct if v.__class__ is str]
    return _trimmed(distinct, strs, strs, to_words)


def _trimmed(distinct: Collection[Any], strs: list[str], texts: Iterable[str], one: Normaliser) -> dict[Any, Result]:
    """The str values ``strs`` as ``texts`` (the same values, perhaps folded) trimmed, None when
    nothing is left; the other values through ``one``."""
    clean = list(map(str.strip, texts))
    out: dict[Any, Result] = dict(zip(strs, zip(clean, repeat(None)), strict=True))
    if "" in clean:  # blank or spaces only: nothing left
        out.update((v, (None, None)) for v, c in zip(strs, clean, strict=True) if not c)
    if len(strs) < len(distinct):
        out.update((v, one(v)) for v in distinct if v.__class__ is not str)
    return out


# what clean() makes of these in a phone: full-width digits → ASCII, spaces (U+3000 too) dropped
# as _PHONE_STRIP drops them
_PHONE_FAST = {**{0xFF10 + d: 0x30 + d for d in range(10)}, 0x20: None, 0x3000: None}


def _phone_one(v: Any) -> Result:
    """to_phone, quicker for the common cells: mobiles typed as numbers, as digits, with spaces
    (138 1234 5678) or in full-width digits inline, the rest through to_phone. Such a cell holds
    nothing _EXTENSION or a country code could match, so to_phone gives these digits too."""
    if v.__class__ is float:
        # whole and 13000000000 ≤ v < 20000000000: str(int(v)) is 1[3-9] and nine digits
        if 13e9 <= v < 2e10 and v.is_integer():
            return str(int(v)), None
    elif v.__class__ is str:
        if v.isascii() and _mobile(v):
            return v, None
        s = v.translate(_PHONE_FAST)
        if s.isascii() and _mobile(s):
            return s, None
    return to_phone(v)


def _phone_batch(distinct: Collection[Any]) -> dict[Any, Result]:
    """to_phone over a column's distinct values."""
    return {v: _phone_one(v) for v in distinct}


# Normalisers with a faster form for one value: what the batch forms do value by value
ONE: dict[Normaliser, Normaliser] = {to_phone: _phone_one}

# Normalisers with a faster form for a whole column's distinct values (same results).
BATCH: dict[Normaliser, Callable[[Collection[Any]], dict[Any, Result]]] = {
    to_text: _text_batch, to_words: _words_batch, to_phone: _phone_batch}


def _normalise_cells(raw_col: list[Any], fn: Normaliser) -> tuple[list[Any], dict[int, str]]:
    memo: dict[Any, Result] = {}
    out: list[Any] = []
    problems: dict[int, str] = {}
    for i, raw in enumerate(raw_col):
        if raw.__class__ is bool:
            r = fn(raw)
        else:
            r = memo.get(raw)
            if r is None:
                r = memo[raw] = fn(raw)
        if r[1] is not None:
            problems[i] = r[1]
        out.append(r[0])
    return out, problems


def _rows_where(col: list[Any], by_value: dict[Any, Any]) -> dict[int, Any]:
    """Row index → ``by_value[cell]`` for the cells whose value is a key (one C-speed pass)."""
    if not by_value:
        return {}
    return {i: by_value[col[i]] for i in compress(range(len(col)), map(by_value.__contains__, col))}


def _emit(table: Table, key: str, col: int, f: Field, config: Config, em: Emitter,
          raw_col: list[Any], out: list[Any], problems: dict[int, str]) -> set[int]:
    """The findings of one column, in row order; returns the rows whose cell broke a rule."""
    errors = table.errors
    err_rows: dict[int, str] = {}
    if errors:  # a formula error reads as blank: a blank cell on an error's address is that error
        rows = table.rows
        for i in compress(range(len(out)), map(operator.is_, out, repeat(None))):
            err = errors.get((rows[i], col))
            if err and i not in problems:
                err_rows[i] = err
    for i in sorted(problems.keys() | err_rows.keys()):
        if i in err_rows:
            em.at(table, i, key, "cell.error", err_rows[i])
            continue
        raw, problem = raw_col[i], problems[i]
        if is_error(raw):
            em.at(table, i, key, "cell.error", raw)
        else:
            em.at(table, i, key, problem, raw, **_params(f, config, problem))
    return set(problems) | set(err_rows)


def _params(f: Field, config: Config, problem: str) -> dict[str, Any]:
    if problem == "enum":
        return {"allowed": allowed_text(f, config)}
    if problem == "format.number":
        lo, hi = f.min, f.max
        rng = f"{_num(lo)}~{_num(hi)}之间" if lo is not None and hi is not None else ""
        return {"range": rng}
    return {}


def _num(x: float) -> str:
    """2000000 as a clerk reads it (not 2e+06)."""
    return f"{int(x)}" if float(x).is_integer() else f"{x:g}"


def _required(c: Checked, config: Config, em: Emitter) -> None:
    """Blank required cells. A field both ``required`` and ``required_when`` needs its column always
    and a cell only when the condition holds (回访人 once the call is made)."""
    t = c.table
    kind = t.kind
    n = len(t.rows)
    told = dict(kind.blank_told_by)  # a blank the kind's own rule reports better
    types = c.col("service_type") if kind.has("service_type") else [None] * n
    for f in kind.fields:
        if not (f.required or f.required_when) or f.key in told:
            continue
        if f.key not in t.columns:
            continue  # column.missing covers the whole sheet; a value from outside it is checked once
        cond = f.required_when
        if cond is not None and cond.setting and not getattr(config, cond.setting):
            continue  # the store switched this requirement off
        vals = c.values[f.key]
        raw = t.raw.get(f.key) if f.type is FieldType.SIGN else None
        bad = c.bad.get(f.key, ())
        cond_col = c.col(cond.field) if cond else None
        also_col = c.col(cond.also.field) if cond and cond.also else [None] * n
        for i in compress(range(n), map(operator.is_, vals, repeat(None))):  # blank cells only
            if i in bad:
                continue
            if cond is not None and not cond.holds(cond_col[i], also_col[i]):
                continue
            if cond is not None and cond.asked and f.key not in config.items_asked(types[i]):
                continue  # this 维修类型's call does not ask it (a 新车交付 call: no repair scores)
            when = ""
            if cond is not None:
                when = f"（{cond.text}）" if config.lang != "en" else f" ({cond.text_en or cond.text})"
            if raw is not None and is_refusal(raw[i]):  # 否, ×, 未签: written, but not a signature
                em.at(t, i, f.key, "required", raw[i], msg="required.unsigned", when=when)
                continue
            em.at(t, i, f.key, "required", None, when=when)


# phrases that say the customer would not leave a number: 不留电话, 没留电话, 拒绝提供手机号,
# 客户未留, 电话未留 ("未留微信" or "未留意" do not)
_DECLINED = re.compile(
    r"(?:不|未|没|没有|拒|拒绝|不愿|不肯|不想)(?:留|给|提供|透露)(?:电话|号码|手机|联系方式|号)"
    r"|拒留|(?:客户|顾客)(?:未|没|不)留(?!微信|意|地址|姓名|名字)"
    r"|(?:电话|号码|手机号?|联系方式)(?:未|没|没有|不|拒)(?:留|给|提供)")


def declined_phone(remark: str) -> bool:
    """Does a 备注 say the customer declined to leave a phone?"""
    return _DECLINED.search(fold(remark)) is not None


def _derive_registration(c: Checked, config: Config) -> None:
    """未留电话 is also true when 备注, or the phone cell itself (拒留, 未留), says the customer
    declined (SPEC §2.1)."""
    declined = list(c.col("phone_declined"))
    remarks = c.col("remark")
    says = {r: True for r in set(remarks) if isinstance(r, str) and declined_phone(r)}
    for i in _rows_where(remarks, says):
        declined[i] = True
    raw = c.table.raw.get("phone")
    if raw is not None:  # only the text cells read as blank can say it: a number never does
        phones = c.values["phone"]
        texts = {v for v in compress(raw, map(operator.is_, phones, repeat(None))) if v.__class__ is str}
        says = {v: True for v in texts if declined_phone(v) or refused_phone(v)}
        for i in _rows_where(raw, says):
            declined[i] = True
    c.values["phone_declined"] = declined


def _derive_callback(c: Checked, config: Config) -> None:
    """An answer to a question the row's 维修类型 is not asked (``callback_items``) counts nowhere: a
    repair score typed on a 新车交付 call (the old forms asked for all eight) is no answer about
    the 车间 or 配件. Rows without a 维修类型 keep every answer (we cannot tell)."""
    from xl_dealer.rules.scores import answer_items

    types = c.col("service_type")
    if not any(types):
        return
    for item in answer_items():
        col = c.values.get(item)
        if col is None:
            continue
        asked = {st: item in config.items_asked(st) for st in set(types) if st is not None}
        off = [i for i, (st, v) in enumerate(zip(types, col, strict=True))
               if v is not None and st is not None and not asked[st]]
        if off:
            col = list(col)
            for i in off:
                col[i] = None
            c.values[item] = col


# Values a kind derives from several cells before the conditional requirements run.
DERIVED: dict[str, Callable[[Checked, Config], None]] = {"registration": _derive_registration,
                                                         "service_callback": _derive_callback}


def _future(c: Checked, em: Emitter) -> None:
    for f in c.table.kind.fields:
        if f.type is FieldType.DATE and f.past and f.key in c.table.columns:  # a filled day: _fill
            col = c.values[f.key]
            later = {d: d for d in set(col) if d is not None and d > em.as_of}
            for i in _rows_where(col, later):
                em.at(c.table, i, f.key, "date.future", col[i])


def check_columns(table: Table, em: Emitter) -> None:
    """``column.missing`` once per sheet, naming the headers the sheet has that nothing
    understood and the ``dealer.toml`` line that maps the likeliest of them;
    ``column.duplicate`` on the later header cell."""
    from xl_dealer.read.header import col_letter

    en = em.lang == "en"
    for f in table.kind.fields:
        if f.required and not table.has(f.key):
            em.sheet(table, f.key, "column.missing", header=f.header, hint=missing_hint(table, f, em.config, en))
    for key, header, col in table.duplicates:
        first = table.columns[key]
        em.sheet(table, key, "column.duplicate", column=header, cell=f"{col_letter(col)}{table.header_row}",
                 row=table.header_row, first=col_letter(first), first_header=table.headers[key])


def missing_hint(table: Table, f: Field, config: Config, en: bool = False) -> str:
    """What to do about a required column the sheet lacks: the headers nothing understood, and
    the one line under ``[aliases]`` in dealer.toml that maps the likeliest of them."""
    hint = _hint(table, f, config, en)
    if f.key == table.kind.sheet_date:  # a day-per-sheet form may say the day once
        hint += (" A sheet of one day may instead say it in the title (日期：2026年11月18日) or be named 11月18日."
                 if en else "一天一张的表也可以在标题写「日期：2026年11月18日」，或把工作表命名为「11月18日」。")
    return hint


def _hint(table: Table, f: Field, config: Config, en: bool) -> str:
    if not table.unmapped:
        return (f" Every header of the sheet was understood: add a '{f.header}' column to the header row." if en
                else f"本表的列都已识别：请在表头行加上「{f.header}」列。")
    guess = guess_column(f, table, config)
    name = guess or ("your header" if en else "表中的列名")
    line = f'{f.key} = ["{name}"]'
    shown = "、".join(table.unmapped[:12]) + ("…" if len(table.unmapped) > 12 else "")
    if en:
        which = f"If '{guess}' is this column" if guess else "If one of them is this column"
        return (f" Headers not understood: {shown}. {which}, add one line under [aliases] in dealer.toml: "
                f"{line}; otherwise add a '{f.header}' column.")
    which = f"如果「{guess}」就是这一列" if guess else "如果其中一列就是这一列"
    return (f"本表中未能识别的列：{shown}。{which}，在 dealer.toml 的 [aliases] 下加一行：{line}（dealer.toml 放在运行命令的"
            f"文件夹里，没有就新建一个）；否则请加上「{f.header}」列。")


def guess_column(f: Field, table: Table, config: Config) -> str | None:
    """The unmapped header most likely to be field ``f``: its values fit the field's type (a
    column of phones for 联系电话), else it shares most characters with the field's names."""
    taken = set(table.headers.values())
    best: tuple[float, str] | None = None
    chars = set("".join(f.names))
    fn = normaliser(f, config, table.year)
    for header in table.unmapped:
        if header in taken:
            continue
        values = table.samples.get(header, [])
        fit = 0.0
        if values and f.type not in (FieldType.TEXT, FieldType.SCORE):
            fit = sum(1 for v in values if fn(v)[1] is None) / len(values)
        overlap = len(set(header) & chars) / max(1, len(set(header)))
        score = fit * 2 + overlap
        if (fit >= 0.8 or overlap >= 0.5) and (best is None or score > best[0]):
            best = (score, header)
    if best:
        return best[1]
    # one header nothing understood and one required column missing: that header, whatever it says (来宾)
    left = [h for h in table.unmapped if h not in taken]
    missing = [g for g in table.kind.fields if g.required and not table.has(g.key)]
    return left[0] if len(left) == 1 and missing == [f] else None
