"""An in-memory stand-in for the part of xlwings' Book/Sheet/Range the macros use.

Values are kept the way pywin32 delivers them (floats for numbers, naive datetimes
for dates and times, None for blanks), and the fakes raise where real xlwings/Excel
raise (a second note on a cell, a duplicate sheet or table name, hiding the last
visible sheet). tests/test_excel_contract.py checks every public member, parameter
name and settable property here against xlwings 0.37.8; helpers only tests use
start with an underscore and are exempt.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

Cell = tuple[int, int]
ERRORS = {"#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"}
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def col_letters(c: int) -> str:
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def parse_cell(ref: str) -> Cell:
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError(f"bad cell reference {ref!r}")
    n = 0
    for ch in m[1].upper():
        n = n * 26 + ord(ch) - 64
    return int(m[2]), n


def parse_areas(address: str) -> list[tuple[int, int, int, int]]:
    areas = []
    for part in address.split(","):
        a, _, b = part.partition(":")
        r1, c1 = parse_cell(a)
        r2, c2 = parse_cell(b) if b else (r1, c1)
        areas.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return areas


def excel_value(v: Any) -> Any:
    """What a cell holds after Python writes ``v`` and pywin32 reads it back."""
    if v == "" or v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, dt.time):
        return dt.datetime(1899, 12, 30, v.hour, v.minute, v.second)
    return v


def to_rgb(colour: Any) -> tuple[int, int, int] | None:
    if colour is None:
        return None
    if isinstance(colour, str):
        h = colour.lstrip("#")
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    if isinstance(colour, int):
        return (colour & 0xFF, colour >> 8 & 0xFF, colour >> 16 & 0xFF)
    return tuple(colour)  # type: ignore[return-value]


class App:
    def __init__(self) -> None:
        self._screen_updating = True
        self._status_bar: str | bool = False
        self._statuses: list[str | bool] = []

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._screen_updating = value

    @property
    def status_bar(self) -> str | bool:
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self._status_bar = value
        self._statuses.append(value)


class Book:
    def __init__(self, fullname: str = "C:\\4S\\registration.xlsm", app: App | None = None) -> None:
        self._fullname = fullname
        self._app = app or App()
        self._sheets: list[Sheet] = []
        self._active: Sheet | None = None
        self._table_names: set[str] = set()

    @property
    def name(self) -> str:
        return re.split(r"[\\/]", self._fullname)[-1]

    @property
    def fullname(self) -> str:
        return self._fullname

    @property
    def app(self) -> App:
        return self._app

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    def _sheet(self, name: str, rows: list[list[Any]] | None = None) -> Sheet:
        s = self.sheets.add(name, after=self._sheets[-1] if self._sheets else None)
        if rows:
            width = max(len(r) for r in rows)
            s.range("A1").value = [list(r) + [None] * (width - len(r)) for r in rows]
        return s


class Sheets:
    def __init__(self, book: Book) -> None:
        self._book = book

    def __iter__(self) -> Iterator[Sheet]:
        return iter(list(self._book._sheets))

    def __len__(self) -> int:
        return len(self._book._sheets)

    def __getitem__(self, key: int | str) -> Sheet:
        if isinstance(key, int):
            return self._book._sheets[key]
        for s in self._book._sheets:
            if s.name.lower() == key.lower():
                return s
        raise KeyError(key)

    @property
    def active(self) -> Sheet:
        assert self._book._active is not None
        return self._book._active

    def add(self, name: str | None = None, before: Sheet | None = None, after: Sheet | None = None) -> Sheet:
        sheets = self._book._sheets
        name = name or f"Sheet{len(sheets) + 1}"
        if name.lower() in (s.name.lower() for s in sheets):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        if len(name) > 31 or any(ch in name for ch in "[]:*?/\\"):
            raise ValueError(f"invalid sheet name {name!r}")
        s = Sheet(self._book, name)
        if before is not None:
            sheets.insert(sheets.index(before), s)
        elif after is not None:
            sheets.insert(sheets.index(after) + 1, s)
        else:
            sheets.insert(0, s)  # Excel adds before the active sheet; first is close enough
        self._book._active = s
        return s


class Sheet:
    def __init__(self, book: Book, name: str) -> None:
        self._book = book
        self._name = name
        self._visible = True
        self._clear()

    def _clear(self) -> None:
        self._values: dict[Cell, Any] = {}
        self._colours: dict[Cell, tuple[int, int, int]] = {}
        self._notes: dict[Cell, Note] = {}
        self._links: dict[Cell, tuple[str, str, str]] = {}
        self._formats: dict[Cell, str] = {}
        self._fonts: dict[Cell, dict[str, Any]] = {}
        self._widths: dict[int, float] = {}
        self._autofit: list[tuple[int, int, int, int]] = []
        self._row_autofit: list[tuple[int, int, int, int]] = []
        self._wrapped: set[Cell] = set()
        self._align: dict[Cell, dict[str, Any]] = {}  # "vertical", "horizontal", "indent" per cell
        self._heights: dict[int, float] = {}
        self._merged: list[tuple[int, int, int, int]] = []
        self._tables: list[Table] = []
        self._charts: list[Chart] = []
        self._frozen: str | None = None

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def book(self) -> Book:
        return self._book

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        if not value and sum(s._visible for s in self._book._sheets) == 1 and self._visible:
            raise RuntimeError("Excel cannot hide the last visible sheet")
        self._visible = value

    def range(self, cell1: Any, cell2: Any = None) -> Range:
        if isinstance(cell1, Range):
            areas = list(cell1._areas)
        elif isinstance(cell1, tuple):
            areas = [(cell1[0], cell1[1], cell1[0], cell1[1])]
        else:
            areas = parse_areas(cell1)
        if cell2 is not None:
            end = cell2._areas[0] if isinstance(cell2, Range) else (
                (cell2[0], cell2[1], cell2[0], cell2[1]) if isinstance(cell2, tuple) else parse_areas(cell2)[0])
            r1, c1 = areas[0][0], areas[0][1]
            areas = [(min(r1, end[2]), min(c1, end[3]), max(r1, end[2]), max(c1, end[3]))]
        return Range(self, areas)

    def __getitem__(self, item: str) -> Range:
        return self.range(item)

    @property
    def used_range(self) -> Range:
        used = set(self._values) | set(self._colours) | set(self._formats)
        if not used:
            return Range(self, [(1, 1, 1, 1)])
        rows = [r for r, _ in used]
        cols = [c for _, c in used]
        return Range(self, [(min(rows), min(cols), max(rows), max(cols))])

    @property
    def notes(self) -> Notes:
        return Notes(self)

    @property
    def tables(self) -> Tables:
        return Tables(self)

    @property
    def charts(self) -> Charts:
        return Charts(self)

    @property
    def freeze_panes(self) -> FreezePanes:
        return FreezePanes(self)

    def clear(self) -> None:
        for t in self._tables:
            self._book._table_names.discard(t.name.lower())
        self._clear()

    def delete(self) -> None:
        sheets = self._book._sheets
        if len(sheets) == 1:
            raise RuntimeError("a workbook must contain at least one sheet")
        for t in self._tables:
            self._book._table_names.discard(t.name.lower())
        i = sheets.index(self)
        sheets.remove(self)
        if self._book._active is self:
            self._book._active = sheets[max(0, i - 1)]

    def activate(self) -> None:
        if not self._visible:
            raise RuntimeError("cannot activate a hidden sheet")
        self._book._active = self

    # helpers for tests
    def _cells(self) -> list[list[Any]]:
        used = self.used_range
        return used.options(ndim=2).value

    def _value(self, ref: str) -> Any:
        return self._values.get(parse_cell(ref))


class Range:
    def __init__(self, sheet: Sheet, areas: list[tuple[int, int, int, int]], options: dict | None = None) -> None:
        self._sheet = sheet
        self._areas = areas
        self._options = options or {}

    def _cellset(self) -> list[Cell]:
        return [(r, c) for r1, c1, r2, c2 in self._areas for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

    def _one(self) -> Cell:
        if self.shape != (1, 1):
            raise ValueError("A note can only be added to a single cell")
        return self._areas[0][0], self._areas[0][1]

    @property
    def sheet(self) -> Sheet:
        return self._sheet

    @property
    def row(self) -> int:
        return self._areas[0][0]

    @property
    def column(self) -> int:
        return self._areas[0][1]

    @property
    def shape(self) -> tuple[int, int]:
        r1, c1, r2, c2 = self._areas[0]
        return (r2 - r1 + 1, c2 - c1 + 1)

    @property
    def count(self) -> int:
        return len(self._cellset())

    @property
    def address(self) -> str:
        parts = []
        for r1, c1, r2, c2 in self._areas:
            a = f"${col_letters(c1)}${r1}"
            parts.append(a if (r1, c1) == (r2, c2) else f"{a}:${col_letters(c2)}${r2}")
        return ",".join(parts)

    def options(self, convert: Any = None, **options: Any) -> Range:
        return Range(self._sheet, self._areas, {**options, "convert": convert})

    @property
    def value(self) -> Any:
        r1, c1, r2, c2 = self._areas[0]
        err = self._options.get("err_to_str", False)

        def get(r: int, c: int) -> Any:
            v = self._sheet._values.get((r, c))
            return None if (not err and isinstance(v, str) and v in ERRORS) else v

        rows = [[get(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if self._options.get("ndim") == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(r) == 1 for r in rows):
            return [r[0] for r in rows]
        return rows

    @value.setter
    def value(self, data: Any) -> None:
        r0, c0 = self.row, self.column
        if isinstance(data, list | tuple):
            rows = data if data and all(isinstance(r, list | tuple) for r in data) else [data]
            widths = {len(r) for r in rows}
            if len(widths) > 1:
                raise ValueError("jagged arrays are not supported")  # as xlwings' _check_not_jagged
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    self._put((r0 + i, c0 + j), v)
        else:
            for cell in self._cellset():
                self._put(cell, data)

    def _put(self, cell: Cell, v: Any) -> None:
        v = excel_value(v)
        if v is None:
            self._sheet._values.pop(cell, None)
        else:
            self._sheet._values[cell] = v

    @property
    def color(self) -> tuple[int, int, int] | None:
        colours = {self._sheet._colours.get(c) for c in self._cellset()}
        return colours.pop() if len(colours) == 1 else None

    @color.setter
    def color(self, color_or_rgb: Any) -> None:
        rgb = to_rgb(color_or_rgb)
        for c in self._cellset():
            if rgb is None:
                self._sheet._colours.pop(c, None)
            else:
                self._sheet._colours[c] = rgb

    @property
    def note(self) -> Note | None:
        return self._sheet._notes.get((self.row, self.column))

    def add_note(self, text: str) -> Note:
        if not isinstance(text, str):
            raise TypeError("Note text must be a string")
        if not text:
            raise ValueError("Note text must not be empty")
        cell = self._one()
        if cell in self._sheet._notes:
            raise ValueError("This cell already has a note")
        note = Note(self._sheet, cell, text)
        self._sheet._notes[cell] = note
        return note

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        cell = (self.row, self.column)
        shown = address if text_to_display is None else text_to_display
        self._sheet._links[cell] = (address, shown, screen_tip or "")
        self._put(cell, shown)

    @property
    def number_format(self) -> str:
        return self._sheet._formats.get((self.row, self.column), "General")

    @number_format.setter
    def number_format(self, value: str) -> None:
        for c in self._cellset():
            self._sheet._formats[c] = value

    @property
    def column_width(self) -> float | None:
        return self._sheet._widths.get(self.column)

    @column_width.setter
    def column_width(self, value: float) -> None:
        for _, c1, _, c2 in self._areas:
            for c in range(c1, c2 + 1):
                self._sheet._widths[c] = value

    @property
    def font(self) -> Font:
        return Font(self)

    @property
    def columns(self) -> RangeColumns:
        return RangeColumns(self)

    @property
    def rows(self) -> RangeRows:
        return RangeRows(self)

    @property
    def wrap_text(self) -> bool | None:
        cells = list(self._cellset())
        wrapped = [c in self._sheet._wrapped for c in cells]
        return wrapped[0] if len(set(wrapped)) == 1 else None

    @wrap_text.setter
    def wrap_text(self, value: bool) -> None:
        for c in self._cellset():
            if value:
                self._sheet._wrapped.add(c)
            else:
                self._sheet._wrapped.discard(c)


    def _set_align(self, key: str, value: Any) -> None:
        for c in self._cellset():
            self._sheet._align.setdefault(c, {})[key] = value

    def _get_align(self, key: str) -> Any:
        got = {self._sheet._align.get(c, {}).get(key) for c in self._cellset()}
        return got.pop() if len(got) == 1 else None

    @property
    def vertical_alignment(self) -> str | None:
        return self._get_align("vertical")

    @vertical_alignment.setter
    def vertical_alignment(self, value: str) -> None:
        if value not in ("top", "center", "bottom", "justify", "distributed"):
            raise ValueError(f"not a vertical alignment: {value!r}")
        self._set_align("vertical", value)

    @property
    def horizontal_alignment(self) -> str | None:
        return self._get_align("horizontal")

    @horizontal_alignment.setter
    def horizontal_alignment(self, value: str) -> None:
        if value not in ("general", "left", "center", "right", "fill", "justify", "center_across_selection",
                         "distributed"):
            raise ValueError(f"not a horizontal alignment: {value!r}")
        self._set_align("horizontal", value)

    @property
    def row_height(self) -> float | None:
        heights = {self._sheet._heights.get(r) for r1, _, r2, _ in self._areas for r in range(r1, r2 + 1)}
        return heights.pop() if len(heights) == 1 else None

    @row_height.setter
    def row_height(self, value: float) -> None:
        if not 0 <= value <= 409.5:
            raise ValueError("row_height must be between 0 and 409.5")  # as Excel refuses it
        for r1, _, r2, _ in self._areas:
            for r in range(r1, r2 + 1):
                self._sheet._heights[r] = value

    def merge(self, across: bool = False) -> None:
        self._sheet._merged.extend(self._areas)

    @property
    def api(self) -> RangeApi:
        """Excel's own Range object (COM on Windows): only what the macros set on it."""
        return RangeApi(self)


