"""Per-cell checks from the declarations: required, formats, enums, formula errors, future dates.

Column-wise: one pass per column with a memo, since real columns repeat their
values (dates, consultants, sources) and most cells are seen many times.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable
from functools import partial
from itertools import compress, repeat
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.schema import Field, FieldType, Kind
from xl_dealer.read.table import Table
from xl_dealer.read.values import (
    Result,
    is_error,
    make_enum,
    to_bool,
    to_date,
    to_id,
    to_int,
    to_number,
    to_phone,
    to_plate,
    to_sign,
    to_text,
    to_time,
)
from xl_dealer.rules.base import Checked, Emitter

Normaliser = Callable[[Any], Result]
_mobile = re.compile(r"1[3-9]\d{9}").fullmatch  # values._MOBILE, whole string (no trailing newline)


def normaliser(f: Field, config: Config, year: int | None = None, column: list[Any] | None = None,
               ref: dt.date | None = None) -> Normaliser:
    """The function that turns one raw cell of field ``f`` into (value, problem)."""
    t = f.type
    if f.enum == "level":
        return make_enum(list(config.levels), config.synonyms.get("level", {}), upper=True)
    if t is FieldType.ENUM or (f.enum and config.enums.get(f.enum)):
        return make_enum(config.enums.get(f.enum or "", []), config.synonyms.get(f.enum or "", {}))
    simple: dict[FieldType, Normaliser] = {
        FieldType.TEXT: to_text, FieldType.TIME: to_time, FieldType.PHONE: to_phone,
        FieldType.BOOL: to_bool, FieldType.ID: to_id, FieldType.PLATE: to_plate, FieldType.SIGN: to_sign,
    }
    if t in simple:
        return simple[t]
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
            out = list(map({k: r[0] for k, r in memo.items()}.__getitem__, raw_col))
            problems = _rows_where(raw_col, {k: r[1] for k, r in memo.items() if r[1] is not None})
        bad[key] = _emit(table, key, col, f, config, em, raw_col, out, problems)
        values[key] = out
    c = Checked(table, values, bad)
    derive = DERIVED.get(kind.key)
    if derive:
        derive(c)
    _required(c, config, em)
    _future(c, em)
    return c


def _memo(raw_col: list[Any], fn: Normaliser, distinct: set[Any] | None = None) -> dict[Any, Result] | None:
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


def _text_batch(distinct: set[Any]) -> dict[Any, Result]:
    """to_text over many values: the str ones inline (a call per value is most of the cost)."""
    nfkc = partial(unicodedata.normalize, "NFKC")
    out: dict[Any, Result] = {v: (nfkc(v).strip() or None, None) for v in distinct if v.__class__ is str}
    out.update((v, to_text(v)) for v in distinct if v.__class__ is not str)
    return out


def _phone_batch(distinct: set[Any]) -> dict[Any, Result]:
    """to_phone over many values: mobiles typed as numbers or plain digits inline, the rest one by one."""
    out: dict[Any, Result] = {}
    for v in distinct:
        if v.__class__ is float and 1e10 <= v < 2e10 and v.is_integer():
            s = str(int(v))
            if _mobile(s):
                out[v] = (s, None)
                continue
        elif v.__class__ is str and v.isascii() and _mobile(v):
            out[v] = (v, None)
            continue
        out[v] = to_phone(v)
    return out


# Normalisers with a faster form for a whole column's distinct values (same results).
BATCH: dict[Normaliser, Callable[[set[Any]], dict[Any, Result]]] = {to_text: _text_batch, to_phone: _phone_batch}


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
    t = c.table
    kind = t.kind
    n = len(t.rows)
    for f in kind.fields:
        if not (f.required or f.required_when):
            continue
        if f.key not in t.columns:
            continue  # column.missing covers the whole sheet
        vals = c.values[f.key]
        bad = c.bad.get(f.key, ())
        cond = f.required_when
        cond_col = c.col(cond.field) if cond else None
        also_col = c.col(cond.also.field) if cond and cond.also else [None] * n
        for i in compress(range(n), map(operator.is_, vals, repeat(None))):  # blank cells only
            if i in bad:
                continue
            if cond is not None and not f.required and not cond.holds(cond_col[i], also_col[i]):
                continue
            when = ""
            if not f.required and cond is not None:
                when = f"（{cond.text}）" if config.lang != "en" else f" ({cond.text_en or cond.text})"
            em.at(t, i, f.key, "required", None, when=when)


# phrases that say the customer would not leave a number ("未留微信" or "未留意" do not)
_DECLINED_WORDS = ("不留电话", "未留电话", "没留电话", "拒留电话", "拒绝留电话", "不愿留电话", "不肯留电话",
                   "不留号码", "未留号码", "拒留号码", "不愿留号码", "拒留")


def _derive_registration(c: Checked) -> None:
    """未留电话 is also true when 备注 says the customer declined (SPEC §2.1)."""
    declined = list(c.col("phone_declined"))
    remarks = c.col("remark")
    says = {r: True for r in set(remarks) if isinstance(r, str) and any(w in r for w in _DECLINED_WORDS)}
    for i in _rows_where(remarks, says):
        declined[i] = True
    c.values["phone_declined"] = declined


# Values a kind derives from several cells before the conditional requirements run.
DERIVED: dict[str, Callable[[Checked], None]] = {"registration": _derive_registration}


def _future(c: Checked, em: Emitter) -> None:
    for f in c.table.kind.fields:
        if f.type is FieldType.DATE and f.past and f.key in c.values:
            col = c.values[f.key]
            later = {d: d for d in set(col) if d is not None and d > em.as_of}
            for i in _rows_where(col, later):
                em.at(c.table, i, f.key, "date.future", col[i])


def check_columns(table: Table, em: Emitter) -> None:
    """``column.missing`` once per sheet; ``column.duplicate`` on the later header cell."""
    from xl_dealer.read.header import col_letter

    for f in table.kind.fields:
        if f.required and f.key not in table.columns:
            em.sheet(table, f.key, "column.missing", header=f.header)
    for key, header, col in table.duplicates:
        first = table.columns[key]
        em.sheet(table, key, "column.duplicate", column=header, cell=f"{col_letter(col)}{table.header_row}",
                 row=table.header_row, first=col_letter(first), first_header=table.headers[key])
