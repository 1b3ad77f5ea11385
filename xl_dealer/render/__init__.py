"""Findings and reports drawn for people and programs: the text output (``text``), the
校验结果 rows and note texts (``results``), report workbooks with openpyxl (``reports``),
the rule catalogue as Markdown (``catalogue``) and writing any output atomically
(``outputs``).

Renderers consume findings and report data; they never decide what is wrong or what a
number is. May import ``model``, ``read``, ``rules`` and ``reports``; must not import
``xlsx``, ``samples``, ``excel``, the operations or xlwings.
"""
