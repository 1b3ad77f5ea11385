"""What a marked copy carries of ours, so marking it again starts from the clerk's workbook.

A clerk fixes cells in ``登记.checked.xlsx``, saves it (in Excel, WPS or LibreOffice) and has
it checked again. Our earlier fills and notes must go first, or a fixed cell stays red and a
cell still wrong gets our note twice; the clerk's own fills and notes must stay. What we can
rely on is what survives those programs' saves:

- **a record**, a custom XML part of the copy (``customXml/itemN.xml`` with its
  ``itemPropsN.xml``): Excel keeps it; LibreOffice keeps it too (it finds such parts by
  that name, and writes them back renumbered from 1, related from the package root). It
  lists each cell we filled, by sheet name and address, with the fill it had before *by
  value* (the ``<fill>`` element), because every one of those programs renumbers fills and
  cell formats when it saves: an xf index we wrote means nothing after a save. The xf
  indices are kept as well and used when the styles part is still the one we wrote (an
  untouched copy marked again gets exactly its old formats back, nothing added);
- **our exact fill colours** (``mark_fills``): a recorded cell whose fill is still ours gets
  its old fill back, with everything else the clerk changed in its format kept; a clerk who
  recoloured it meanwhile keeps their colour;
- **our note's first line**, the separator ``——— xl-dealer 校验 ———``: LibreOffice drops
  note authors (all become one blank author) and splits a note's text into runs by script,
  so a note is recognised by its text, read across runs. From the separator on, the text
  is ours and is cut (a note that was only ours goes, box and all), except lines a clerk
  typed below ours, which do not start with our 【错误】/【警告】/【提示】 tags. A note whose
  author is ``xl-dealer`` (copies made before the separator led every note) is ours too.

A copy that lost its record (a program that drops custom XML parts) is still cleaned of our
notes; a cell that had one and still shows our fill is given no fill.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from xl_dealer.read.copies import NS_MARKS, package_digest
from xl_dealer.xlsx.notes import AUTHOR
from xl_dealer.xlsx.package import NS_REL, XML_DECL, Package, escape, local, xml_attr
from xl_dealer.xlsx.sheet import legacy_drawing_rid, mark_cells, parse_ref, root_prefix
from xl_dealer.xlsx.styles import NO_FILL, Styles

REL_CUSTOM_XML = NS_REL + "/customXml"
REL_CUSTOM_XML_PROPS = NS_REL + "/customXmlProps"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
NS_DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
ITEM_ID = "{6D5C3A1E-2F4B-4C8E-9A7D-1B3E5F7A9C20}"  # fixed: the part is always the same kind of thing
_RECORD_NAME = re.compile(r"customxml/item\d+\.xml", re.I)


@dataclass(frozen=True, slots=True)
class Mark:
    """One cell we filled: its xf before and ours, and the fill it had before (by value)."""

    before: int
    ours: int
    fill: bytes | None = None  # the <fill> element, no prefix; None in records of older copies
    apply_fill: bytes | None = None


# sheet name → cell → mark
Record = dict[str, dict[str, Mark]]


@dataclass(slots=True)
class Found:
    """A workbook's record of our marks, as found in it (empty for a clerk's own workbook)."""

    part: str | None = None
    cells: Record = field(default_factory=dict)
    fills: set[str] = field(default_factory=set)
    attrs: dict[str, str] = field(default_factory=dict)
    edited: bool = False  # saved by some program since we wrote it (or marked again from such a version)

    def styles_unchanged(self, styles: Styles) -> bool:
        return bool(self.attrs.get("styles")) and self.attrs["styles"] == styles.digest()


def find_record(pkg: Package) -> Found:
    """Our record in ``pkg``, looked up by part name and namespace (not by relationship: LibreOffice
    relates it from the package root, Excel from the workbook)."""
    for name in pkg.names:
        if not _RECORD_NAME.fullmatch(name.replace("\\", "/")):
            continue
        data = pkg.read(name)
        if NS_MARKS.encode() not in data[:4096]:
            continue
        tree = pkg.tree(name)
        record: Record = defaultdict(dict)
        for sheet in tree:
            if local(sheet.tag) != "sheet":
                continue
            for c in sheet:
                try:
                    mark = Mark(int(c.get("s", "")), int(c.get("m", "")),
                                c.get("f").encode() if c.get("f") else None,
                                c.get("a").encode() if c.get("a") is not None else None)
                except ValueError:
                    continue
                record[sheet.get("name", "")][c.get("r", "").upper()] = mark
        attrs = {local(k): v for k, v in tree.attrib.items()}
        edited = attrs.get("fixes") == "1" or attrs.get("package") != package_digest(pkg.crcs(), name)
        return Found(name, dict(record), set(attrs.get("fills", "").upper().split()), attrs, edited)
    return Found()


def write_record(pkg: Package, part: str | None, record: Record, fills: Iterable[str],
                 attrs: dict[str, str]) -> str:
    """Write the record (into the copy's earlier record part if it had one); returns its part.

    ``attrs`` go on the root: the styles digest, the source workbook and its version, our
    results sheet's name, ``fixes``. The package digest is added last by :func:`seal`."""
    body = "".join(
        f"<sheet name={xml_attr(name)}>"
        + "".join(f'<c r="{ref}" s="{m.before}" m="{m.ours}"'
                  + (f" f={xml_attr(m.fill.decode())}" if m.fill else "")
                  + (f" a={xml_attr(m.apply_fill.decode())}" if m.apply_fill is not None else "") + "/>"
                  for ref, m in cells.items())
        + "</sheet>"
        for name, cells in record.items() if cells)
    root = "".join(f" {k}={xml_attr(v)}" for k, v in attrs.items() if v is not None)
    xml = XML_DECL + (f'<marks xmlns="{NS_MARKS}" fills="{" ".join(sorted(set(fills)))}"{root}>'
                      f"{body}</marks>").encode()
    if part is not None:
        pkg.write(part, xml)
        return part
    # LibreOffice keeps customXml/itemN.xml only beside an itemPropsN.xml, numbered from 1 without gaps
    n = 1
    while pkg.has(f"customXml/item{n}.xml") or pkg.has(f"customXml/itemProps{n}.xml"):
        n += 1
    part, props = f"customXml/item{n}.xml", f"customXml/itemProps{n}.xml"
    pkg.write(part, xml)
    pkg.ensure_default("xml", "application/xml")
    pkg.write(props, XML_DECL + (f'<ds:datastoreItem ds:itemID="{ITEM_ID}" xmlns:ds="{NS_DS}">'
                                 f'<ds:schemaRefs><ds:schemaRef ds:uri="{NS_MARKS}"/></ds:schemaRefs>'
                                 "</ds:datastoreItem>").encode())
    pkg.add_override(props, CT_CUSTOM_XML_PROPS)
    pkg.add_rel(part, REL_CUSTOM_XML_PROPS, props)
    pkg.add_rel(pkg.workbook_part(), REL_CUSTOM_XML, part)
    return part


def seal(pkg: Package, part: str) -> None:
    """Put the digest of every other part into the record: a copy whose parts still have these
    checksums has not been saved by anyone since (``read.copies``)."""
    digest = package_digest(pkg.crcs(), part)
    xml = pkg.read(part)
    root = re.search(rb"<marks\b[^>]*>", xml)
    assert root is not None
    pkg.write(part, xml[:root.end() - 1] + b' package="' + digest.encode() + b'"' + xml[root.end() - 1:])


def restore_cells(xml: bytes, cells: dict[str, Mark], styles: Styles, fills: set[str], exact: bool,
                  unnoted: Iterable[str] = ()) -> tuple[bytes, int]:
    """Give each recorded cell that still shows our fill the fill it had before; returns (xml, restored).

    ``exact``: the styles are the ones we wrote, so a cell still on our xf gets its old xf back
    as it was. ``unnoted``: cells not in the record that lost our note (a copy whose record was
    dropped): one still showing our fill gets none."""
    restored = 0
    none_fill = styles.fill_from(NO_FILL)

    def style_for(existing: int, mark: Mark | None) -> int:
        nonlocal restored
        if styles.fill_rgb_of(existing) not in fills:
            return existing  # not our fill (any more): the clerk's
        restored += 1
        if mark is None:
            return styles.with_fill(existing, none_fill, None)
        if exact and existing == mark.ours and 0 <= mark.before < styles.xf_count:
            return mark.before
        if mark.fill is not None:
            return styles.with_fill(existing, styles.fill_from(mark.fill), mark.apply_fill)
        return styles.with_fill(existing, none_fill, None)  # an older record, after another program's save

    marks: dict[int, dict[int, Mark | None]] = defaultdict(dict)
    for ref, mark in [*cells.items(), *((r, None) for r in sorted(set(unnoted)) if r not in cells)]:
        try:
            row, col = parse_ref(ref)
        except ValueError:
            continue
        marks[row][col] = mark
    return mark_cells(xml, marks, style_for), restored


def strip_notes(pkg: Package, sheet_part: str, separators: Iterable[str], tags: Iterable[str]) -> set[str]:
    """Remove our notes from a sheet (and our text from under a clerk's); returns the cells whose
    note lost text of ours."""
    rels = pkg.rels(sheet_part)
    comments_part = next((t for _, typ, t in rels if typ.endswith("/comments") and pkg.has(t)), None)
    if comments_part is None:
        return set()
    xml = pkg.read(comments_part)
    seps = [s for s in separators if s]
    tags = tuple(tags)
    if AUTHOR.encode() not in xml and not any(_loose(s).search(xml) for s in seps):
        return set()
    p = root_prefix(xml, b"comments")
    ep = re.escape(p)
    authors = [el.text or "" for el in pkg.tree(comments_part).iter() if local(el.tag) == "author"]
    ours = {str(i).encode() for i, a in enumerate(authors) if a == AUTHOR}
    touched: set[str] = set()
    gone: list[str] = []

    def edit(m: re.Match[bytes]) -> bytes:
        start, body = m[1], m[2]
        ref_m = re.search(rb'\sref="([^"]*)"', start)
        ref = ref_m[1].decode().upper() if ref_m else ""
        author = re.search(rb'\sauthorId="([^"]*)"', start)
        text_m = re.search(rb"(<" + ep + rb"text\b[^>]*>)(.*?)(</" + ep + rb"text>)", body, re.S)
        full = _text_of(text_m[2], p) if text_m else ""
        at, sep = _find_separator(full, seps)
        if at < 0:
            if author and author[1] in ours:  # ours, from before the separator led our notes
                touched.add(ref)
                gone.append(ref)
                return b""
            return m[0]
        touched.add(ref)
        before = full[:at].rstrip("\r\n")
        theirs = [ln for ln in re.split(r"\r\n|\r|\n", full[at + len(sep):])
                  if ln.strip() and not ln.lstrip().startswith(tags)]  # typed by a clerk under ours
        if not before.strip() and not theirs:
            gone.append(ref)
            return b""
        extra = ("\n" if before else "") + "\n".join(theirs) if theirs else None
        assert text_m is not None
        inner = _cut_text(text_m[2], p, len(before), extra)
        return start + body[:text_m.start(2)] + inner + body[text_m.end(2):] + m[3]

    new = re.sub(rb"(<" + ep + rb"comment\b[^>]*>)(.*?)(</" + ep + rb"comment>)", edit, xml, flags=re.S)
    if new != xml:
        pkg.write(comments_part, new)
    if gone:
        _remove_shapes(pkg, rels, pkg.read(sheet_part), {parse_ref(r) for r in gone if _is_ref(r)})
    return touched


def _loose(sep: str) -> re.Pattern[bytes]:
    """The separator as it may be stored: in one piece, or split over runs by another program."""
    parts = [re.escape(html.escape(w, quote=False).encode()) for w in sep.split()]
    return re.compile(rb"(?:<[^>]*>|\s)*".join(parts), re.S)


def _find_separator(text: str, seps: list[str]) -> tuple[int, str]:
    best, found = -1, ""
    for sep in seps:
        i = text.find(sep)
        if i >= 0 and (best < 0 or i < best):
            best, found = i, sep
    return best, found


def _t_spans(inner: bytes, p: bytes) -> list[re.Match[bytes]]:
    """The ``<t>`` elements of a note's text, those of phonetic runs (``<rPh>``) left out."""
    ep = re.escape(p)
    skip = [(m.start(), m.end()) for m in re.finditer(rb"<" + ep + rb"rPh\b.*?</" + ep + rb"rPh>", inner, re.S)]
    return [t for t in re.finditer(rb"(<" + ep + rb"t\b[^>]*?>)(.*?)(</" + ep + rb"t>)", inner, re.S)
            if not any(a <= t.start() < b for a, b in skip)]


def _text_of(inner: bytes, p: bytes) -> str:
    return "".join(html.unescape(t[2].decode("utf-8", "replace")) for t in _t_spans(inner, p))


def _cut_text(inner: bytes, p: bytes, keep: int, extra: str | None) -> bytes:
    """A note's ``<text>`` content with only its first ``keep`` characters (across runs, each run's
    formatting kept), then ``extra`` as a plain run; phonetic parts after the runs stay."""
    ep = re.escape(p)
    t_re = re.compile(rb"(<" + ep + rb"t\b[^>]*?>)(.*?)(</" + ep + rb"t>)", re.S)
    runs = list(re.finditer(rb"<" + ep + rb"r>.*?</" + ep + rb"r>", inner, re.S))
    tail = (b"<" + p + b'r><' + p + b't xml:space="preserve">' + escape(extra).encode("utf-8")
            + b"</" + p + b"t></" + p + b"r>") if extra else b""
    if not runs:
        t = t_re.search(inner)
        if t is None:
            return inner
        text = html.unescape(t[2].decode("utf-8", "replace"))[:keep] + (extra or "")
        start = t[1] if b"xml:space" in t[1] else t[1][:-1] + b' xml:space="preserve">'
        return inner[:t.start()] + start + escape(text).encode("utf-8") + t[3] + inner[t.end():]
    out = [inner[:runs[0].start()]]
    done = 0
    for run in runs:
        t = t_re.search(run[0])
        text = html.unescape(t[2].decode("utf-8", "replace")) if t else ""
        if done + len(text) <= keep:
            out.append(run[0])
            done += len(text)
            if done == keep:
                break
            continue
        if t is not None and keep > done:
            start = t[1] if b"xml:space" in t[1] else t[1][:-1] + b' xml:space="preserve">'
            out.append(run[0][:t.start()] + start + escape(text[:keep - done]).encode("utf-8") + t[3]
                       + run[0][t.end():])
        break
    out += [tail, inner[runs[-1].end():]]
    return b"".join(out)


def _is_ref(ref: str) -> bool:
    try:
        parse_ref(ref)
    except ValueError:
        return False
    return True


def _remove_shapes(pkg: Package, rels: list[tuple[str, str, str]], sheet_xml: bytes,
                   cells: set[tuple[int, int]]) -> None:
    """Remove the VML note boxes of the given (row, 0-based column) cells."""
    rid = legacy_drawing_rid(sheet_xml)
    vml_part = next((t for r, _, t in rels if r == rid and pkg.has(t)), None) if rid else None
    if vml_part is None:
        return
    vml = pkg.read(vml_part)

    def drop(m: re.Match[bytes]) -> bytes:
        shape = m[0]
        if b'ObjectType="Note"' not in shape:
            return shape
        row = re.search(rb"<(?:[\w.-]+:)?Row>\s*(\d+)\s*</", shape)
        col = re.search(rb"<(?:[\w.-]+:)?Column>\s*(\d+)\s*</", shape)
        if row and col and (int(row[1]) + 1, int(col[1])) in cells:
            return b""
        return shape

    new = re.sub(rb"<([\w.-]+:)?shape\b.*?</\1shape>", drop, vml, flags=re.S)
    if new != vml:
        pkg.write(vml_part, new)
