"""The Excel side (xlwings, open-source part only): macros on an open book, report rendering,
and the ``@xw.script`` entry points in ``scripts``.

The same operations as headless, over a live book: values in through ``book`` and ``grid``,
findings marked by ``marks`` and listed by ``results``, reports drawn by ``reports``. The
engine never imports xlwings; of this package only ``scripts`` does, so the macros can be
tested with a fake book on any machine. Nothing of xl_dealer imports ``excel`` (only the
``udfs`` package beside it).
"""

from xl_dealer.excel.macros import build_report, clear_marks, validate

__all__ = ["build_report", "clear_marks", "validate"]
