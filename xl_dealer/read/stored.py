"""A zip of stored (uncompressed) members written straight to its file: the pieces calamine reads
(``pieces.py``).

zipfile's writer takes each member's CRC with the standard library's zlib, 0.03-0.1 s of CPU for
a 100k-row sheet's 85 MB, as much as writing the bytes; zlib-ng's CRC (``inflate.crc32``) takes a
tenth of that. Sizes and offsets stay under 4 GB (no zip64): ``pieces.py`` writes a bigger piece
with zipfile, and one that grows past it anyway is an OSError, which reads the sheet whole.
"""

from __future__ import annotations

import struct
from pathlib import Path

from xl_dealer.read.inflate import crc32

_LIMIT = 0xFFFFFFFF  # a size or an offset this big needs zip64
_DOS_DATE = (1 << 5) | 1  # 1980-01-01, as zipfile dates a member written from bytes
_LOCAL = struct.Struct("<IHHHHHIIIHH")  # signature, version, flags, method, time, date, CRC, sizes, name, extra
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


class StoredZip:
    """What a piece is written through of zipfile.ZipFile's interface: ``writestr`` for the small
    parts, ``open(name, "w")`` for the sheet written block by block, ``close``."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "wb")  # noqa: SIM115 - closed by close(), as a ZipFile's is
        self.members: list[tuple[bytes, int, int, int]] = []  # name, CRC, size, offset of its header

    def writestr(self, name: str, data: str | bytes) -> None:
        member = self.open(name, "w")
        member.write(data.encode() if isinstance(data, str) else data)
        member.close()

    def open(self, name: str, mode: str = "w", force_zip64: bool = False) -> _Member:
        if mode != "w" or force_zip64:
            raise ValueError("a StoredZip member is written, under 4 GB")
        return _Member(self, name.encode("ascii"))

    def close(self) -> None:
        """The central directory after the members written in full; the file is closed even when
        this raises."""
        try:
            start = self.fh.tell()
            for name, crc, size, offset in self.members:
                self.fh.write(_CENTRAL.pack(0x02014B50, 20, 20, 0, 0, 0, _DOS_DATE, crc, size, size, len(name),
                                            0, 0, 0, 0, 0, offset) + name)
            end = self.fh.tell()
            if end >= _LIMIT:
                raise OSError("this piece needs zip64")
            n = len(self.members)
            self.fh.write(_END.pack(0x06054B50, 0, 0, n, n, end - start, start, 0))
        finally:
            self.fh.close()


class _Member:
    """One stored member: its local header first, its CRC and size filled in at close."""

    def __init__(self, z: StoredZip, name: bytes) -> None:
        self.z = z
        self.name = name
        self.offset = z.fh.tell()
        self.crc = self.size = 0
        z.fh.write(_LOCAL.pack(0x04034B50, 20, 0, 0, 0, _DOS_DATE, 0, 0, 0, len(name), 0) + name)

    def write(self, data: bytes) -> None:
        self.crc = crc32(data, self.crc)
        self.size += len(data)
        self.z.fh.write(data)

    def close(self) -> None:
        fh = self.z.fh
        if self.size >= _LIMIT or self.offset >= _LIMIT:
            raise OSError("this piece needs zip64")
        end = fh.tell()
        fh.seek(self.offset + 14)  # the CRC and the two sizes of the local header
        fh.write(struct.pack("<III", self.crc, self.size, self.size))
        fh.seek(end)
        self.z.members.append((self.name, self.crc, self.size, self.offset))
