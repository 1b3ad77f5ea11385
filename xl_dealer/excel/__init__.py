"""The Excel side (xlwings, open-source part only): macros on an open book, report rendering,
and the ``@xw.script`` entry points in ``scripts``.

The engine never imports xlwings; of this package only ``scripts`` does, so the macros
can be tested with a fake book on any machine.
"""

from xl_dealer.excel.macros import build_report, clear_marks, validate

__all__ = ["build_report", "clear_marks", "validate"]
