"""Surgical edits of an xlsx/xlsm package: the marks, notes, styles and 校验结果 sheet that
``annotate`` adds to a copy, without rewriting (or losing) the rest of the clerk's workbook.

``package`` reads and writes parts, ``sheet`` restyles cells in sheet XML, ``styles`` adds
fills and formats, ``notes`` adds comments, ``record`` remembers what we marked so marking
again starts from the clerk's workbook, ``results`` builds the 校验结果 sheet and
``marked_copy`` puts them together for one workbook. May import ``model``, ``read`` and
``render``; must not import ``rules``, ``reports``, ``samples``, ``excel``, the operations
or xlwings.
"""
