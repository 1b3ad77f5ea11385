"""The floor validate is measured against: python-calamine reading every sheet to Python lists."""

from __future__ import annotations

import sys

import python_calamine as pc


def main(path: str) -> None:
    wb = pc.CalamineWorkbook.from_path(path)
    cells = 0
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in rows)
    print(cells)


if __name__ == "__main__":
    main(sys.argv[1])
