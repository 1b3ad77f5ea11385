"""A zip part's bytes, inflated about a megabyte at a time, with zlib-ng when it is there.

The pre-flight pass inflates every sheet once before calamine reads it (``guard.py``): with
the standard library's zlib that was 0.15–0.27 s of CPU on a 100k-row sheet (85 MB of XML),
as much as all the row checks; zlib-ng inflates the same stream in about 0.05 s. It gives
the same bytes (deflate is a format, not an implementation), so the part is read from its
local header on: a stored or deflated part of a plain zip. Anything else (encrypted,
another method, a zip opened from a stream, zlib-ng missing) goes through ``zipfile``.

As ``zipfile`` does, the output stops at the size the directory gives and a short stream
ends early (its CRC then fails when asked for); the CRC is checked only when asked for:
calamine checks it when it reads the part, and a piece cut from it is checked here.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator

try:
    from zlib_ng import zlib_ng as _zl
except ImportError:  # pragma: no cover - an install without the optional speed-up
    _zl = None

# a CRC-32 as zlib computes it; zlib-ng's folds with carry-less multiplies, ten times faster
crc32 = _zl.crc32 if _zl is not None else zlib.crc32
CHUNK = 1 << 20
_IN = 1 << 17  # compressed bytes read at a time
# what inflating a broken part raises, from either library
ERRORS: tuple[type[BaseException], ...] = (zlib.error, zipfile.BadZipFile, EOFError, NotImplementedError) + (
    (_zl.error,) if _zl is not None and _zl.error is not zlib.error else ())


def blocks(z: zipfile.ZipFile, info: zipfile.ZipInfo, crc: bool = False) -> Iterator[bytes]:
    """The part's bytes in blocks of at most ``CHUNK``; with ``crc``, BadZipFile at the end if
    they are not what the zip directory says."""
    if (_zl is None or not isinstance(z.filename, str) or info.flag_bits & 1
            or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED)):
        yield from _zipfile_blocks(z, info, crc)
        return
    with open(z.filename, "rb") as fh:
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"Bad magic number for file header of {info.filename}")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        inflater = _zl.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        compressed = info.compress_size
        left = info.file_size
        check = 0
        while compressed > 0 and left > 0:
            raw = fh.read(min(_IN, compressed))
            if not raw:
                raise EOFError(f"{info.filename} is truncated")
            compressed -= len(raw)
            while raw and left > 0:
                if inflater is None:
                    out, raw = raw[:CHUNK], raw[CHUNK:]
                else:
                    out = inflater.decompress(raw, CHUNK)
                    raw = inflater.unconsumed_tail
                    if not out and inflater.eof:
                        break
                out = out[:left]
                left -= len(out)
                if crc:
                    check = crc32(out, check)
                if out:
                    yield out
            if inflater is not None and inflater.eof:
                break
    if crc and check != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


def _zipfile_blocks(z: zipfile.ZipFile, info: zipfile.ZipInfo, crc: bool) -> Iterator[bytes]:
    with z.open(info) as fh:
        if not crc:
            # a tenth of the time on a big sheet, and calamine checks it when it reads
            fh._expected_crc = None  # type: ignore[attr-defined]
        while block := fh.read(CHUNK):
            yield block
