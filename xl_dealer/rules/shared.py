"""One run's shared indexes: what several rules and reports build from the same tables, built once.

The run rules and the reports both need, say, every customer's latest follow-up log row
(``followup.overdue`` and 今日跟进) or each consultant's follow-ups per day (``followup.quota``
and 晨会日报). ``report`` opens :func:`sharing` around validating *and* building, so what the
rules computed is what the reports read; ``validate`` opens it around its run rules, so two
rules of one run share too. Outside ``sharing()`` a shared function simply runs.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from xl_dealer.read.values import phone_key

if TYPE_CHECKING:
    from xl_dealer.rules.base import Checked

# (function, tables, arguments) → its result, while ``sharing()`` is open
_SHARED: ContextVar[dict[tuple, tuple[Any, tuple]] | None] = ContextVar("xl_dealer_shared", default=None)


@contextmanager
def sharing() -> Iterator[None]:
    """Within: an index several rules or reports build from the same tables (every customer's order
    and loss, the club members, the latest log contacts) is built once, not once per user (``report
    all`` collected the deals four times). Only around a run whose tables do not change. Nested: the
    outermost one's memo is used, and dropped when it closes."""
    token = _SHARED.set({}) if _SHARED.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _SHARED.reset(token)


def shared(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(checked, ...)``, memoised within ``sharing()`` by the identity of the tables and the
    arguments (dates, strings and numbers by value). Its result is only read by its callers (the
    churn report calls lists from is the one the churn sheet shows: masking it twice is masking it once)."""
    @functools.wraps(fn)
    def run(checked: list, *args: Any, **kwargs: Any) -> Any:
        memo = _SHARED.get()
        if memo is None:
            return fn(checked, *args, **kwargs)
        key = (fn, tuple(map(id, checked)), *map(_by_value, args),
               *((k, _by_value(v)) for k, v in sorted(kwargs.items())))
        hit = memo.get(key)
        if hit is None:
            # the tables and arguments kept with the result: their ids stay theirs for the run
            hit = memo[key] = (fn(checked, *args, **kwargs), (list(checked), args, kwargs))
        return hit[0]
    return run


def _by_value(a: Any) -> Any:
    return a if a is None or isinstance(a, dt.date | str | int | float) else id(a)


def phone_keys(c: Checked) -> list[str | None]:
    """The sheet's phones as matching keys (``phone_key``, row by row): made once and kept with the
    checked table (``Checked.derived``), however many rules and reports look customers up by phone."""
    phones = c.values.get("phone")
    hit = c.derived.get("phone_keys")
    if hit is not None and hit[0] is phones:
        return hit[1]
    keys = list(map(phone_key, c.col("phone")))
    c.derived["phone_keys"] = (phones, keys)
    return keys