class RangeApi:
    def __init__(self, rng: Range) -> None:
        object.__setattr__(self, "_rng", rng)

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "IndentLevel" or not (isinstance(value, int) and 0 <= value <= 15):
            raise AttributeError(f"the fake Excel Range has no settable {name!r} = {value!r}")
        self._rng._set_align("indent", value)


class RangeColumns:
    def __init__(self, rng: Range) -> None:
        self._rng = rng

    def autofit(self) -> None:
        self._rng._sheet._autofit.extend(self._rng._areas)


class RangeRows:
    def __init__(self, rng: Range) -> None:
        self._rng = rng

    def autofit(self) -> None:
        self._rng._sheet._row_autofit.extend(self._rng._areas)


class Font:
    def __init__(self, rng: Range) -> None:
        self._rng = rng

    def _get(self, key: str) -> Any:
        return self._rng._sheet._fonts.get((self._rng.row, self._rng.column), {}).get(key)

    def _set(self, key: str, value: Any) -> None:
        for c in self._rng._cellset():
            self._rng._sheet._fonts.setdefault(c, {})[key] = value

    @property
    def bold(self) -> bool | None:
        return self._get("bold")

    @bold.setter
    def bold(self, value: bool) -> None:
        self._set("bold", value)

    @property
    def size(self) -> float | None:
        return self._get("size")

    @size.setter
    def size(self, value: float) -> None:
        self._set("size", value)

    @property
    def color(self) -> tuple[int, int, int] | None:
        return self._get("color")

    @color.setter
    def color(self, color_or_rgb: Any) -> None:
        self._set("color", to_rgb(color_or_rgb))


