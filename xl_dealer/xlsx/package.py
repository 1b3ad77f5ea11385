"""Surgical edits of an xlsx/xlsm package: change a few parts, copy every other part as it was.

openpyxl drops what it does not model (images it did not make, charts, form
controls, slicers, ...) on load + save, so a marked copy is made here by
editing the zip's XML parts as text. Small parts we must understand (rels,
workbook, styles, comments) are parsed with defusedxml to *read* them, and
edited by splicing text, so prefixes, ``mc:Ignorable`` and extension lists
survive exactly. Sheet XML is never parsed as a tree: only the rows that get a
mark are touched, which keeps a 100k-row sheet fast.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from defusedxml import ElementTree as ET

from xl_dealer.model.errors import InputError
from xl_dealer.model.language import said
from xl_dealer.model.text import clean_text
from xl_dealer.read.parts import tags
from xl_dealer.render.outputs import publish, stage

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_COMMENTS = NS_REL + "/comments"
REL_VML = NS_REL + "/vmlDrawing"
REL_STYLES = NS_REL + "/styles"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'



# elements that follow <definedNames> in CT_Workbook
_AFTER_DEFINED_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


class PackageError(Exception):
    """The package is not an xlsx we can edit safely (reason in the message)."""


# ``xml.sax.saxutils``' escape and quoteattr, written out: importing saxutils imports urllib.request,
# http.client and ssl (a sixth of an annotate's own imports), and these are called per cell
def escape(s: str) -> str:
    """``&``, ``<`` and ``>`` as entities."""
    return s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(s: str) -> str:
    """``saxutils.quoteattr(s, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})``: escaped, line breaks
    and tabs as character references, in double quotes unless only single ones then need none."""
    s = escape(s).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in s:
        return f'"{s}"'
    return '"' + s.replace('"', "&quot;") + '"' if "'" in s else f"'{s}'"


def xml_text(s: str) -> str:
    """Text for an element: cleaned (``model.text``: control characters, Excel's cell limit), escaped."""
    return escape(clean_text(s))


def xml_attr(s: str) -> str:
    """A quoted attribute value, line breaks kept as character references."""
    return quoteattr(clean_text(s))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def rels_path(part: str) -> str:
    d, name = posixpath.split(part)
    return posixpath.join(d, "_rels", name + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """A relationship target as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative_target(source_part: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source_part) or ".")


@lru_cache(maxsize=64)
def _attr_re(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"(\s" + re.escape(name) + rb'=)(["\'])([^"\']*)\2')


def set_attr(start_tag: bytes, name: bytes, value: bytes) -> bytes:
    """Set (replace or add) one attribute on an element's start tag."""
    pat = _attr_re(name)
    if pat.search(start_tag):
        return pat.sub(lambda m: m[1] + b'"' + value + b'"', start_tag, count=1)
    end = len(start_tag) - (2 if start_tag.endswith(b"/>") else 1)
    return start_tag[:end] + b" " + name + b'="' + value + b'"' + start_tag[end:]


def remove_attr(start_tag: bytes, name: bytes) -> bytes:
    return _attr_re(name).sub(b"", start_tag, count=1)


def get_attr(start_tag: bytes, name: bytes) -> bytes | None:
    m = _attr_re(name).search(start_tag)
    return m[3] if m else None


def top_level_insert_at(xml: bytes, start: int, before: Iterable[str], root_end: bytes) -> int:
    """Offset at which a new child of the root belongs, scanning children from ``start``.

    OOXML fixes the order of a root's children; the new element goes before the
    first top-level element whose local name is in ``before`` (else before the
    root's end tag). Depth is tracked so a nested ``extLst`` is not mistaken for
    the top-level one.
    """
    names = {n.encode() for n in before}
    depth = 0
    for m in re.finditer(rb"<(/?)(?:[\w.-]+:)?([\w.-]+)[^>]*?(/?)>", xml[start:]):
        closing, name, selfclosing = m[1], m[2], m[3]
        if xml[start + m.start() + 1:start + m.start() + 2] in (b"?", b"!"):
            continue
        if closing:
            if depth == 0:
                return start + m.start()  # the root's end tag
            depth -= 1
            continue
        if depth == 0 and name in names:
            return start + m.start()
        if not selfclosing:
            depth += 1
    pos = xml.rfind(root_end)
    if pos < 0:
        raise PackageError(f"no {root_end.decode()} end tag")
    return pos


class Package:
    """An xlsx/xlsm opened read-only; edits are kept in memory until :meth:`save`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise PackageError(f"not a readable xlsx package ({e})") from None
        self._path = str(path)
        self._infos = self._zip.infolist()
        # looked up as calamine does: any case, a backslash (some Windows tools write them) as a slash
        self._lower = {_key(i.filename): i.filename for i in self._infos}
        self._changed: dict[str, bytes] = {}
        self._added: list[str] = []

    def version(self) -> tuple[int, int, int] | None:
        """(size, mtime, inode) of the file this handle has open: the version that is copied."""
        try:
            st = os.fstat(self._zip.fp.fileno())  # type: ignore[union-attr]
        except (OSError, AttributeError, ValueError):
            return None
        return (st.st_size, st.st_mtime_ns, st.st_ino)

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    # ---------------------------------------------------------------- parts

    @property
    def names(self) -> list[str]:
        return [i.filename for i in self._infos] + self._added

    def has(self, name: str) -> bool:
        return _key(name) in self._lower

    def read(self, name: str) -> bytes:
        real = self._lower.get(_key(name))
        if real is None:
            raise PackageError(f"part {name} is missing")
        if real in self._changed:
            return self._changed[real]
        return self._read_member(real)

    def _read_member(self, real: str | zipfile.ZipInfo) -> bytes:
        from xl_dealer.read import inflate

        try:
            # zlib-ng where it is there: the sheet is most of an annotate's reading (CRC checked)
            info = real if isinstance(real, zipfile.ZipInfo) else self._zip.getinfo(real)
            whole = _inflate_whole(self._zip, info)
            if whole is not None:
                return whole
            return b"".join(inflate.blocks(self._zip, info, crc=True))
        except (*inflate.ERRORS, zlib.error, EOFError) as e:
            name = real.filename if isinstance(real, zipfile.ZipInfo) else real
            raise InputError(self._path, said(f"文件已损坏（部件 {name} 无法解压或校验和不对）：请用 Excel 打开后另存一份再标记", f"the file is damaged (part {name} fails its checksum or cannot be inflated): open it in Excel and save it again ({e})")) from None

    def write(self, name: str, data: bytes) -> None:
        real = self._lower.get(_key(name))
        if real is None:
            self._lower[_key(name)] = name
            self._added.append(name)
            real = name
        self._changed[real] = data

    @property
    def changed(self) -> set[str]:
        return set(self._changed)

    def crcs(self) -> list[tuple[str, int]]:
        """(name, CRC-32) of every part as :meth:`save` would write it."""
        out = []
        for info in self._infos:
            data = self._changed.get(info.filename)
            out.append((info.filename.replace("\\", "/"), _crc32(data) if data is not None else info.CRC))
        out += [(name, _crc32(self._changed[name])) for name in self._added]
        return out

    def head(self, name: str, size: int = 8192) -> bytes:
        """The first ``size`` bytes of a part, without inflating all of a 100 MB sheet."""
        real = self._lower.get(_key(name))
        if real is None:
            raise PackageError(f"part {name} is missing")
        if real in self._changed:
            return self._changed[real][:size]
        try:
            with self._zip.open(real) as f:
                return f.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError):
            return self._read_member(real)[:size]

    def new_name(self, pattern: str) -> str:
        """The first free part name for a pattern like ``xl/comments{}.xml``."""
        n = 1
        while self.has(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def tree(self, name: str):
        try:
            return ET.fromstring(self.read(name))
        except ET.ParseError as e:
            raise PackageError(f"{name} is not well-formed XML ({e})") from None

    # ---------------------------------------------------------------- relationships

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, target part) of a part's internal relationships."""
        rp = rels_path(part) if part else "_rels/.rels"
        if not self.has(rp):
            return []
        out = []
        # read leniently, as calamine reads it: a hyperlink's unescaped & must not stop the copy
        for rel in tags(self.read(rp), b"Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            out.append((rel.get("Id", ""), rel.get("Type", ""), resolve_target(part, rel.get("Target", ""))))
        return out

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        """Add a relationship from ``part`` and return its new Id."""
        rp = rels_path(part)
        if self.has(rp):
            data = self.read(rp)
            used = {rel.get("Id") for rel in tags(data, b"Relationship")}
        else:
            data = XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}"></Relationships>'.encode()
            used = set()
        n = len(used) + 1
        while f"rId{n}" in used:
            n += 1
        rid = f"rId{n}"
        rel = (f'<Relationship Id="{rid}" Type="{rel_type}" '
               f'Target={xml_attr(relative_target(part, target_part))}/>').encode()
        end = data.rfind(b"</Relationships>")
        if end < 0:  # <Relationships .../> with no children
            data = re.sub(rb"<Relationships\b([^>]*)/>", rb"<Relationships\1></Relationships>", data, count=1)
            end = data.rfind(b"</Relationships>")
        self.write(rp, data[:end] + rel + data[end:])
        return rid

    # ---------------------------------------------------------------- content types

    def add_override(self, part: str, content_type: str) -> None:
        name = "[Content_Types].xml"
        data = self.read(name)
        for el in tags(data, b"Override"):
            if el.get("PartName", "").lower() == "/" + part.lower():
                return
        entry = f'<Override PartName={xml_attr("/" + part)} ContentType="{content_type}"/>'.encode()
        end = data.rfind(b"</Types>")
        self.write(name, data[:end] + entry + data[end:])

    def ensure_default(self, extension: str, content_type: str) -> None:
        name = "[Content_Types].xml"
        data = self.read(name)
        for el in tags(data, b"Default"):
            if el.get("Extension", "").lower() == extension.lower():
                return
        entry = f'<Default Extension="{extension}" ContentType="{content_type}"/>'.encode()
        end = data.rfind(b"</Types>")
        self.write(name, data[:end] + entry + data[end:])

    # ---------------------------------------------------------------- workbook

    def workbook_part(self) -> str:
        for _, typ, target in self.rels(""):
            if typ.endswith("/officeDocument"):
                return target
        return "xl/workbook.xml"

    def sheets(self) -> list[tuple[str, str, str]]:
        """(name, r:id, part) of every sheet in workbook order (chart sheets included)."""
        wb = self.workbook_part()
        targets = {rid: t for rid, _, t in self.rels(wb)}
        return [(html.unescape(el.get("name", "")), el.get("id", ""), targets.get(el.get("id", ""), ""))
                for el in tags(self.read(wb), b"sheet")]

    def add_sheet(self, name: str, xml: bytes) -> str:
        """Append a worksheet after the last sheet (so no localSheetId shifts); returns its part."""
        wb = self.workbook_part()
        part = self.new_name("xl/worksheets/sheet{}.xml")
        self.write(part, xml)
        self.add_override(part, CT_WORKSHEET)
        rid = self.add_rel(wb, REL_WORKSHEET, part)
        data = self.read(wb)
        ids = [int(x) for x in re.findall(rb'<(?:[\w.-]+:)?sheet\b[^>]*?\ssheetId="(\d+)"', data)]
        root = re.search(rb"<(?:[\w.-]+:)?workbook\b[^>]*>", data)
        prefix_m = re.search(rb'xmlns:([\w.-]+)="' + NS_REL.encode() + rb'"', root[0] if root else b"")
        sheets_m = re.search(rb"<((?:[\w.-]+:)?)sheets\b", data)
        if sheets_m is None:
            raise PackageError("workbook.xml has no <sheets>")
        p = sheets_m[1]
        rattr = (prefix_m[1] + b':id="' + rid.encode() + b'"') if prefix_m else (
            b'xmlns:xldr="' + NS_REL.encode() + b'" xldr:id="' + rid.encode() + b'"')
        el = (b"<" + p + b"sheet name=" + xml_attr(name).encode() + b' sheetId="'
              + str(max(ids, default=0) + 1).encode() + b'" ' + rattr + b"/>")
        end = data.find(b"</" + p + b"sheets>")
        self.write(wb, data[:end] + el + data[end:])
        return part

    def set_print_titles(self, sheet: str, rows: str = "$1:$1") -> None:
        """Repeat ``rows`` on each printed page of ``sheet`` (the ``_xlnm.Print_Titles`` name).

        A name the sheet already has (from an earlier run, or as another program saved it) is
        given these rows.
        """
        names = [n for n, _, _ in self.sheets()]
        if sheet not in names:
            raise PackageError(f"no sheet {sheet!r}")
        idx = str(names.index(sheet))
        wb = self.workbook_part()
        data = self.read(wb)
        m = re.search(rb"<((?:[\w.-]+:)?)sheets\b", data)
        if m is None:
            raise PackageError("workbook.xml has no <sheets>")
        p = m[1]
        ref = "'" + sheet.replace("'", "''") + "'!" + rows
        ep = re.escape(p)
        for old in re.finditer(rb"(<" + ep + rb"definedName\b[^>]*>)(.*?)(</" + ep + rb"definedName>)", data, re.S):
            found = tags(old[1], b"definedName")
            attrs = found[0] if found else {}
            if attrs.get("name", "").lower() == "_xlnm.print_titles" and attrs.get("localSheetId") == idx:
                new = old[1] + xml_text(ref).encode("utf-8") + old[3]
                if new != old[0]:
                    self.write(wb, data[:old.start()] + new + data[old.end():])
                return
        el = (b"<" + p + b'definedName name="_xlnm.Print_Titles" localSheetId="' + idx.encode() + b'">'
              + xml_text(ref).encode("utf-8") + b"</" + p + b"definedName>")
        names_m = re.search(rb"<" + re.escape(p) + rb"definedNames\b[^>]*?(/?)>", data)
        if names_m and not names_m[1]:
            end = data.find(b"</" + p + b"definedNames>", names_m.end())
            data = data[:end] + el + data[end:]
        else:
            block = b"<" + p + b"definedNames>" + el + b"</" + p + b"definedNames>"
            if names_m:  # <definedNames/>
                data = data[:names_m.start()] + block + data[names_m.end():]
            else:  # CT_Workbook order: definedNames comes before these
                root_end = b"</" + p + b"workbook>"
                after_sheets = data.index(b"</" + p + b"sheets>", m.start()) + len(p) + 9
                at = top_level_insert_at(data, after_sheets, _AFTER_DEFINED_NAMES, root_end)
                data = data[:at] + block + data[at:]
        self.write(wb, data)

    def set_active_sheet(self, sheet: str) -> None:
        """Open the workbook on ``sheet``: the first window's ``activeTab``, and that sheet's tab
        the only selected one (two selected tabs are a group, whose edits go to both)."""
        entries = self.sheets()
        names = [n for n, _, _ in entries]
        if sheet not in names:
            raise PackageError(f"no sheet {sheet!r}")
        idx = str(names.index(sheet)).encode()
        wb = self.workbook_part()
        data = self.read(wb)
        view = re.search(rb"<(?:[\w.-]+:)?workbookView\b[^>]*?/?>", data)
        if view is not None:
            data = data[:view.start()] + set_attr(view[0], b"activeTab", idx) + data[view.end():]
        else:  # CT_Workbook: bookViews comes just before sheets
            sheets_m = re.search(rb"<((?:[\w.-]+:)?)sheets\b", data)
            if sheets_m is None:
                raise PackageError("workbook.xml has no <sheets>")
            p = sheets_m[1]
            block = b"<" + p + b"bookViews><" + p + b'workbookView activeTab="' + idx + b'"/></' + p + b"bookViews>"
            data = data[:sheets_m.start()] + block + data[sheets_m.start():]
        self.write(wb, data)
        for name, _, part in entries:
            if name == sheet or not part or not self.has(part):
                continue
            if not re.search(rb'\stabSelected="(?:1|true)"', self.head(part, 32768)):
                continue
            xml = self.read(part)
            end = xml.find(b"sheetViews>", xml.find(b"sheetViews") + 1)
            end = end if end > 0 else min(len(xml), 32768)
            head = re.sub(rb'\stabSelected="(?:1|true)"', b"", xml[:end])
            self.write(part, head + xml[end:])

    # ---------------------------------------------------------------- saving

    def save(self, dest: str | os.PathLike[str]) -> None:
        """Write the package to ``dest`` atomically, and close it.

        Untouched parts keep their content, zip order, timestamps and compression method (deflated
        again, at our level: ``_put``). The source is
        closed before the new file is moved into place: ``dest`` may be the source itself (a
        marked copy marked again), which Windows does not let anyone replace while it is open.
        """
        tmp = stage(Path(dest), self._write)
        self.close()
        publish(tmp, Path(dest))

    def _write(self, tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in self._infos:
                data = self._changed.get(info.filename)
                if data is None:
                    data = self._read_member(info)
                # a backslash name is written as the slash name every reader finds
                zi = zipfile.ZipInfo(info.filename.replace("\\", "/"), info.date_time)
                zi.compress_type = info.compress_type
                zi.external_attr = info.external_attr
                _put(out, zi, data)
            now = dt.datetime.now().timetuple()[:6]
            for name in self._added:
                zi = zipfile.ZipInfo(name, now)
                zi.compress_type = zipfile.ZIP_DEFLATED
                _put(out, zi, self._changed[name])


try:  # zlib-ng: the big parts' inflating and deflating, and the same CRC-32 six times faster on an
    # 85 MB sheet (the record's digest takes every part's)
    from zlib_ng import zlib_ng as _zl
except ImportError:  # pragma: no cover - an install without the optional speed-up
    _zl = None
_crc32 = _zl.crc32 if _zl is not None else zlib.crc32
try:  # ISA-L: the big parts' deflating (resolved once: a failed import searches the path again)
    from isal import isal_zlib as _isal
except ImportError:  # pragma: no cover - a platform without its wheels (pyproject's marker)
    _isal = None

_WHOLE = 4 * 1024 * 1024  # parts this big are inflated in one call
# parts over this size are deflated by ``_big_deflater``: the notes' VML and comments, the 校验结果 sheet
# and the record of 5,445 marks took zlib's level 6 0.05 s, ISA-L 0.003 s (45 kB more of 11 MB)
_FAST = 64 * 1024


def _inflate_whole(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """A big deflated part inflated in one call straight into its final buffer: joining
    ``inflate.blocks`` copied the 85 MB of a 100k-row sheet once more (0.2 s → 0.1 s of CPU).
    None for anything but a plain part whose size and CRC come out as the directory says; the
    block-wise reader then reads it and tells a damaged one."""
    from xl_dealer.read import inflate

    if (_zl is None or info.file_size < _WHOLE or not isinstance(z.filename, str) or info.flag_bits & 1
            or info.compress_type != zipfile.ZIP_DEFLATED):
        return None
    try:
        with open(z.filename, "rb") as fh:
            fh.seek(info.header_offset)
            head = fh.read(30)
            if len(head) != 30 or head[:4] != b"PK\x03\x04":
                return None
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            fh.seek(info.header_offset + 30 + name_len + extra_len)
            raw = fh.read(info.compress_size)
        data = _zl.decompress(raw, -15, info.file_size)
    except (OSError, *inflate.ERRORS):
        return None
    if len(data) != info.file_size or _zl.crc32(data) != info.CRC:
        return None
    return data


def _key(name: str) -> str:
    return name.replace("\\", "/").lower()


def _level(size: int) -> int:
    # zlib level 6 on a 100 MB sheet costs seconds; level 1 is ~3x faster for ~10% more bytes
    return 1 if size > _WHOLE else 6


def _big_deflater() -> object | None:
    """The deflater of a part over 64 kB: ISA-L's level 2 where it is installed (a 100k-row sheet's
    85 MB in 0.12 s of CPU against zlib-ng's level 2 0.30 s, for 1% more bytes), else zlib-ng's
    level 2 (against zlib's level 1 0.32 s, 5% fewer bytes), else None (zipfile's zlib)."""
    if _isal is None:
        return _zl.compressobj(2, zlib.DEFLATED, -15) if _zl is not None else None
    return _isal.compressobj(2, _isal.DEFLATED, -15)


def _put(out: zipfile.ZipFile, zi: zipfile.ZipInfo, data: bytes) -> None:
    """One part into the package, a big one by ``_big_deflater``: zipfile has no choice of
    deflater but the one it keeps on the part's writer."""
    deflater = _big_deflater() if len(data) > _FAST and zi.compress_type == zipfile.ZIP_DEFLATED else None
    if deflater is None:
        out.writestr(zi, data, compresslevel=_level(len(data)))
        return
    zi.file_size = len(data)  # as writestr sets it: whether the part needs ZIP64
    with out.open(zi, "w") as dest:
        if hasattr(dest, "_compressor"):
            dest._compressor = deflater
        if not all(hasattr(dest, a) for a in ("_compressor", "_crc", "_file_size", "_compress_size", "_fileobj")):
            dest.write(data)  # a zipfile whose writer is not the one below
            return
        # what its write() does, but the CRC by zlib-ng (zipfile's zlib took 0.04 s of the 85 MB);
        # close() flushes this compressor and writes the sizes and CRC counted here
        dest._file_size += len(data)
        dest._crc = _crc32(data, dest._crc)
        packed = dest._compressor.compress(data)
        dest._compress_size += len(packed)
        dest._fileobj.write(packed)
