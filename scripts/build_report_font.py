"""Builds static/fonts/GreenOfficeSans-Regular.ttf, the font the PDF reports are set in.

    .venv/bin/python scripts/build_report_font.py [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

Why: WeasyPrint subsets every embedded face on every render, and HarfBuzz's cost grows with the size
of the font it subsets. Noto Sans CJK SC has 65,535 glyphs in CFF outlines; subsetting it took about
a fifth of a unit report's render. This script keeps the characters of GB 2312 (the 6,763 hanzi and
682 symbols every mainland name, address and form is written in) plus Latin, punctuation, arrows,
circled numbers and full-width forms (8,650 characters), and converts the outlines to TrueType,
which HarfBuzz subsets faster than CFF. A character outside that set (a rare hanzi in a person's or a
place's name) is still printed: report.css names "Noto Sans CJK SC" (the fonts-noto-cjk package the
set-up installs) as the fallback, and only then is a second face embedded.

The output is committed (the set-up does not run this script); re-run it only to change the set.
License: the SIL Open Font License 1.1 of Noto Sans CJK (static/fonts/OFL.txt) applies to the output;
Noto has no Reserved Font Name, and the family is renamed so it is never mistaken for the full font.
"""
import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FAMILY = "GreenOffice Sans"
POSTSCRIPT_NAME = "GreenOfficeSans-Regular"
DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# Ranges kept whole besides GB 2312: Basic Latin, Latin-1, General Punctuation, Letterlike symbols and
# Number forms (℃ № Ⅻ), Arrows, Mathematical operators, Enclosed alphanumerics (① ⑳), Box drawing
# and Geometric shapes (■ ● ▲), CJK symbols and punctuation, Half- and full-width forms.
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF),
          (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
OUTPUT = Path(__file__).resolve().parent.parent / "static" / "fonts" / f"{POSTSCRIPT_NAME}.ttf"


def characters() -> set[int]:
    codepoints = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                codepoints.add(ord(bytes([first, second]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    for start, end in RANGES:
        codepoints.update(range(start, end + 1))
    return codepoints


def sc_face_index(source: str) -> int:
    """The index of the Simplified Chinese face inside the .ttc."""
    for index in range(10):
        try:
            font = TTFont(source, fontNumber=index, lazy=True)
        except Exception:  # noqa: BLE001 - past the last face
            break
        if "Noto Sans CJK SC" in str(font["name"].getDebugName(1)):
            return index
    raise SystemExit(f"no Noto Sans CJK SC face in {source}")


def to_truetype(font: TTFont) -> None:
    """CFF outlines to quadratic TrueType ones (max error 1 unit of 1000: invisible)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones",):
        setattr(maxp, attr, 1)
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont) -> None:
    names = {1: FAMILY, 2: "Regular", 4: f"{FAMILY} Regular", 6: POSTSCRIPT_NAME, 16: FAMILY, 17: "Regular",
             3: f"{POSTSCRIPT_NAME};GB 2312 subset of Noto Sans CJK SC"}
    for record in font["name"].names:
        if record.nameID in names:
            record.string = names[record.nameID]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE)
    parser.add_argument("--output", default=str(OUTPUT))
    args = parser.parse_args(argv)
    options = subset.Options()
    options.font_number = sc_face_index(args.source)
    # Horizontal Simplified Chinese needs none of the regional (locl) or vertical (vert) alternates,
    # which would nearly double the glyph count; the features kept shape Latin and punctuation.
    options.layout_features = ["ccmp", "kern", "mark", "mkmk"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(args.source, fontNumber=options.font_number)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    to_truetype(font)
    rename(font)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    font.save(args.output)
    kept = len(font.getBestCmap())
    print(f"{args.output}: {kept} characters, {len(font.getGlyphOrder())} glyphs, "
          f"{Path(args.output).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