class Note:
    def __init__(self, sheet: Sheet, cell: Cell, text: str) -> None:
        self._sheet = sheet
        self._cell = cell
        self._text = text

    @property
    def text(self) -> str:
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    def delete(self) -> None:
        self._sheet._notes.pop(self._cell, None)


class Notes:
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def __iter__(self) -> Iterator[Note]:
        return iter(list(self._sheet._notes.values()))

    def __len__(self) -> int:
        return len(self._sheet._notes)


class Table:
    def __init__(self, name: str, rng: Range, style: str) -> None:
        self._name = name
        self._range = rng
        self._style = style

    @property
    def name(self) -> str:
        return self._name

    @property
    def range(self) -> Range:
        return self._range


class Tables:
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def __iter__(self) -> Iterator[Table]:
        return iter(list(self._sheet._tables))

    def __len__(self) -> int:
        return len(self._sheet._tables)

    def add(self, source: Range | None = None, name: str | None = None, source_type: str | None = None,
            link_source: bool | None = None, has_headers: bool = True, destination: Range | None = None,
            table_style_name: str = "TableStyleMedium2") -> Table:
        if not isinstance(source, Range):
            raise TypeError("'source' must be a Range")
        book = self._sheet._book
        name = name or f"Table{len(book._table_names) + 1}"
        if name.lower() in book._table_names:
            raise ValueError(f"a table named {name!r} already exists in the workbook")
        new = set(source._cellset())
        if any(new & set(t.range._cellset()) for t in self._sheet._tables):
            raise ValueError("tables cannot overlap")
        book._table_names.add(name.lower())
        t = Table(name, source, table_style_name)
        self._sheet._tables.append(t)
        return t


