"""Marked copies beside their workbooks: which of the two a folder run checks.

A clerk may fix cells in ``登记.checked.xlsx`` rather than in ``登记.xlsx``. A folder run
that skipped every copy ignored those fixes without a word; one that read both counted
every row twice. So each copy is paired with the workbook beside it, by what the copy's
record (``xlsx.record``, a custom XML part Excel and LibreOffice keep) says:

- the copy as we wrote it (its parts' checksums are the ones recorded), never marked
  again from a version the clerk edited: it holds nothing its workbook lacks, and is
  skipped;
- the copy edited since (its parts changed, or it lost our record: some program saved
  it), and its workbook unchanged since the copy was made: the copy is checked instead
  of the workbook;
- both changed: neither stands for the other. The workbook is checked and the copy is an
  input error that says to bring the fixes into one of them.

Only copies in the same folder as their workbook are paired: that is where annotate
writes them unless ``--out`` says otherwise.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from xl_dealer.model.language import said

NS_MARKS = "urn:xl-dealer:marks:1"
MARKED_SUFFIX = ".checked"  # annotate's copies: <name>.checked.xlsx
_RECORD_NAME = re.compile(r"customxml/item\d+\.xml", re.I)
_MAX_RECORD = 64 * 1024 * 1024


def is_marked_copy(p: Path) -> bool:
    return p.stem.lower().endswith(MARKED_SUFFIX)


def copy_path(src: Path, folder: Path | None = None) -> Path:
    """``登记.xlsx`` → ``登记.checked.xlsx`` in ``folder`` (default: beside it); a copy keeps its name."""
    name = src.name if is_marked_copy(src) else f"{src.stem}{MARKED_SUFFIX}{src.suffix.lower()}"
    return (folder if folder is not None else src.parent) / name


def package_digest(entries: Iterable[tuple[str, int]], exclude: str | None) -> str:
    """A digest of a package's part names and CRC-32s, but for our record's own part: what a
    program that saves the file (Excel, WPS, LibreOffice all rewrite every part) changes."""
    import hashlib  # only for a marked copy's record: OpenSSL's import is 4 ms of a clerk's start-up

    h = hashlib.sha1()
    skip = (exclude or "").replace("\\", "/").lower()
    for name, crc in sorted((n.replace("\\", "/"), c) for n, c in entries):
        if name.lower() != skip:
            h.update(f"{name}\0{crc & 0xFFFFFFFF:08x}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Marking:
    """What a marked copy's record says about it."""

    recorded: bool  # our record is there
    edited: bool  # it has the clerk's changes: saved since we wrote it, or marked again from such a version
    source: str | None = None  # the workbook it was made from (a file name)
    source_version: tuple[int, int] | None = None  # that workbook's (size, mtime ns) when the copy was made
    results: str | None = None  # the name of our 校验结果 sheet in it


