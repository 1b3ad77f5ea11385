"""Per-cell checks from the declarations: required, formats, enums, formula errors, future dates.

Column-wise: one pass per column with a memo, since real columns repeat their
values (dates, consultants, sources) and most cells are seen many times.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from xl_dealer.config import Config
from xl_dealer.reading import Table
from xl_dealer.rules.base import Checked, Emitter
from xl_dealer.schema import Field, FieldType, Kind
from xl_dealer.values import (
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

Normaliser = Callable[[Any], Result]


def normaliser(f: Field, config: Config, year: int | None = None, column: list[Any] | None = None) -> Normaliser:
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
        return partial(to_date, year=year)
    if t is FieldType.INT:
        return partial(to_int, lo=f.min, hi=f.max)
    if t is FieldType.NUMBER:
        return partial(to_number, lo=f.min, hi=f.max)
    from xl_dealer.scores import is_ten_point, score_normaliser  # SCORE: the scale is the column's

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
    year = table.year or em.as_of.year
    errors = table.errors
    for key, col in table.columns.items():
        f = kind.field(key)
        fn = normaliser(f, config, year, table.raw[key])
        memo: dict[Any, Result] = {}
        out: list[Any] = []
        bad_rows: set[int] = set()
        for i, raw in enumerate(table.raw[key]):
            if raw.__class__ is bool:
                r = fn(raw)
            else:
                r = memo.get(raw)
                if r is None:
                    r = memo[raw] = fn(raw)
            v, problem = r
            if problem is None and v is None and errors:
                err = errors.get((table.rows[i], col))
                if err:
                    em.at(table, i, key, "cell.error", err)
                    bad_rows.add(i)
            elif problem is not None:
                if is_error(raw):
                    em.at(table, i, key, "cell.error", raw)
                else:
                    em.at(table, i, key, problem, raw, **_params(f, config, problem))
                bad_rows.add(i)
            out.append(v)
        values[key] = out
        bad[key] = bad_rows
    c = Checked(table, values, bad)
    derive = DERIVED.get(kind.key)
    if derive:
        derive(c)
    _required(c, config, em)
    _future(c, em)
    return c


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
        for i in range(n):
            if vals[i] is not None or i in bad:
                continue
            if cond is not None and not f.required and not cond.holds(cond_col[i], also_col[i]):
                continue
            when = ""
            if not f.required and cond is not None:
                when = f"（{cond.text}）" if config.lang != "en" else f" ({cond.text_en or cond.text})"
            em.at(t, i, f.key, "required", None, when=when)


_DECLINED_WORDS = ("不留电话", "拒留", "未留", "不愿留", "拒绝留", "没留")


def _derive_registration(c: Checked) -> None:
    """未留电话 is also true when 备注 says the customer declined (SPEC §2.1)."""
    declined = list(c.col("phone_declined"))
    for i, remark in enumerate(c.col("remark")):
        if declined[i] is not True and isinstance(remark, str) and any(w in remark for w in _DECLINED_WORDS):
            declined[i] = True
    c.values["phone_declined"] = declined


# Values a kind derives from several cells before the conditional requirements run.
DERIVED: dict[str, Callable[[Checked], None]] = {"registration": _derive_registration}


def _future(c: Checked, em: Emitter) -> None:
    for f in c.table.kind.fields:
        if f.type is FieldType.DATE and f.past and f.key in c.values:
            for i, d in enumerate(c.values[f.key]):
                if d is not None and d > em.as_of:
                    em.at(c.table, i, f.key, "date.future", d)


def check_columns(table: Table, em: Emitter) -> None:
    """``column.missing`` once per sheet; ``column.duplicate`` on the later header cell."""
    from xl_dealer.reading import col_letter

    for f in table.kind.fields:
        if f.required and f.key not in table.columns:
            em.sheet(table, f.key, "column.missing", header=f.header)
    for key, header, col in table.duplicates:
        first = table.columns[key]
        em.sheet(table, key, "column.duplicate", column=header, cell=f"{col_letter(col)}{table.header_row}",
                 row=table.header_row, first=col_letter(first), first_header=table.headers[key])
