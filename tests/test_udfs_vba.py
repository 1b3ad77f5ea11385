"""The UDF and script declarations as Excel's "Import Functions" sees them.

On Linux xlwings' decorators are no-ops, so a subprocess puts stand-ins for pywin32
into ``sys.modules``, imports the real Windows decorators from ``xlwings.udfs``,
decorates our modules with them and runs xlwings' own ``generate_vba_wrapper`` — the
code "Import Functions" runs. A malformed declaration fails here as it would in Excel.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(r'''
    import io, json, sys, types

    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["pywintypes"].com_error = type("com_error", (Exception,), {})
    sys.modules["pywintypes"].TimeType = type("TimeType", (), {})
    sys.modules["win32com.client"].Dispatch = lambda *a, **k: None
    sys.modules["win32com"].client = sys.modules["win32com.client"]

    import xlwings as xw
    import xlwings.udfs as u

    xw.func, xw.arg, xw.ret, xw.script, xw.sub = u.xlfunc, u.xlarg, u.xlret, u.xlsub, u.xlsub
    import udfs

    class Book:  # generate_vba_wrapper only asks the workbook's name
        Name = "registration.xlsm"

    out = io.StringIO()
    u.generate_vba_wrapper("udfs", udfs, out, Book())
    meta = {n: {"sub": f.__xlfunc__["sub"], "category": f.__xlfunc__["category"],
                "args": [{k: a.get(k) for k in ("name", "optional", "options")} for a in f.__xlfunc__["args"]],
                "has_optional": [("optional" in a) for a in f.__xlfunc__["args"]]}
            for n in dir(udfs) if hasattr(getattr(udfs, n), "__xlfunc__")
            for f in [getattr(udfs, n)]}
    print(json.dumps({"vba": out.getvalue(), "meta": meta}, default=str))
''')

FUNCTIONS = {
    "DEALER_PHONE_OK": "phone",
    "DEALER_PHONE": "phone",
    "DEALER_ID_OK": "id_no",
    "DEALER_VIN_OK": "vin",
    "DEALER_ID_AGE": "id_no, Optional on_date",
    "DEALER_MASK": "value",
    "DEALER_NEXT_FOLLOWUP": "level, last_contact, Optional planned",
    "DEALER_FOLLOWUP_STATUS": "level, last_contact, Optional planned, Optional as_of",
    "DEALER_CALLBACK_DUE": "delivered, Optional service_type",
    "DEALER_CALLBACK_LATE": "delivered, called, Optional service_type, Optional as_of",
    "DEALER_SATISFACTION": "scores",
    "DEALER_CHECK_ROW": "header, row, Optional as_of",
    "DEALER_VALIDATE": "data, Optional as_of",
}
SCRIPTS = ["validate_active", "clear_marks_active", "report_morning", "report_followups", "report_funnel",
           "report_sales", "report_lost", "report_invites", "report_calls", "report_daily",
           "report_weekly", "report_monthly", "report_churn", "report_reminders", "report_prospects"]


def _generate() -> dict:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_every_function_and_script_is_wrapped_with_its_arguments() -> None:
    got = _generate()
    vba, meta = got["vba"], got["meta"]
    for name, sig in FUNCTIONS.items():
        assert f"Function {name}({sig})" in vba, name
        args = ", ".join(a.strip().removeprefix("Optional ") for a in sig.split(","))
        assert f'{name} = XLPy.CallUDF("udfs", "{name}", Array({args}), ThisWorkbook, Application.Caller)' in vba
        assert meta[name]["sub"] is False
        assert meta[name]["category"].startswith("xl_dealer")
    for name in SCRIPTS:
        assert f"Sub {name}()" in vba, name
        assert f'XLPy.CallUDF "udfs", "{name}", Array(), ThisWorkbook, Application.Caller' in vba
        assert meta[name]["sub"] is True
    declared = set(re.findall(r"^(?:Function|Sub) (\w+)\(", vba, re.M))
    assert declared == set(FUNCTIONS) | set(SCRIPTS)  # nothing else leaks into the VBA module
    # not the legacy expand="table" mode (it rewrites the formula as a CSE array)
    assert all("expand" not in a["options"] for m in meta.values() for a in m["args"])


def test_range_arguments_keep_their_shape_and_validate_gets_the_range() -> None:
    meta = _generate()["meta"]

    def opts(fn: str, arg: str) -> dict:
        return next(a["options"] for a in meta[fn]["args"] if a["name"] == arg)

    for fn, arg in [("DEALER_PHONE_OK", "phone"), ("DEALER_SATISFACTION", "scores"),
                    ("DEALER_CHECK_ROW", "header"), ("DEALER_CHECK_ROW", "row")]:
        assert opts(fn, arg).get("ndim") == 2
    assert "Range" in str(opts("DEALER_VALIDATE", "data").get("convert"))
