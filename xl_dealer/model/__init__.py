"""What a workbook is: the declarations everything else reads.

Field types (``schema``), the workbook kinds built from them (``kinds``), the rule
catalogue with its stable ids (``catalogue``), findings (``findings``), the clerks'
messages (``messages``), the store's settings (``config``) and the one error that reaches
a user as a clear line (``errors``). Declarations only: nothing here reads a file, checks
a cell or draws a sheet. Must not import any other package of xl_dealer (``read``,
``rules``, ``reports``, ``render``, ``xlsx``, ``samples``, ``excel``) nor the operations,
and never xlwings.
"""
