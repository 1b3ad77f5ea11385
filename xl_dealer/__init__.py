"""xl_dealer: checks and summary sheets for car-dealership (4S店) Excel workbooks.

The Python API has the same names as the ``xl-dealer`` commands::

    from xl_dealer import validate
    result = validate(["来店登记.xlsx", "跟进卡.xlsx"], as_of="2026-11-27")
    result.findings, result.to_json(), result.exit_code("error")
    annotate(["来店登记.xlsx"], out="checked/")  # marked copies, sources untouched

Imports are lazy so the command line starts fast.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__version__ = "0.1.0"

_API = {
    "validate": "xl_dealer.validate",
    "annotate": "xl_dealer.annotate",
    "report": "xl_dealer.report",
    "build_report": "xl_dealer.reports",
    "templates": "xl_dealer.templates",
    "load_config": "xl_dealer.model.config",
    "demo": "xl_dealer.demo",
    "Finding": "xl_dealer.model.findings",
    "KINDS": "xl_dealer.model.kinds",
}

__all__ = list(_API)


class _Package(types.ModuleType):
    """Keeps ``xl_dealer.validate`` the function even after the module of that name is imported.

    The import system binds each submodule on its package (``xl_dealer.validate = <module>``);
    for the API names the function, not the module, is what users mean.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(name)
