"""Small files the demo units upload: a scanned-looking document (PDF), a photo (PNG), a camera photo
with EXIF time and place (JPEG). Drawn with Pillow, a few KB each, different for every unit (the
text and colours come from the unit's generator), so the content-hash names never collide by chance."""
import datetime
import functools
import io
import random
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

# Debian's fonts-noto-cjk (scripts/setup.sh installs it); index 2 of the collection is Simplified Chinese.
_CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
)


@functools.cache
def _font(size: int):
    for path in _CJK_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size, index=2), True
    return ImageFont.load_default(), False


def _text(draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill) -> None:
    font, cjk = _font(size)
    if not cjk:
        # The fallback bitmap font has no Chinese: keep the layout, drop the characters.
        text = "".join(ch if ord(ch) < 128 else "" for ch in text) or "Green Office"
    draw.text(xy, text, font=font, fill=fill)


def document_pdf(name: str, title: str, lines: list[str], rng: random.Random) -> SimpleUploadedFile:
    """A one-page "scanned" document: red-headed title, body lines, a seal-coloured circle."""
    image = Image.new("RGB", (420, 594), (252, 251, 247))
    draw = ImageDraw.Draw(image)
    draw.line((30, 62, 390, 62), fill=(200, 30, 30), width=2)
    _text(draw, (30, 28), title[:22], 18, (200, 30, 30))
    y = 84
    for line in lines:
        for start in range(0, len(line), 24):
            _text(draw, (36, y), line[start:start + 24], 13, (40, 40, 40))
            y += 22
        y += 6
    for _ in range(rng.randint(4, 8)):  # the rest of the page: grey lines of body text
        width = rng.randint(200, 340)
        draw.line((36, y + 8, 36 + width, y + 8), fill=(190, 190, 190), width=6)
        y += 22
    cx, cy = 300 + rng.randint(-10, 10), 500
    draw.ellipse((cx - 44, cy - 44, cx + 44, cy + 44), outline=(210, 40, 40), width=3)
    out = io.BytesIO()
    # Fixed document dates: the same unit gets the same bytes on every run (content-hash names repeat).
    scanned = datetime.datetime(2026, rng.randint(3, 8), rng.randint(1, 28), 9, 30)
    image.save(out, format="PDF", resolution=72, title=title, creationDate=scanned.timetuple(),
               modDate=scanned.timetuple())
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def _scene(caption: str, rng: random.Random, size=(480, 320)) -> Image.Image:
    """A simple "photo": sky, wall, a few boxes in green shades, and a caption bar."""
    width, height = size
    image = Image.new("RGB", size, (200 + rng.randint(0, 40), 215, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 0.45, width, height), fill=(225, 222, 210))
    for _ in range(rng.randint(3, 6)):
        x = rng.randint(10, width - 90)
        w, h = rng.randint(40, 90), rng.randint(50, 120)
        colour = (rng.randint(20, 80), rng.randint(110, 170), rng.randint(50, 100))
        draw.rectangle((x, height - 40 - h, x + w, height - 40), fill=colour)
    draw.rectangle((0, height - 34, width, height), fill=(30, 60, 45))
    _text(draw, (10, height - 30), caption[:30], 16, (255, 255, 255))
    return image


def photo_png(name: str, caption: str, rng: random.Random) -> SimpleUploadedFile:
    out = io.BytesIO()
    _scene(caption, rng).save(out, format="PNG", optimize=True)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def photo_jpeg(name: str, caption: str, rng: random.Random, *, taken: datetime.datetime,
               gps: tuple[float, float] = (30.27, 120.16)) -> SimpleUploadedFile:
    """A phone photo: EXIF DateTimeOriginal and GPS as a camera writes them (the upload check reads them)."""
    image = _scene(caption, rng, size=(400, 300))
    exif = Image.Exif()
    exif[0x0110] = "DemoPhone"
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    lat, lon = gps[0] + rng.uniform(-0.05, 0.05), gps[1] + rng.uniform(-0.05, 0.05)

    def dms(value: float):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round(((value - degrees) * 60 - minutes) * 60, 2))

    gps_ifd = exif.get_ifd(0x8825)
    gps_ifd[1], gps_ifd[2], gps_ifd[3], gps_ifd[4] = "N", dms(lat), "E", dms(lon)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70, exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
