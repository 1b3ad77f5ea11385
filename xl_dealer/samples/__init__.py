"""Sample workbooks with planted mistakes, for the demo, the tests and the benchmarks.

``showroom`` (visitor log and test drives), ``followup`` (cards and log) and ``service``
(after-service calls, complaints, service history) build rows that are messy the way real
ones are and record every mistake they plant; ``common`` holds what they share and writes
a workbook as a clerk keeps it. May import ``model``, ``read`` and ``rules`` (to plant
mistakes the rules will find); must not import ``reports``, ``render``, ``xlsx``,
``excel``, the operations or xlwings.
"""

from xl_dealer.samples.common import SheetData, id_number, write_workbook
from xl_dealer.samples.showroom import generate

__all__ = ["SheetData", "generate", "id_number", "write_workbook"]
