"""Notes (legacy comments, what Excel calls a Note) added to a sheet beside any the clerk made.

A note is two things in the package: a ``<comment>`` in the sheet's comments
part (the text) and a ``<v:shape>`` in its VML drawing (the yellow box). A
clerk's existing notes are kept; when a marked cell already has one, our text
is appended below a separator rather than replacing theirs. A note of our own
starts with the same separator line: that text is what tells our notes from a
clerk's after a program that drops note authors (LibreOffice) saved the copy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from xl_dealer.xlsx.package import (
    CT_COMMENTS,
    CT_VML,
    NS_MAIN,
    REL_COMMENTS,
    REL_VML,
    XML_DECL,
    Package,
    PackageError,
    local,
    xml_text,
)
from xl_dealer.xlsx.sheet import add_legacy_drawing, legacy_drawing_rid, parse_ref, root_prefix

AUTHOR = "xl-dealer"
_SHAPE_ID = re.compile(rb"_x0000_s(\d+)")
_IDMAP = re.compile(rb'<o:idmap\b[^>]*\bdata="([^"]*)"')
NS_V, NS_O, NS_X = ("urn:schemas-microsoft-com:vml", "urn:schemas-microsoft-com:office:office",
                    "urn:schemas-microsoft-com:office:excel")
VML_HEAD = (
    f'<xml xmlns:v="{NS_V}" xmlns:o="{NS_O}" xmlns:x="{NS_X}">'
    '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{data}"/></o:shapelayout>'
)
SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


def add_notes(pkg: Package, sheet_part: str, sheet_xml: bytes, notes: Mapping[str, str],
              separator: str) -> bytes:
    """Add a note per cell (``notes["H12"] = text``); returns the sheet XML (with legacyDrawing)."""
    if not notes:
        return sheet_xml
    rels = pkg.rels(sheet_part)
    comments_part = next((t for _, typ, t in rels if typ.endswith("/comments") and pkg.has(t)), None)
    vml_rid = legacy_drawing_rid(sheet_xml)
    vml_part = next((t for rid, _, t in rels if rid == vml_rid and pkg.has(t)), None) if vml_rid else None

    existing: set[str] = set()
    if comments_part:
        xml, existing = _extend_comments(pkg.read(comments_part), notes, separator)
        pkg.write(comments_part, xml)
    else:
        comments_part = pkg.new_name("xl/comments{}.xml")
        pkg.write(comments_part, _new_comments({ref: f"{separator}\n{t}" for ref, t in notes.items()}))
        pkg.add_override(comments_part, CT_COMMENTS)
        pkg.add_rel(sheet_part, REL_COMMENTS, comments_part)

    shapes = [ref for ref in notes if ref not in existing]  # the clerk's notes already have a box
    next_id = _max_shape_id(pkg) + 1
    if vml_part:
        vml, prefixes = _vml_prefixes(pkg.read(vml_part))
        add = "" if b"_x0000_t202" in vml else SHAPETYPE
        add += "".join(_shape(next_id + i, ref, f"{separator}\n{notes[ref]}") for i, ref in enumerate(shapes))
        end = vml.rfind(b"</xml>")
        if end < 0:
            raise PackageError(f"{vml_part} has no </xml> end")
        pkg.write(vml_part, vml[:end] + _with_prefixes(add, prefixes).encode("utf-8") + vml[end:])
    else:
        block = max(_used_blocks(pkg), default=0) + 1
        first = max(next_id, block * 1024 + 1)
        last_block = (first + len(shapes)) // 1024
        data = ",".join(str(b) for b in range(block, max(block, last_block) + 1))
        body = VML_HEAD.format(data=data) + SHAPETYPE
        body += "".join(_shape(first + i, ref, f"{separator}\n{notes[ref]}") for i, ref in enumerate(shapes)) + "</xml>"
        vml_part = pkg.new_name("xl/drawings/vmlDrawing{}.vml")
        pkg.write(vml_part, body.encode("utf-8"))
        pkg.ensure_default("vml", CT_VML)
        rid = pkg.add_rel(sheet_part, REL_VML, vml_part)
        sheet_xml = add_legacy_drawing(sheet_xml, rid)
    return sheet_xml


def _rich(text: str, p: str = "") -> str:
    return f'<{p}t xml:space="preserve">{xml_text(text)}</{p}t>'


def _new_comments(notes: Mapping[str, str]) -> bytes:
    items = "".join(f'<comment ref="{ref}" authorId="0"><text>{_rich(t)}</text></comment>'
                    for ref, t in notes.items())
    return XML_DECL + (f'<comments xmlns="{NS_MAIN}"><authors><author>{AUTHOR}</author></authors>'
                       f"<commentList>{items}</commentList></comments>").encode()


def _extend_comments(xml: bytes, notes: Mapping[str, str], separator: str) -> tuple[bytes, set[str]]:
    """Add our notes to an existing comments part; returns it and the refs that already had a note."""
    from defusedxml import ElementTree as ET

    tree = ET.fromstring(xml)
    authors: list[str] = []
    refs: set[str] = set()
    for el in tree.iter():
        if local(el.tag) == "author":
            authors.append(el.text or "")
        elif local(el.tag) == "comment":
            refs.add(el.get("ref", "").upper())
    p = root_prefix(xml, b"comments")
    ep = re.escape(p)
    if AUTHOR in authors:
        author_id = authors.index(AUTHOR)
    else:
        author_id = len(authors)
        new = b"<" + p + b"author>" + AUTHOR.encode() + b"</" + p + b"author>"
        m = re.search(rb"</" + ep + rb"authors>|<" + ep + rb"authors\s*/>", xml)
        if m is None:  # no <authors> at all: it comes first in <comments>
            root = re.search(rb"<" + ep + rb"comments\b[^>]*>", xml)
            assert root is not None
            xml = xml[:root.end()] + b"<" + p + b"authors>" + new + b"</" + p + b"authors>" + xml[root.end():]
        elif m[0].startswith(b"</"):
            xml = xml[:m.start()] + new + xml[m.start():]
        else:
            xml = xml[:m.start()] + b"<" + p + b"authors>" + new + b"</" + p + b"authors>" + xml[m.end():]

    appended: list[bytes] = []
    for ref, text in notes.items():
        if ref.upper() in refs:
            xml = _append_to_comment(xml, p, ref, f"\n{separator}\n{text}")
        else:
            appended.append(b"<" + p + b'comment ref="' + ref.encode() + b'" authorId="'
                            + str(author_id).encode() + b'"><' + p + b"text>"
                            + _rich(f"{separator}\n{text}", p.decode()).encode("utf-8")
                            + b"</" + p + b"text></" + p + b"comment>")
    if appended:
        m = re.search(rb"</" + ep + rb"commentList>|<" + ep + rb"commentList\s*/>", xml)
        items = b"".join(appended)
        if m is None:
            end = xml.rfind(b"</" + p + b"comments>")
            xml = xml[:end] + b"<" + p + b"commentList>" + items + b"</" + p + b"commentList>" + xml[end:]
        elif m[0].startswith(b"</"):
            xml = xml[:m.start()] + items + xml[m.start():]
        else:
            xml = xml[:m.start()] + b"<" + p + b"commentList>" + items + b"</" + p + b"commentList>" + xml[m.end():]
    return xml, {r for r in notes if r.upper() in refs}


def _append_to_comment(xml: bytes, p: bytes, ref: str, text: str) -> bytes:
    """Add a run with ``text`` at the end of the clerk's note text (their text untouched)."""
    ep = re.escape(p)
    m = re.search(rb"<" + ep + rb"comment\b[^>]*\sref=\"" + re.escape(ref.encode()) + rb"\"[^>]*>(.*?)</"
                  + ep + rb"comment>", xml, re.S | re.I)
    if m is None:
        return xml
    body = m[1]
    tm = re.search(rb"<" + ep + rb"text>(.*?)</" + ep + rb"text>", body, re.S)
    if tm is None:
        return xml
    inner = tm[1]
    # plain <t> text becomes a run, so the note is a clean sequence of runs
    if not re.search(rb"<" + ep + rb"r>", inner):
        inner = re.sub(rb"(<" + ep + rb"t\b.*?</" + ep + rb"t>)", rb"<" + p + rb"r>\1</" + p + rb"r>",
                       inner, count=1, flags=re.S)
    run = (b"<" + p + b"r><" + p + b't xml:space="preserve">' + xml_text(text).encode("utf-8")
           + b"</" + p + b"t></" + p + b"r>")
    tail = re.search(rb"<" + ep + rb"(rPh|phoneticPr)\b", inner)  # runs come before phonetic parts
    at = tail.start() if tail else len(inner)
    inner = inner[:at] + run + inner[at:]
    new_body = body[:tm.start(1)] + inner + body[tm.end(1):]
    start = m.start(1)
    return xml[:start] + new_body + xml[m.end(1):]


