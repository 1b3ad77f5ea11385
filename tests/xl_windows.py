"""xlwings' Windows UDF machinery on Linux, for tests: pywin32 stand-ins, the real
decorators from ``xlwings.udfs``, and a fake "excel" engine so ``conversion.read`` and
``conversion.write`` run exactly as ``call_udf`` runs them inside Excel.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

STUBS = ("pythoncom", "pywintypes", "win32com", "win32com.client")
OURS = ("udfs", "udfs.dealer_udfs", "xl_dealer.excel.scripts")
MISSING = -2147352572  # what VBA passes for an omitted Optional argument


def _stubs() -> dict[str, types.ModuleType]:
    mods = {name: types.ModuleType(name) for name in STUBS}
    mods["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
    mods["pywintypes"].com_error = type("com_error", (Exception,), {})  # type: ignore[attr-defined]
    mods["pywintypes"].TimeType = type("TimeType", (), {})  # type: ignore[attr-defined]
    mods["win32com.client"].Dispatch = lambda *a, **k: None  # type: ignore[attr-defined]
    mods["win32com"].client = mods["win32com.client"]  # type: ignore[attr-defined]
    return mods


class FakeExcelEngine:
    """The two data hooks of ``xlwings._xlwindows.Engine``, minus the COM types."""

    name = "excel"
    type = "desktop"

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def one(v: Any) -> Any:
            if v in ("", None):
                return empty_as
            if isinstance(v, dt.datetime):  # pywin32 delivers naive datetimes for date cells
                return datetime_builder(year=v.year, month=v.month, day=v.day, hour=v.hour,
                                        minute=v.minute, second=v.second, microsecond=v.microsecond,
                                        tzinfo=None)
            if number_builder is not None and isinstance(v, float):
                return number_builder(v)
            return v

        return [[one(c) for c in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x: Any, date_format: Any) -> Any:
        if x is None:
            return ""
        if isinstance(x, float) and x != x:
            return ""
        return x


@contextmanager
def windows_udfs() -> Iterator[types.ModuleType]:
    """Import ``udfs`` decorated by the real Windows decorators; undo everything afterwards."""
    import xlwings as xw

    saved = {name: sys.modules.get(name) for name in (*STUBS, "xlwings.udfs", *OURS)}
    saved_deco = {k: getattr(xw, k) for k in ("func", "arg", "ret", "script", "sub")}
    engine = xw.Engine(impl=FakeExcelEngine())
    try:
        sys.modules.update(_stubs())
        for name in OURS:
            sys.modules.pop(name, None)
        u = importlib.import_module("xlwings.udfs")
        xw.func, xw.arg, xw.ret, xw.script, xw.sub = u.xlfunc, u.xlarg, u.xlret, u.xlsub, u.xlsub
        xw.engines.add(engine)
        yield importlib.import_module("udfs")
    finally:
        for k, v in saved_deco.items():
            setattr(xw, k, v)
        xw.engines.engines.remove(engine)
        xw.engines.engines_by_name.pop("excel", None)
        for name, mod in saved.items():
            if mod is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = mod
        if hasattr(xw, "udfs") and saved["xlwings.udfs"] is None:
            delattr(xw, "udfs")


@dataclass
class Cells:
    """A range argument: VBA passes a Range, which ``call_udf`` reads through the engine."""

    values: list[list[Any]]
    top: int = 1
    left: int = 1
    sheet: str = "登记表"

    def as_range(self) -> Any:
        import xlwings as xw

        engine = xw.engines["excel"].impl
        book = types.SimpleNamespace(app=types.SimpleNamespace(engine=engine, pid=1), name="registration.xlsm")
        sheet_impl = types.SimpleNamespace(name=self.sheet, book=book)
        impl = types.SimpleNamespace(
            raw_value=tuple(tuple(r) for r in self.values), row=self.top, column=self.left,
            sheet=sheet_impl, max_cells_per_read=None, shape=(len(self.values), len(self.values[0])))
        return xw.Range(impl=impl)


def call(fn: Any, *raw: Any) -> Any:
    """What ``xlwings.udfs.call_udf`` does with each argument and the result.

    ``Cells`` arrive as a Range (read through the engine); anything else as the values
    VBA passes for literals and array-formula results (floats, date serials, tuples).
    """
    from xlwings import conversion

    info = fn.__xlfunc__
    args = []
    for i, arg in enumerate(raw):
        a = info["args"][min(i, len(info["args"]) - 1)]
        if isinstance(arg, int) and arg == MISSING:
            args.append(a.get("optional"))
        elif isinstance(arg, Cells):
            args.append(conversion.read(arg.as_range(), None, a["options"]))
        else:
            args.append(conversion.read(None, arg, a["options"]))
    for a in info["args"][len(raw):]:
        args.append(a.get("optional"))
    return conversion.write(fn(*args), None, info["ret"]["options"])