class FreezePanes:
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def freeze_at(self, frozen_range: str | Range) -> None:
        self._sheet._frozen = frozen_range if isinstance(frozen_range, str) else frozen_range.address

    def unfreeze(self) -> None:
        self._sheet._frozen = None


class Chart:
    def __init__(self, anchor: Range | None) -> None:
        self._anchor = anchor
        self._type: str | None = None
        self._source: Range | None = None
        self._title: str | None = None

    @property
    def chart_type(self) -> str | None:
        return self._type

    @chart_type.setter
    def chart_type(self, value: str) -> None:
        from xlwings.base_classes import CHART_TYPES  # the names real xlwings accepts

        if value not in CHART_TYPES:
            raise ValueError(f"invalid chart type {value!r}")
        self._type = value

    @property
    def title(self) -> str | None:
        return self._title

    @title.setter
    def title(self, value: str | None) -> None:
        self._title = value

    def set_source_data(self, source: Range, plot_by: str | None = None) -> None:
        self._source = source


class Charts:
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def __len__(self) -> int:
        return len(self._sheet._charts)

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211,
            chart_type: str | None = None, source: Range | None = None, plot_by: str | None = None,
            name: str | None = None, anchor: Range | None = None, style: int | None = 227) -> Chart:
        if anchor is not None and (left or top):
            raise ValueError("You must either provide 'anchor' or 'top'/'left', but not both.")
        c = Chart(anchor)
        self._sheet._charts.append(c)
        return c


def book_from_xlsx(path: str, fullname: str | None = None) -> Book:
    """A fake open book holding a saved workbook's values as pywin32 would read them."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    book = Book(fullname or str(path))
    for ws in wb.worksheets:
        s = book.sheets.add(ws.title, after=book._sheets[-1] if book._sheets else None)
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and c.value != "":
                    s._values[(c.row, c.column)] = excel_value(c.value)
        if ws.sheet_state != "visible":
            s._visible = False
    book._active = next(s for s in book._sheets if s._visible)
    return book
