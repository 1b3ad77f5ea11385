"""The language a person reads: Chinese unless they ask for English.

Findings carry both languages through ``messages``; every other line a person reads (an
input that cannot be read, a file skipped, a folder that cannot be written) is made with
:func:`said`, in the language of the run: the operations (``validate``, ``annotate``,
``report``, ``templates``, ``demo``) speak their config's ``lang`` for as long as they run,
and the command line speaks ``--lang`` or ``XL_DEALER_LANG`` from the start, so its help
is in that language too. One line is never in both.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

LANGS = ("zh", "en")
ENV = "XL_DEALER_LANG"
_now = ["zh"]  # a list, not a ContextVar: threads reading pieces of a sheet speak the run's language too


def current() -> str:
    return _now[0]


def said(zh: str, en: str) -> str:
    """The line in the language of the run."""
    return en if _now[0] == "en" else zh


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Speak ``lang`` (zh or en) inside the block; the language before it afterwards."""
    before = _now[0]
    _now[0] = lang if lang in LANGS else before
    try:
        yield
    finally:
        _now[0] = before


def set_language(lang: str) -> None:
    _now[0] = lang if lang in LANGS else "zh"


def from_command_line(argv: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """``--lang en`` (or ``--lang=en``) anywhere on the command line, else ``XL_DEALER_LANG``, else zh:
    known before the command line is parsed, so the help and usage errors are in it too."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in LANGS else "zh"
        if a.startswith("--lang="):
            v = a.split("=", 1)[1]
            return v if v in LANGS else "zh"
    v = (environ if environ is not None else os.environ).get(ENV, "").strip().lower()
    return v if v in LANGS else "zh"


def speaks(fn: F) -> F:
    """An operation speaks the language it is given (``lang=``, else its ``config``'s) while it
    runs, so the lines it makes (an unreadable file, a folder that cannot be written) are in
    the language of its findings; given neither, the language it is called in."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        lang = kwargs.get("lang") or getattr(kwargs.get("config"), "lang", None)
        with speaking(lang):
            return fn(*args, **kwargs)

    return run  # type: ignore[return-value]
