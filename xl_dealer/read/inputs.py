"""Finding the input files: folders walked, workbooks named twice read once, and our own
outputs (reports, marked copies) told apart from the clerks' workbooks."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from xl_dealer.read.copies import MARKED_SUFFIX, is_marked_copy, pair_of_copy, pair_of_source  # noqa: F401

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
GENERATED_PROPERTY = "xl_dealer.generated"  # custom document property on the workbooks we write


def generated_by_us(path: Path) -> str | None:
    """What we wrote this workbook as ("report"), read from its custom properties; None for a clerk's."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("docProps/custom.xml")
            if info.file_size > 1_000_000:
                return None
            data = z.read(info)
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    import re

    m = re.search(rb'name="' + re.escape(GENERATED_PROPERTY.encode()) + rb'"[^>]*>\s*<vt:lpwstr>([^<]*)<', data)
    return m[1].decode() if m else None


def collect_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, bool]]:
    """(file, came from a folder) for files as given and folders expanded (recursively, sorted).

    A folder that cannot be read (no permission, gone) is kept as an input of its own, which
    ``read_file`` reports as unreadable: a walk that skipped it in silence published a report
    without that month. Anything in a folder named like a workbook that is not one (a broken
    link, a FIFO) is kept too, and told apart the same way; hidden folders are not entered."""
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = _walk(p)
            out.extend((q, True) for q in found if _first(q, seen))
        elif _first(p, seen):
            out.append((p, False))
    return out


def paired(inputs: list[tuple[Path, bool]]) -> list[tuple[Path, bool]]:
    """``inputs`` with a named workbook and its marked copy, named too (``validate a.xlsx
    a.checked.xlsx``, or ``*.xlsx`` in a shell), read as a folder reads the two: the one with
    the clerk's latest fixes is checked, never both (every row counted twice otherwise)."""
    at = {_key(p): i for i, (p, _) in enumerate(inputs)}
    out = list(inputs)
    for i, (p, from_folder) in enumerate(inputs):
        if from_folder or p.suffix.lower() not in (".xlsx", ".xlsm"):
            continue
        copy = is_marked_copy(p)
        pair = pair_of_copy(p) if copy else pair_of_source(p)
        j = None if pair is None else at.get(_key(pair.source if copy else pair.copy))
        if j is not None:
            out[i], out[j] = (p, True), (inputs[j][0], True)
    return out


def _key(p: Path) -> Path:
    try:
        return p.resolve()
    except (OSError, RuntimeError):  # a link loop: read_file says so
        return p.absolute()


def _walk(top: Path) -> list[Path]:
    found: list[Path] = []

    def unreadable(e: OSError) -> None:
        found.append(Path(e.filename) if e.filename else top)

    # lock files (~$x.xlsx) and hidden files (.x.xlsx, macOS ._x.xlsx) are kept so read_file can
    # list them as skipped
    visited: set[str] = set()
    # links to folders are followed (a month kept elsewhere), each real folder entered once (no loops)
    for folder, dirs, files in os.walk(top, onerror=unreadable, followlinks=True):
        real = os.path.realpath(folder)
        if real in visited:
            dirs[:] = []
            continue
        visited.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if Path(name).suffix.lower() in EXTENSIONS:
                found.append(Path(folder) / name)
    return sorted(found)


def _first(p: Path, seen: set[Path]) -> bool:
    """A workbook named twice (or in a folder and by name) is read once: counted twice, every
    finding and report number would double."""
    key = _key(p)
    if key in seen:
        return False
    seen.add(key)
    return True


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given, folders expanded (recursively, sorted) to their workbooks."""
    return [p for p, _ in collect_inputs(paths)]
