"""Header rows: which row is the header, which column is which field, which kind a sheet is.

Headers are compared after folding (full-width, stars, spaces, line breaks) and go
through each field's aliases plus any a store adds in ``dealer.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.model.schema import Kind
from xl_dealer.read.values import fold

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")


@lru_cache(maxsize=16384)
def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


@lru_cache(maxsize=4096)
def header_key(text: str) -> str:
    """Header text as compared: half-width, no stars, spaces, line breaks or colons, lower case."""
    s = fold(text)
    s = re.sub(r"[\s*＊:：]|必填|选填", "", s)
    return s.lower()


class AliasIndex:
    """header_key → field key, for each kind, from the declarations plus config aliases."""

    def __init__(self, config: Config, kinds: Iterable[Kind] | None = None) -> None:
        self.kinds = list(kinds or KINDS.values())
        self.by_kind: dict[str, dict[str, str]] = {}
        for kind in self.kinds:
            table: dict[str, str] = {}
            extra = config.aliases.get(kind.key, {})
            for f in kind.fields:
                for name in (*f.names, *extra.get(f.key, ())):
                    table.setdefault(header_key(name), f.key)
            self.by_kind[kind.key] = table

    def lookup(self, kind: Kind, text: str) -> str | None:
        table = self.by_kind[kind.key]
        k = header_key(text)
        hit = table.get(k)
        if hit is None and ("(" in k or "[" in k or "【" in k):
            hit = table.get(_BRACKETED.sub("", k))
        return hit


def _score(kind: Kind, mapped: set[str]) -> tuple[float, int]:
    req = kind.required_keys
    found = sum(1 for k in req if k in mapped)
    return (found / len(req) if req else 0.0, len(mapped))


def classify(rows: list[list[Any]], index: AliasIndex, search_rows: int) -> tuple[Kind, int] | None:
    """The (kind, 0-based header row) whose headers match best, if any is convincing.

    A sheet is of a kind when its header row holds at least 3 of the kind's fields and
    at least half of its required ones; the best fraction of required fields wins.
    """
    best: tuple[tuple[float, int], Kind, int] | None = None
    for r, row in enumerate(rows[:search_rows]):
        texts = [c for c in row if isinstance(c, str) and c.strip()]
        if len(texts) < 3:
            continue
        for kind in index.kinds:
            mapped = {k for t in texts if (k := index.lookup(kind, t))}
            if len(mapped) < 3:
                continue
            score = _score(kind, mapped)
            if score[0] < 0.5:
                continue
            if best is None or score > best[0]:
                best = (score, kind, r)
    return (best[1], best[2]) if best else None
