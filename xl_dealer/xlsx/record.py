"""What a marked copy carries of ours, so marking it again starts from the clerk's workbook.

A clerk fixes cells in ``登记.checked.xlsx`` and has it checked again. Our earlier
fills and notes must go first, or a fixed cell stays red; the clerk's own fills and
notes must stay. So:

- each marked cell is recorded in a custom XML part of the copy (Excel keeps such
  parts on save): the sheet, the cell, the xf it had and the xf we gave it. A cell
  gets its old xf back only if it still has ours, with our fill (a clerk who
  restyled it meanwhile keeps their style) — as the Excel-side macros do;
- a note is ours when its author is ``xl-dealer``; text we appended to a clerk's
  note starts at our separator line, and only that tail is cut.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from xl_dealer.xlsx.notes import AUTHOR
from xl_dealer.xlsx.package import NS_REL, XML_DECL, Package, local, xml_attr
from xl_dealer.xlsx.sheet import legacy_drawing_rid, mark_cells, parse_ref, root_prefix
from xl_dealer.xlsx.styles import Styles

NS_MARKS = "urn:xl-dealer:marks:1"
REL_CUSTOM_XML = NS_REL + "/customXml"
REL_CUSTOM_XML_PROPS = NS_REL + "/customXmlProps"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
NS_DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
ITEM_ID = "{6D5C3A1E-2F4B-4C8E-9A7D-1B3E5F7A9C20}"  # fixed: the part is always the same kind of thing

# sheet name → cell → (xf before, our xf)
Record = dict[str, dict[str, tuple[int, int]]]


def find_record(pkg: Package) -> tuple[str | None, Record, set[str]]:
    """Our record part in ``pkg`` (None if it has none), the marked cells and the fills we used."""
    for _, typ, target in pkg.rels(pkg.workbook_part()):
        if not typ.endswith("/customXml") or not pkg.has(target):
            continue
        data = pkg.read(target)
        if NS_MARKS.encode() not in data[:400]:
            continue
        tree = pkg.tree(target)
        record: Record = defaultdict(dict)
        for sheet in tree:
            if local(sheet.tag) != "sheet":
                continue
            for c in sheet:
                try:
                    record[sheet.get("name", "")][c.get("r", "").upper()] = (int(c.get("s", "")), int(c.get("m", "")))
                except ValueError:
                    continue
        return target, dict(record), set(tree.get("fills", "").upper().split())
    return None, {}, set()


def write_record(pkg: Package, part: str | None, record: Record, fills: Iterable[str]) -> None:
    """Write the record, into the copy's earlier record part if it had one."""
    body = "".join(
        f"<sheet name={xml_attr(name)}>"
        + "".join(f'<c r="{ref}" s="{s}" m="{m}"/>' for ref, (s, m) in cells.items())
        + "</sheet>"
        for name, cells in record.items() if cells)
    xml = XML_DECL + (f'<marks xmlns="{NS_MARKS}" fills="{" ".join(sorted(set(fills)))}">{body}</marks>').encode()
    if part is not None:
        pkg.write(part, xml)
        return
    part = pkg.new_name("customXml/item{}.xml")
    props = part.replace("/item", "/itemProps")
    pkg.write(part, xml)
    pkg.ensure_default("xml", "application/xml")
    pkg.write(props, XML_DECL + (f'<ds:datastoreItem ds:itemID="{ITEM_ID}" xmlns:ds="{NS_DS}">'
                                 f'<ds:schemaRefs><ds:schemaRef ds:uri="{NS_MARKS}"/></ds:schemaRefs>'
                                 "</ds:datastoreItem>").encode())
    pkg.add_override(props, CT_CUSTOM_XML_PROPS)
    pkg.add_rel(part, REL_CUSTOM_XML_PROPS, props)
    pkg.add_rel(pkg.workbook_part(), REL_CUSTOM_XML, part)


def restore_cells(xml: bytes, cells: dict[str, tuple[int, int]], styles: Styles, fills: set[str]) -> tuple[bytes, int]:
    """Give each recorded cell its xf from before our mark, if it still has our mark; returns (xml, restored)."""
    restored = 0

    def style_for(existing: int, rec: tuple[int, int]) -> int:
        nonlocal restored
        before, ours = rec
        if existing == ours and styles.fill_rgb_of(ours) in fills and 0 <= before < styles.xf_count:
            restored += 1
            return before
        return existing

    marks: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for ref, rec in cells.items():
        try:
            row, col = parse_ref(ref)
        except ValueError:
            continue
        marks[row][col] = rec
    return mark_cells(xml, marks, style_for), restored


def strip_notes(pkg: Package, sheet_part: str, separators: Iterable[str]) -> int:
    """Remove our notes from a sheet (and our text from under a clerk's); returns how many cells lost ours."""
    rels = pkg.rels(sheet_part)
    comments_part = next((t for _, typ, t in rels if typ.endswith("/comments") and pkg.has(t)), None)
    if comments_part is None:
        return 0
    xml = pkg.read(comments_part)
    seps = [s.encode("utf-8") for s in separators]
    if AUTHOR.encode() not in xml and not any(s in xml for s in seps):
        return 0
    p = root_prefix(xml, b"comments")
    ep = re.escape(p)
    authors = [el.text or "" for el in pkg.tree(comments_part).iter() if local(el.tag) == "author"]
    ours = {str(i).encode() for i, a in enumerate(authors) if a == AUTHOR}
    gone: list[str] = []
    cut = 0

    def edit(m: re.Match[bytes]) -> bytes:
        nonlocal cut
        start = m[1]
        ref = re.search(rb'\sref="([^"]*)"', start)
        author = re.search(rb'\sauthorId="([^"]*)"', start)
        if author and author[1] in ours:
            if ref:
                gone.append(ref[1].decode().upper())
            return b""
        body = m[2]
        for sep in seps:
            if sep in body:
                cut += 1
                return start + _cut_at(body, p, sep) + m[3]
        return m[0]

    new = re.sub(rb"(<" + ep + rb"comment\b[^>]*>)(.*?)(</" + ep + rb"comment>)", edit, xml, flags=re.S)
    if new != xml:
        pkg.write(comments_part, new)
    if gone:
        _remove_shapes(pkg, rels, pkg.read(sheet_part), {parse_ref(r) for r in gone if _is_ref(r)})
    return len(gone) + cut


def _is_ref(ref: str) -> bool:
    try:
        parse_ref(ref)
    except ValueError:
        return False
    return True


def _cut_at(body: bytes, p: bytes, sep: bytes) -> bytes:
    """The comment body with the text from our separator on removed (the line break before it too)."""
    ep = re.escape(p)
    t_re = re.compile(rb"(<" + ep + rb"t\b[^>]*>)(.*?)(</" + ep + rb"t>)", re.S)
    runs = list(re.finditer(rb"<" + ep + rb"r>.*?</" + ep + rb"r>", body, re.S))
    if runs:
        for run in runs:
            if sep not in run[0]:
                continue
            t = t_re.search(run[0])
            keep = b""
            if t is not None:
                text = t[2][:t[2].find(sep)].rstrip(b"\r\n")
                if text:
                    keep = run[0][:t.start(2)] + text + run[0][t.end(2):]
            # this run cut short, every later run (all ours) dropped; phonetic parts after them stay
            return body[:run.start()] + keep + body[runs[-1].end():]
        return body
    t = t_re.search(body)
    if t is None or sep not in t[2]:
        return body
    text = t[2][:t[2].find(sep)].rstrip(b"\r\n")
    return body[:t.start(2)] + text + body[t.end(2):]


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
