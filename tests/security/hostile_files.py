"""The hostile upload corpus, made in code (no binaries in the repository).

Each builder returns bytes. The zip bomb is built by hand: a deflate block of 1 MiB of one byte, cut
loose from its neighbours by a full flush, repeated; so a 1 GiB member costs ~1 MB and no time to make.
"""
import functools
import io
import struct
import zlib

from openpyxl import Workbook
from PIL import Image

MiB = 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def exe_bytes() -> bytes:
    """The start of a Windows PE executable (DOS stub, PE signature)."""
    dos = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46)
    dos += struct.pack("<I", 64)
    return bytes(dos) + b"PE\x00\x00\x4c\x01" + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def png_bytes(size=(16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 40)).save(out, format="PNG")
    return out.getvalue()


HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"


def png_html_polyglot() -> bytes:
    """A real PNG with an HTML page appended (passes Pillow's check; a sniffing browser may run it)."""
    return png_bytes() + HTML_PAYLOAD


def pdf_html_polyglot() -> bytes:
    """A PDF header followed by HTML with a script, and a PDF JavaScript action."""
    return (b"%PDF-1.4\n" + HTML_PAYLOAD + b"\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
            b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def svg_with_script() -> bytes:
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<script>alert(document.domain)</script><rect width="10" height="10"/></svg>')


def png_bomb(width=30_000, height=30_000) -> bytes:
    """A valid 1-bit PNG of width×height black pixels: ~100 KB on disk, 900 megapixels decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 1000) for _ in range(height // 1000)]
    parts.append(compressor.compress(row * (height % 1000)))
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def real_xlsx(rows=(("a", 1),)) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the zip bomb ----------------------------------------------------------------------------------

def _deflate_repeated(prefix: bytes, fill: bytes, count: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of prefix + fill*count + suffix, its CRC-32 and its inflated size, cheaply."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(fill) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(fill) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "a full flush should make every block alike"
    tail = compressor.compress(suffix) + compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(fill, crc)
    crc = zlib.crc32(suffix, crc)
    return head + block * count + tail, crc, len(prefix) + len(fill) * count + len(suffix)


def _zip(entries) -> bytes:
    """A zip archive from (name, raw deflate data, crc, inflated size) entries."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in entries:
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                              len(encoded), 0) + encoded)
        out.write(data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data),
                                   size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


SHARED_STRINGS = "xl/sharedStrings.xml"


@functools.lru_cache(maxsize=4)
def xlsx_zip_bomb(inflated_mib: int = 1024, member: str = SHARED_STRINGS) -> bytes:
    """A real .xlsx whose `member` inflates to `inflated_mib` MiB of XML (a single huge shared string),
    while the file itself is about a thousandth of that."""
    import zipfile

    entries = []
    with zipfile.ZipFile(io.BytesIO(real_xlsx(rows=(("名称", "数量"), ("甲", 1))))) as source:
        for info in source.infolist():
            if info.filename == member:
                continue
            raw = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and member == SHARED_STRINGS:
                # Declare the shared strings part, so a reader really parses the bomb.
                raw = raw.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                  b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"'
                                  b"/></Types>")
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            entries.append((info.filename, compressor.compress(raw) + compressor.flush(), zlib.crc32(raw),
                            len(raw)))
    prefix = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>')
    suffix = b"</t></si><si><t>x</t></si></sst>"
    data, crc, size = _deflate_repeated(prefix, b"A" * MiB, inflated_mib, suffix)
    entries.append((member, data, crc, size))
    return _zip(entries)
