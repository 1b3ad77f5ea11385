"""The fake book may only use what real xlwings 0.37.8 has.

For every public member of every fake class: the real class must have it, as the same
kind (property / method), settable where the fake's is, and every parameter the fake
declares must exist in the real signature, in the same order, with the same default.
So a macro that passes against the fake calls nothing Excel lacks.
"""

from __future__ import annotations

import inspect

import pytest
import xlwings
import xlwings.main as real

from tests import fake_xlwings as fake

PAIRS = [(getattr(fake, name), getattr(real, name)) for name in (
    "App", "Book", "Sheets", "Sheet", "Range", "RangeColumns", "RangeRows", "Font", "Note", "Notes", "Table", "Tables",
    "FreezePanes", "Chart", "Charts",
)]
DUNDERS = {"__iter__", "__len__", "__getitem__", "__call__", "__contains__"}


def test_pinned_version() -> None:
    assert xlwings.__version__ == "0.37.8", "the fake was checked against 0.37.8: re-run and update the pin"


def _members(cls: type) -> dict[str, object]:
    return {k: v for k, v in vars(cls).items() if (not k.startswith("_") or k in DUNDERS)}


def _params(fn: object) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]  # type: ignore[arg-type]


@pytest.mark.parametrize(("fake_cls", "real_cls"), PAIRS, ids=[f.__name__ for f, _ in PAIRS])
def test_fake_uses_only_real_members(fake_cls: type, real_cls: type) -> None:
    problems: list[str] = []
    for name, fmember in _members(fake_cls).items():
        try:
            rmember = inspect.getattr_static(real_cls, name)
        except AttributeError:
            problems.append(f"{real_cls.__name__}.{name} does not exist in xlwings {xlwings.__version__}")
            continue
        if isinstance(fmember, property):
            if not isinstance(rmember, property):
                problems.append(f"{real_cls.__name__}.{name} is not a property")
            elif fmember.fset is not None and rmember.fset is None:
                problems.append(f"{real_cls.__name__}.{name} is read-only")
            continue
        if isinstance(rmember, property):
            problems.append(f"{real_cls.__name__}.{name} is a property, not a method")
            continue
        real_params = {p.name: (i, p) for i, p in enumerate(_params(rmember))}
        last = -1
        for p in _params(fmember):
            if p.name not in real_params:
                problems.append(f"{real_cls.__name__}.{name}() has no parameter {p.name!r}")
                continue
            i, rp = real_params[p.name]
            if i < last:
                problems.append(f"{real_cls.__name__}.{name}() has {p.name!r} in another position")
            last = i
            if p.default is not inspect.Parameter.empty and p.default != rp.default:
                problems.append(f"{real_cls.__name__}.{name}({p.name}=...) defaults to {rp.default!r}, "
                                f"not {p.default!r}")
    assert not problems, "\n".join(problems)


def test_the_contract_catches_a_member_xlwings_lacks() -> None:
    class Bad(fake.Range):
        def add_comment_note(self, text: str) -> None: ...

        def add_note(self, note_text: str) -> None: ...  # type: ignore[override]

    with pytest.raises(AssertionError) as e:
        test_fake_uses_only_real_members(Bad, real.Range)
    assert "Range.add_comment_note does not exist" in str(e.value)
    assert "Range.add_note() has no parameter 'note_text'" in str(e.value)
