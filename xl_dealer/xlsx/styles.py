"""Appending fills, fonts and cell formats to ``xl/styles.xml`` by splicing text.

A marked cell gets a new xf cloned from the one it had with only the fill
changed, so its number format (a date stays a date), font, border, alignment
and protection stay. Existing entries are never renumbered.
"""

from __future__ import annotations

import re

from xl_dealer.xlsx.package import (
    NS_MAIN,
    XML_DECL,
    Package,
    PackageError,
    get_attr,
    local,
    remove_attr,
    set_attr,
    top_level_insert_at,
    xml_attr,
)
from xl_dealer.xlsx.sheet import root_prefix

MINIMAL_STYLES = XML_DECL + (
    f'<styleSheet xmlns="{NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
).encode()

NO_FILL = b'<fill><patternFill patternType="none"/></fill>'


class Styles:
    """The styles part of one package, with additions queued and written by :meth:`save`."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.part = self._find_part()
        self.xml = pkg.read(self.part) if pkg.has(self.part) else MINIMAL_STYLES
        self.p = root_prefix(self.xml, b"styleSheet")
        # a styles part without fonts, fills, borders or cell formats (some writers) gets the
        # minimal records a mark needs, where the schema puts them; nothing existing is renumbered
        self.xml = _ensure_sections(self.xml, self.p)
        tree = _parse(self.xml)
        self._n = {name: sum(1 for _ in _children(tree, name)) for name in ("fonts", "fills", "cellXfs")}
        if not self._n["cellXfs"]:
            raise PackageError("styles.xml has no cell formats (cellXfs)")
        font0 = next(_children(tree, "fonts"), None)
        self.font_name, self.font_size = "Calibri", "11"
        if font0 is not None:
            for el in font0:
                if local(el.tag) == "name":
                    self.font_name = el.get("val", self.font_name)
                elif local(el.tag) == "sz":
                    self.font_size = el.get("val", self.font_size)
        self._xfs = _section_items(self.xml, self.p, b"cellXfs", b"xf")
        self._new: dict[bytes, list[bytes]] = {b"fonts": [], b"fills": [], b"cellXfs": []}
        # what is there already, so re-marking a marked copy reuses its entries instead of adding more
        self._old: dict[bytes, list[bytes]] = {b"fonts": _section_items(self.xml, self.p, b"fonts", b"font"),
                                               b"fills": _section_items(self.xml, self.p, b"fills", b"fill"),
                                               b"cellXfs": self._xfs}
        fill_rgb: list[str | None] = []
        for fill in _children(tree, "fills"):
            pattern = next((el for el in fill if local(el.tag) == "patternFill"), None)
            fg = next((el for el in pattern if local(el.tag) == "fgColor"), None) if pattern is not None else None
            solid = pattern is not None and pattern.get("patternType") == "solid"
            fill_rgb.append(fg.get("rgb", "").upper() or None if solid and fg is not None else None)
        self._fill_rgb = fill_rgb
        self._xf_fill = [int(xf.get("fillId", "0") or 0) for xf in _children(tree, "cellXfs")]
        self._fill_ids: dict[str, int] = {}
        self._clones: dict[tuple[object, ...], int] = {}

    def _find_part(self) -> str:
        wb = self.pkg.workbook_part()
        for _, typ, target in self.pkg.rels(wb):
            if typ.endswith("/styles"):
                return target
        return "xl/styles.xml"

    # ---------------------------------------------------------------- additions

    def fill(self, rgb: str) -> int:
        """Index of a solid fill of colour ``rgb`` (AARRGGBB), added once."""
        if rgb not in self._fill_ids:
            p = self.p.decode()
            el = (f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
                  f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
            self._fill_ids[rgb] = self._add(b"fills", el.encode())
        return self._fill_ids[rgb]

    def font(self, *, bold: bool = False, underline: bool = False, rgb: str | None = None,
             size: float | None = None) -> int:
        p = self.p.decode()
        sz = f"{size:g}" if size else self.font_size
        parts = [f"<{p}b/>" if bold else "", f"<{p}u/>" if underline else "",
                 f'<{p}sz val={xml_attr(sz)}/>', f'<{p}color rgb="{rgb}"/>' if rgb else "",
                 f"<{p}name val={xml_attr(self.font_name)}/>"]
        return self._add(b"fonts", f"<{p}font>{''.join(parts)}</{p}font>".encode())

    def clone_xf(self, base: int, *, fill: int | None = None, font: int | None = None,
                 wrap: str | None = None, indent: int = 0) -> int:
        """A new xf equal to ``base`` except the given fill / font / alignment; cached.

        ``wrap``: wrapped text with this vertical alignment; ``indent``: left-aligned, indented
        that many levels (so text does not touch the cell's left border)."""
        key = (base, fill, font, wrap, indent)
        if key in self._clones:
            return self._clones[key]
        src = self._xf_bytes(base)
        start_end = src.find(b">") + 1
        start, rest = src[:start_end], src[start_end:]
        if fill is not None:
            start = set_attr(set_attr(start, b"fillId", str(fill).encode()), b"applyFill", b"1")
        if font is not None:
            start = set_attr(set_attr(start, b"fontId", str(font).encode()), b"applyFont", b"1")
        if wrap is not None:
            p = self.p
            horizontal = b'horizontal="left" indent="' + str(indent).encode() + b'" ' if indent else b""
            align = b"<" + p + b"alignment " + horizontal + b'wrapText="1" vertical="' + wrap.encode() + b'"/>'
            start = set_attr(start, b"applyAlignment", b"1")
            inner = re.sub(rb"<" + re.escape(p) + rb"alignment\b[^>]*/>|<" + re.escape(p)
                           + rb"alignment\b.*?</" + re.escape(p) + rb"alignment>", b"", rest, flags=re.S)
            if start.endswith(b"/>"):
                start, inner = start[:-2] + b">", b""
                closing = b"</" + p + b"xf>"
            else:
                inner, closing = inner[:-len(b"</" + p + b"xf>")], b"</" + p + b"xf>"
            rest = align + inner + closing  # alignment is the first child of xf
        xf = start + rest
        self._clones[key] = self._add(b"cellXfs", xf)
        return self._clones[key]

    def with_fill(self, base: int, fill: int, apply_fill: bytes | None) -> int:
        """A new xf equal to ``base`` but for its fill (and ``applyFill``, removed when None): a
        marked cell given back the fill it had before, whatever else the clerk changed since."""
        key = ("fill", base, fill, apply_fill)
        if key in self._clones:
            return self._clones[key]
        src = self._xf_bytes(base)
        end = src.find(b">") + 1
        start = set_attr(src[:end], b"fillId", str(fill).encode())
        start = set_attr(start, b"applyFill", apply_fill) if apply_fill is not None else remove_attr(start, b"applyFill")
        self._clones[key] = self._add(b"cellXfs", start + src[end:])
        return self._clones[key]

    def fill_rgb_of(self, xf: int) -> str | None:
        """The solid fill colour (AARRGGBB) an existing xf shows, None for none or another kind of fill."""
        if not 0 <= xf < len(self._xf_fill):
            return None
        fill = self._xf_fill[xf]
        return self._fill_rgb[fill] if 0 <= fill < len(self._fill_rgb) else None

    def fill_of(self, xf: int) -> tuple[bytes, bytes | None]:
        """The fill an xf (existing or added) shows, as its ``<fill>`` element without a namespace
        prefix, and its ``applyFill`` value: what a mark replaced, kept in our record by value
        because Excel, WPS and LibreOffice renumber fills and formats when they save."""
        src = self._xf_bytes(xf)
        start = src[:src.find(b">") + 1]
        raw = get_attr(start, b"fillId")
        fill_id = int(raw) if raw and raw.isdigit() else 0
        old, new, n = self._old[b"fills"], self._new[b"fills"], self._n["fills"]
        if len(old) != n:  # a fills section we could not split: its fills are not known by value
            old = []
        el = old[fill_id] if fill_id < len(old) else new[fill_id - n] if 0 <= fill_id - n < len(new) else b""
        if self.p:
            el = re.sub(rb"(</?)" + re.escape(self.p), rb"\1", el)
        return el or NO_FILL, get_attr(start, b"applyFill")

    def fill_from(self, el: bytes) -> int:
        """Index of a fill that means the same as ``el`` (a ``<fill>`` without prefix, as
        :meth:`fill_of` gives; openpyxl's ``<patternFill/>`` is LibreOffice's ``patternType="none"``),
        added once if the styles have none."""
        want = _canon(el)
        old = self._old[b"fills"] if len(self._old[b"fills"]) == self._n["fills"] else []
        for i, have in enumerate(old):
            if _canon(have) == want:
                return i
        for j, have in enumerate(self._new[b"fills"]):
            if _canon(have) == want:
                return self._n["fills"] + j
        if self.p:
            el = re.sub(rb"(</?)(?=[A-Za-z])", rb"\1" + self.p, el)
        return self._add(b"fills", el)

    def _xf_bytes(self, xf: int) -> bytes:
        if 0 <= xf < len(self._xfs):
            return self._xfs[xf]
        new = self._new[b"cellXfs"]
        i = xf - self._n["cellXfs"]
        return new[i] if 0 <= i < len(new) else self._xfs[0]

    def digest(self) -> str:
        """What tells these styles from any other version of them (a save by another program)."""
        import hashlib

        return hashlib.sha1(self.pkg.read(self.part) if self.pkg.has(self.part) else self.xml).hexdigest()

    @property
    def xf_count(self) -> int:
        return self._n["cellXfs"]

    def _add(self, section: bytes, el: bytes) -> int:
        old = self._old[section]
        if len(old) == self._n[section.decode()] and el in old:
            return old.index(el)
        if el in self._new[section]:
            return self._n[section.decode()] + self._new[section].index(el)
        self._new[section].append(el)
        return self._n[section.decode()] + len(self._new[section]) - 1

    # ---------------------------------------------------------------- writing

    def save(self) -> None:
        if not any(self._new.values()):
            return
        xml = self.xml
        for section, items in self._new.items():
            if items:
                xml = _append(xml, self.p, section, items, self._n[section.decode()] + len(items))
        if not self.pkg.has(self.part):
            from xl_dealer.xlsx.package import CT_STYLES, REL_STYLES

            self.pkg.add_override(self.part, CT_STYLES)
            self.pkg.add_rel(self.pkg.workbook_part(), REL_STYLES, self.part)
        self.pkg.write(self.part, xml)


def _canon(el: bytes) -> tuple[object, ...] | bytes:
    """A fill element as a comparable value: prefixes, attribute order and defaults aside."""
    try:
        tree = _parse(el)
    except PackageError:
        return el

    def walk(node) -> tuple[object, ...]:  # noqa: ANN001
        attrs = dict(node.attrib)
        if local(node.tag) == "patternFill":
            attrs.setdefault("patternType", "none")
        if local(node.tag) in ("fgColor", "bgColor") and "rgb" in attrs:
            attrs["rgb"] = attrs["rgb"].upper()
        return (local(node.tag), tuple(sorted(attrs.items())), tuple(walk(c) for c in node))

    return walk(tree)


def _parse(xml: bytes):
    from defusedxml import ElementTree as ET

    try:
        return ET.fromstring(xml)
    except ET.ParseError as e:
        raise PackageError(f"styles.xml is not well-formed XML ({e})") from None


def _children(tree, section: str):
    for el in tree:
        if local(el.tag) == section:
            yield from iter(el)
            return


def _section_items(xml: bytes, p: bytes, section: bytes, item: bytes) -> list[bytes]:
    ep = re.escape(p)
    m = re.search(rb"<" + ep + section + rb"\b[^>]*>(.*?)</" + ep + section + rb">", xml, re.S)
    if not m:
        return []
    pat = rb"<" + ep + item + rb"\b[^>]*?(?:/>|>.*?</" + ep + item + rb">)"
    return [x[0] for x in re.finditer(pat, m[1], re.S)]


def _append(xml: bytes, p: bytes, section: bytes, items: list[bytes], count: int) -> bytes:
    ep = re.escape(p)
    m = re.search(rb"<" + ep + section + rb"\b[^>]*?(/?)>", xml)
    if m is None:
        raise PackageError(f"styles.xml has no <{section.decode()}>")
    start = set_attr(m[0], b"count", str(count).encode())
    if m[1]:  # <fills count="0"/>
        start = start[:-2] + b">"
        return xml[:m.start()] + start + b"".join(items) + b"</" + p + section + b">" + xml[m.end():]
    end = xml.find(b"</" + p + section + b">", m.end())
    return xml[:m.start()] + start + xml[m.end():end] + b"".join(items) + xml[end:]


# CT_Stylesheet's children in order, and the minimal content of those a mark needs
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
          "tableStyles", "colors", "extLst")
