"""From a path to tables: finding the input files (``inputs``), the pre-flight guard against
hostile packages (``guard``), the readers (``dense`` with python-calamine, ``pieces`` for a
big sheet read on several cores or from a stored copy, written by ``stored``; ``sparse`` for
a sheet whose grid would not fit), header
detection (``header``), the table of one sheet (``table``), one workbook end to end
(``workbook``), reading in worker processes (``parallel``) and the one place cell values
are normalised (``values``).

A table holds raw cells at their real Excel rows; what is *wrong* with them is for
``rules``. May import ``model`` only; must not import ``rules``, ``reports``, ``render``,
``xlsx``, ``samples``, ``excel``, the operations or xlwings.
"""
