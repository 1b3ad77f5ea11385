"""Where the sheets of an .xlsx/.xlsm are, found the way python-calamine finds them.

The guard must look at exactly the parts calamine will read (a sheet at ``xl/data/S.XML``
or with no extension at all is as much a sheet as ``xl/worksheets/sheet1.xml``), the
sparse reader and the formula-error scan must read the same parts, and annotate must mark
them. So the one map from sheet names to zip members lives here, following calamine
0.37's own rules (``src/xlsx/mod.rs``):

- ``_rels/.rels`` names the workbook; the folder of that target is the package's ``xl``
  folder, and the workbook is always ``<folder>workbook.xml`` with its relationships in
  ``<folder>_rels/workbook.xml.rels``;
- a relationship's target is taken from the zip root when it starts with ``/``, else
  appended to that folder as it is;
- members are looked up case-insensitively, with ``\\`` read as ``/`` (some Windows tools
  write such names).

Unlike calamine, a sheet whose relationship is missing (a hidden sheet with ``r:id=""``)
or whose type calamine does not know (an Excel 4 macro sheet) does not make the whole
workbook unreadable here: it is listed with its type, and the reader skips it.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache

from xl_dealer.model.errors import InputError
from xl_dealer.model.language import said

# the kinds of sheet a workbook lists, by the last word of the relationship type
WORKSHEET = "worksheet"


@dataclass(frozen=True, slots=True)
class SheetRef:
    name: str
    kind: str  # worksheet, chartsheet, dialogsheet, xlMacrosheet, ... ("" when no relationship)
    target: str  # the member path calamine asks for ("" when there is no relationship)
    member: str | None  # the zip member that path finds, None when there is none

    @property
    def is_worksheet(self) -> bool:
        return self.kind == WORKSHEET and self.member is not None


class Members:
    """A zip's member names as calamine looks them up: lower case, backslashes read as slashes.
    Every member of a name is kept: a zip may hold two entries of one name."""

    def __init__(self, z: zipfile.ZipFile) -> None:
        self.infos: dict[str, list[zipfile.ZipInfo]] = {}
        for info in z.infolist():
            self.infos.setdefault(_key(info.filename), []).append(info)

    def find(self, path: str) -> zipfile.ZipInfo | None:
        """The member calamine reads for ``path`` (the last of a name, as the zip crate does)."""
        found = self.infos.get(_key(path))
        return found[-1] if found else None

    def all(self, path: str) -> list[zipfile.ZipInfo]:
        return self.infos.get(_key(path), [])


def _key(name: str) -> str:
    return name.replace("\\", "/").lower()


_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _read(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A small part as calamine reads it: a bad checksum is not checked (calamine does not)."""
    with z.open(info) as fh:
        fh._expected_crc = None  # type: ignore[attr-defined]
        return fh.read()


def tags(data: bytes, name: bytes) -> list[dict[str, str]]:
    """The attributes of every ``name`` element, read as leniently as calamine's quick-xml
    reads them (no validation, no entities expanded): a workbook with an unescaped ``&`` in
    a hyperlink's relationship opens in Excel and reads in calamine, so it reads here (and in
    annotate) too. A prefixed attribute ``r:id`` is given as ``id``."""
    out = []
    for m in _tag_re(name).finditer(data):
        attrs = {}
        for a in _ATTR.finditer(m[1]):
            key = a[1].decode("utf-8", "replace")
            attrs[key.rsplit(":", 1)[-1] if key.endswith(":id") else key] = \
                (a[2] if a[2] is not None else a[3]).decode("utf-8", "replace")
        out.append(attrs)
    return out


@lru_cache(maxsize=16)
def _tag_re(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<(?:[\w.-]+:)?" + re.escape(name) + rb"(?=[\s/>])([^>]*)>")


def sheet_refs(z: zipfile.ZipFile, members: Members | None = None, path: str = "") -> list[SheetRef]:
    """Every sheet the workbook lists, in order, with the member calamine reads for it.

    Raises InputError when the package names no workbook, or a part cannot be inflated."""
    members = members or Members(z)
    try:
        root = members.find("_rels/.rels")
        if root is None:
            raise InputError(path, said("不是 Excel 工作簿：缺少 _rels/.rels", "not a workbook: the package has no _rels/.rels"))
        target = next((rel.get("Target", "") for rel in tags(_read(z, root), b"Relationship")
                       if rel.get("Type", "").endswith("/relationships/officeDocument")), None)
        if target is None:
            raise InputError(path, said("不是 Excel 工作簿：找不到工作簿部件", "not a workbook: no workbook part is named"))
        folder = target[:target.rfind("/") + 1].lstrip("/")
        wb_info = members.find(folder + "workbook.xml")
        rels_info = members.find(folder + "_rels/workbook.xml.rels")
        if wb_info is None:
            raise InputError(path, said("文件已损坏：缺少工作簿部件", "damaged: the workbook part is missing"))
        rels: dict[str, tuple[str, str]] = {}
        if rels_info is not None:
            for rel in tags(_read(z, rels_info), b"Relationship"):
                if "Id" in rel:
                    rels[rel["Id"]] = (rel.get("Target", ""), rel.get("Type", ""))
        out = []
        for el in tags(_read(z, wb_info), b"sheet"):
            name = unescape(el.get("name", ""))
            rid = el.get("id", "")
            if rid not in rels:
                out.append(SheetRef(name, "", "", None))
                continue
            t, typ = rels[rid]
            p = t[1:] if t.startswith("/") else folder + t
            info = members.find(p)
            out.append(SheetRef(name, typ.rsplit("/", 1)[-1], p, info.filename if info else None))
        return out
    except InputError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as e:
        raise InputError(path, said(f"文件已损坏，无法解压（{e}）", f"damaged: a part cannot be inflated ({e})")) from None


def sheet_members(refs: list[SheetRef]) -> dict[str, str]:
    """Worksheet name → its zip member."""
    return {r.name: r.member for r in refs if r.is_worksheet and r.member is not None}


def unescape(text: str) -> str:
    """html.unescape, imported when a name needs it (most do not; a start costs less without)."""
    if "&" not in text:
        return text
    import html

    return html.unescape(text)
