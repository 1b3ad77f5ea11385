"""The one cleaning of text we write: into a sheet, a note, the 校验结果 list, a report, JSON.

A clerk's cell can hold what no output may: control characters from pasted text (a vertical
tab is Word's line break, stored as ``_x000B_``; an ESC), lone surrogates, and more than the
32,767 characters Excel allows in a cell. openpyxl refuses such a string (the whole report was
lost to one vertical tab), an XML part with one is not well-formed, and Excel "repairs" a cell
longer than its limit. Everything written goes through ``clean_text``; text for a terminal
also through ``escape_terminal``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CELL_LIMIT = 32_767  # characters in one Excel cell (and one note)
ELLIPSIS = "…"
# XML 1.0 forbids these (tab, line feed and carriage return are allowed); DEL is invisible
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})  # Word's manual line break, a page break
# what a terminal acts on instead of showing: C0 and C1 controls, DEL, line and paragraph
# separators, bidirectional overrides (text that reads backwards)
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(s: str, limit: int = CELL_LIMIT) -> str:
    """``s`` with control characters gone (pasted line breaks kept as line breaks) and cut to
    ``limit`` characters, the last one an ellipsis so the reader sees it was cut."""
    if _CONTROL.search(s):
        s = _CONTROL.sub(lambda m: "\ufffd" if "\ud800" <= m[0] <= "\udfff" else "",
                         s.translate(_LINE_BREAKS))
    if len(s) > limit:
        s = s[:limit - 1] + ELLIPSIS
    return s


def clean_value(v: object) -> object:
    """A value for a sheet or JSON: strings cleaned, everything else as it is."""
    return clean_text(v) if isinstance(v, str) else v


def escape_terminal(s: str) -> str:
    """Text for one line of a terminal: a line break or ESC in a cell would forge a line of
    output or move the cursor, so each such character is shown as its escape (``\\n``, ``\\x1b``)."""
    if not _TERMINAL.search(s):
        return s
    return _TERMINAL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), s)


class _CharWidths(dict[str, int]):
    """A character's display width, looked up once per character (a dict hit is C speed)."""

    def __missing__(self, ch: str) -> int:
        w = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return w


_CHAR_WIDTHS = _CharWidths()


@lru_cache(maxsize=65536)
def text_width(s: str) -> int:
    """Display width in Excel column units and terminal columns: CJK and full-width characters count 2.

    The 校验结果 sheet sizes every message and the reports every cell with it: a call per
    character of east_asian_width was 1.1 million calls on a 100k-row log's marked copy."""
    if s.isascii():
        return len(s)
    return sum(map(_CHAR_WIDTHS.__getitem__, s))