def read_marking(path: Path) -> Marking | None:
    """The marking of a copy; None when it is no readable zip (reading it will say why)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            for info in infos:
                name = info.filename.replace("\\", "/")
                if not _RECORD_NAME.fullmatch(name) or info.file_size > _MAX_RECORD:
                    continue
                with z.open(info) as f:
                    head = f.read(4096)
                if NS_MARKS.encode() not in head:
                    continue
                attrs = _root_attrs(head)
                digest = package_digest(((i.filename, i.CRC) for i in infos), info.filename)
                edited = attrs.get("fixes") == "1" or attrs.get("package") != digest
                version = None
                try:
                    version = (int(attrs["source_size"]), int(attrs["source_mtime"]))
                except (KeyError, ValueError):
                    pass
                return Marking(True, edited, attrs.get("source") or None, version, attrs.get("results") or None)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        return None
    return Marking(False, True)


def _root_attrs(head: bytes) -> dict[str, str]:
    import html

    m = re.search(rb"<(?:[\w.-]+:)?marks\b([^>]*)>", head)
    if not m:
        return {}
    return {k.decode(): html.unescape(v.decode("utf-8", "replace"))
            for k, v in re.findall(rb'\s([\w.-]+)\s*=\s*"([^"]*)"', m[1])}


def source_of(copy: Path, marking: Marking | None) -> Path | None:
    """The workbook beside ``copy`` it was made from, if it is there."""
    names = []
    if marking is not None and marking.source:
        names.append(Path(marking.source).name)
    base = copy.stem[: -len(MARKED_SUFFIX)]
    names += [base + copy.suffix, base + copy.suffix.lower(), base + copy.suffix.upper()]
    for name in names:
        p = copy.parent / name
        if p != copy and p.is_file():
            return p
    return None


def _version(p: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(p)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class Pair:
    """A workbook and its marked copy beside it, and which of them a folder run checks."""

    source: Path
    copy: Path
    state: str  # "copy_untouched" | "copy_checked" | "both_changed" | "copy_unreadable"


def pair_of_copy(copy: Path) -> Pair | None:
    """The pair a copy found in a folder belongs to; None when its workbook is not beside it."""
    marking = read_marking(copy)
    source = source_of(copy, marking)
    if source is None:
        return None
    return Pair(source, copy, _state(source, copy, marking))


def pair_of_source(source: Path) -> Pair | None:
    """The pair a workbook found in a folder belongs to; None when no copy of it is beside it."""
    if is_marked_copy(source) or source.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    copy = copy_path(source)
    if not copy.is_file():
        return None
    marking = read_marking(copy)
    if source_of(copy, marking) != source:
        return None
    return Pair(source, copy, _state(source, copy, marking))


def _state(source: Path, copy: Path, marking: Marking | None) -> str:
    if marking is None:
        return "copy_unreadable"
    if not marking.edited:
        return "copy_untouched"
    now = _version(source)
    if marking.source_version is not None:
        changed = now != marking.source_version
    else:  # no record of the workbook's version (the record was lost): the later save wins the doubt
        copied = _version(copy)
        changed = now is None or copied is None or now[1] > copied[1]
    return "both_changed" if changed else "copy_checked"


def has_fixes(copy: Path) -> bool:
    """Does this existing copy hold changes of the clerk's (so it must not be replaced by a
    new copy of its workbook)? A file that is no readable package is not a copy of ours."""
    marking = read_marking(copy)
    return marking is not None and marking.edited


def in_folder(path: Path) -> tuple[str, str] | None:
    """What a folder run does with ``path`` because of a marked copy: ("skipped", why) or
    ("error", why), or None to check it as usual."""
    if is_marked_copy(path):
        pair = pair_of_copy(path)
        if pair is None:  # alone: what it holds is nowhere else in this folder
            marking = read_marking(path)
            if marking is not None and not marking.edited:
                return "skipped", (said("xl-dealer 的标记副本，标记后没有改动，已跳过", "a marked copy from xl-dealer annotate, unchanged since marking: skipped"))
            return None
        if pair.state == "copy_untouched":
            return "skipped", said("xl-dealer 的标记副本，标记后没有改动，已跳过（检查的是原表）",
                                "a marked copy from xl-dealer annotate, unchanged since marking: skipped (its workbook is checked)")
        if pair.state == "both_changed":
            return "error", (said(f"这个标记副本在标记后改过，原表 {pair.source.name} 此后也改过：两份都有改动，只检查了原表，副本里的改正没有计入。请把改正抄到其中一份，再删除另一份", f"this marked copy was edited after marking and {pair.source.name} has changed since as well: only {pair.source.name} is checked, the fixes in this copy are not. Bring them into one of the two files and delete the other"))
        return None
    pair = pair_of_source(path)
    if pair is not None and pair.state == "copy_checked":
        return "skipped", said(f"它的标记副本 {pair.copy.name} 在标记后改过，检查的是副本（这个原表此后没有改动）",
                            f"its marked copy {pair.copy.name} was edited after marking and this workbook has not changed "
                            "since: the copy is checked instead")
    return None