_MINIMAL = {
    "fonts": '<{p}font><{p}sz val="11"/><{p}name val="Calibri"/></{p}font>',
    "fills": '<{p}fill><{p}patternFill patternType="none"/></{p}fill><{p}fill><{p}patternFill patternType="gray125"/></{p}fill>',
    "borders": "<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border>",
    "cellStyleXfs": '<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
    "cellXfs": '<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
}


def _ensure_sections(xml: bytes, p: bytes) -> bytes:
    """Add each of fonts, fills, borders, cellStyleXfs, cellXfs that is missing or empty."""
    ep = re.escape(p)
    pre = p.decode()
    for section, inner in _MINIMAL.items():
        item = _ITEM[section]
        if _section_items(xml, p, section.encode(), item.encode()):
            continue
        count = len(re.findall(r"<\{p\}" + item + r"[ >/]", inner))
        block = (f'<{pre}{section} count="{count}">' + inner.format(p=pre) + f"</{pre}{section}>").encode()
        m = re.search(rb"<" + ep + section.encode() + rb"\b[^>]*?(?:/>|>.*?</" + ep + section.encode() + rb">)", xml, re.S)
        if m:  # there but empty: replaced
            xml = xml[:m.start()] + block + xml[m.end():]
            continue
        later = _ORDER[_ORDER.index(section) + 1:]
        root = re.search(rb"<" + ep + rb"styleSheet\b[^>]*?(/?)>", xml)
        if root is None:
            raise PackageError("styles.xml has no <styleSheet>")
        if root[1]:  # <styleSheet/>
            xml = xml[:root.start()] + xml[root.start():root.end() - 2] + b">" + block + b"</" + p + b"styleSheet>" \
                + xml[root.end():]
            continue
        at = top_level_insert_at(xml, root.end(), later, b"</" + p + b"styleSheet>")
        xml = xml[:at] + block + xml[at:]
    return xml


_ITEM = {"fonts": "font", "fills": "fill", "borders": "border", "cellStyleXfs": "xf", "cellXfs": "xf"}