def _vml_prefixes(vml: bytes) -> tuple[bytes, dict[str, str]]:
    """The prefixes this VML binds to v:, o:, x: (openpyxl writes ns0/ns1/ns2); missing ones declared."""
    root = re.search(rb"<xml\b[^>]*>", vml)
    if root is None:
        raise PackageError("VML drawing has no <xml> root")
    declared = {uri.decode(): pre.decode() for pre, uri in re.findall(rb'xmlns:([\w.-]+)="([^"]*)"', root[0])}
    out: dict[str, str] = {}
    tag = root[0]
    for short, uri in (("v", NS_V), ("o", NS_O), ("x", NS_X)):
        if uri in declared:
            out[short] = declared[uri]
        else:
            pre = short
            while pre in declared.values():
                pre += "_"
            tag = tag[:-1] + f' xmlns:{pre}="{uri}">'.encode()
            out[short] = pre
    return vml[:root.start()] + tag + vml[root.end():], out


def _with_prefixes(xml: str, prefixes: dict[str, str]) -> str:
    if all(k == v for k, v in prefixes.items()):
        return xml
    return re.sub(r"(</?|\s)(v|o|x):", lambda m: m[1] + prefixes[m[2]] + ":", xml)


def _max_shape_id(pkg: Package) -> int:
    best = 1024
    for name in pkg.names:
        if name.lower().endswith(".vml"):
            best = max([best, *(int(x) for x in _SHAPE_ID.findall(pkg.read(name)))])
    return best


def _used_blocks(pkg: Package) -> list[int]:
    out: list[int] = []
    for name in pkg.names:
        if name.lower().endswith(".vml"):
            for data in _IDMAP.findall(pkg.read(name)):
                out += [int(x) for x in re.findall(rb"\d+", data)]
    return out


def _shape(shape_id: int, ref: str, text: str) -> str:
    row, col = parse_ref(ref)
    lines = sum(1 + len(line) // 24 for line in text.split("\n"))
    height = min(max(lines + 1, 4), 24)  # in rows of the anchor, roughly one per wrapped line
    r0 = max(row - 2, 0)
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" '
        'style="position:absolute;margin-left:80pt;margin-top:2pt;width:240pt;height:100pt;'
        'z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
        '<div style="text-align:left"></div></v:textbox>'
        '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{col + 1}, 15, {r0}, 10, {col + 5}, 15, {r0 + height}, 4</x:Anchor>"
        f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{col}</x:Column>"
        "</x:ClientData></v:shape>"
    )

