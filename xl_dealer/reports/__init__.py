"""Manager reports (SPEC §4): data first (``model.Report``), rendered by openpyxl or xlwings."""
