"""The PDF itself: its text, its fonts, and a URL fetcher that never leaves static/."""
import io
import re
import socket

import pytest
from pypdf import PdfReader

from assessment.models import RubricItem
from assessment.rubric_schema import format_points
from greenoffice.pdf import ReportResourceRefused, render_pdf, url_fetcher
from inspections.models import YearEndReview
from inspections.reports import rendering
from inspections.reports.charts import Bar, block_bar_chart


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> list[dict]:
    """Every font used on every page, with its descendant (CID) fonts resolved."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            found.append(font)
            for descendant in font.get("/DescendantFonts", []):
                found.append(descendant.get_object())
    return found


@pytest.fixture
def unit_pdf(scored_a, unit_a, campaign):
    return rendering.render_unit_report(unit=unit_a, campaign=campaign, verification_code="ABCD-EFGH-JKMN-PQRS")


def test_unit_report_text_has_unit_name_every_item_code_and_total(unit_pdf, unit_a, campaign):
    text = _text(unit_pdf.content)
    review = YearEndReview.objects.get(enrolment__unit=unit_a, enrolment__campaign=campaign)
    codes = list(RubricItem.objects.filter(rubric=campaign.rubric).values_list("code", flat=True))
    assert len(codes) == 27
    assert unit_a.name in text
    missing = [code for code in codes if code not in text]
    assert missing == []
    assert re.search(rf"最终得分\s*{re.escape(format_points(review.final_score))}\s", text)
    assert re.search(rf"核定总分\s*{re.escape(format_points(review.verified_total))}\s", text)
    assert review.grade in text
    assert "ABCD-EFGH-JKMN-PQRS" in text
    assert "第 1 页 共" in text
    assert unit_pdf.content.startswith(b"%PDF")
    assert unit_pdf.file_name.endswith(".pdf") and unit_a.name in unit_pdf.file_name


def _families(pdf: bytes) -> set[str]:
    # Subset prefix "ABCDEF+" stripped; WeasyPrint writes the family with hyphens.
    return {str(font["/BaseFont"]).split("+", 1)[-1].replace("-", "") for font in _fonts(pdf)}


def test_unit_report_embeds_only_the_bundled_report_font(unit_pdf):
    """One face, the GB 2312 subset of Noto Sans CJK SC in static/fonts, in the body, the margin boxes
    (running header, 第 N 页 共 M 页) and the SVG chart alike: no fallback font crept in."""
    assert _families(unit_pdf.content) == {"GreenOfficeSans"}
    descriptors = [font["/FontDescriptor"].get_object() for font in _fonts(unit_pdf.content)
                   if "/FontDescriptor" in font]
    assert descriptors
    assert all(("/FontFile2" in d or "/FontFile3" in d) for d in descriptors), "a font is not embedded"


def test_a_character_outside_the_bundled_font_falls_back_to_noto_sans_cjk():
    """喆 and 堃 (common in names) are not in GB 2312: they are printed from the full Noto Sans CJK SC
    of fonts-noto-cjk, never dropped or drawn as boxes."""
    pdf = render_pdf("<p>联系人:张喆、王堃(生僻字)</p>")
    assert _families(pdf) == {"GreenOfficeSans", "NotoSansCJKSC"}
    assert "张喆、王堃" in _text(pdf)
    assert _families(render_pdf("<p>联系人:张明、王坤</p>")) == {"GreenOfficeSans"}


def test_report_font_is_registered_once_per_thread_and_survives_renders():
    from greenoffice.pdf import font_configuration, report_font_path

    assert report_font_path().is_file()
    first = font_configuration()
    render_pdf("<p>第一份</p>")
    assert font_configuration() is first
    assert _families(render_pdf("<p>第二份</p>")) == {"GreenOfficeSans"}


def test_unit_report_without_year_end_review_shows_self_scores_and_says_so(enrolled, unit_b, campaign):
    document = rendering.render_unit_report(unit=unit_b, campaign=campaign, verification_code="TEST-TEST-TEST-TEST")
    text = _text(document.content)
    assert unit_b.name in text
    assert "尚未完成年终考核" in text
    assert "待考核" in text


def test_fetcher_refuses_remote_url_and_opens_no_socket(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(ReportResourceRefused):
        url_fetcher().fetch("http://example.com/x.png")
    with pytest.raises(ReportResourceRefused):
        url_fetcher().fetch("https://example.com/style.css")
    pdf = render_pdf(
        '<html><body><p>远程资源</p><img src="http://example.com/x.png">'
        '<link rel="stylesheet" href="https://example.com/x.css">'
        '<div style="background: url(http://example.com/bg.png)">背景</div></body></html>'
    )
    assert pdf.startswith(b"%PDF")
    assert attempts == []


def test_fetcher_refuses_files_outside_static(tmp_path):
    with pytest.raises(ReportResourceRefused):
        url_fetcher().fetch("file:///etc/passwd")
    with pytest.raises(ReportResourceRefused):
        url_fetcher().fetch(url_fetcher_static_uri("../requirements.txt"))
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    with pytest.raises(ReportResourceRefused):
        url_fetcher().fetch(outside.as_uri())
    with pytest.raises(ReportResourceRefused):
        url_fetcher().fetch("file://otherhost/etc/passwd")
    pdf = render_pdf('<html><body><p>本地文件</p><img src="file:///etc/passwd"></body></html>')
    assert b"root:" not in pdf


def url_fetcher_static_uri(relative: str) -> str:
    from greenoffice.pdf import static_roots

    return static_roots()[0].as_uri() + "/" + relative


def test_fetcher_serves_static_files_and_data_urls():
    response = url_fetcher().fetch(url_fetcher_static_uri("css/report.css"))
    assert b"Noto Sans CJK SC" in response.read()
    data = url_fetcher().fetch("data:text/plain;base64,5rWL6K+V")
    assert data.read().decode() == "测试"


def test_block_chart_escapes_labels():
    svg = block_bar_chart([Bar(label='<script>alert(1)</script>组织', max_points=25, self_score=20,
                               verified_score=None)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'font-family="GreenOffice Sans, Noto Sans CJK SC"' in svg


def test_bundled_report_font_covers_gb2312_and_the_report_symbols():
    """The committed font (scripts/build_report_font.py) has every GB 2312 character and the symbols the
    templates print, under its own family name, with TrueType outlines."""
    from fontTools.ttLib import TTFont

    from greenoffice.pdf import REPORT_FONT_FAMILY, report_font_path

    font = TTFont(report_font_path(), lazy=True)
    cmap = font.getBestCmap()
    gb2312 = []
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes([first, second]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) > 7000
    assert [ch for ch in gb2312 if ord(ch) not in cmap] == []
    assert all(ord(ch) in cmap for ch in "→·—−×①【】《》()%℃0123456789ABCDEFabcdef")
    assert font["name"].getDebugName(1) == REPORT_FONT_FAMILY
    assert "glyf" in font and "CFF " not in font


def test_unit_report_prints_the_carbon_account_in_the_bundled_font(scored_a, unit_a, campaign):
    """The carbon section: the account from the ledger (the campaign year 2026 uses the latest published
    national factor, 2023's 0.5306), in the report font only (CO₂ is printed CO2: no subscript glyph)."""
    from decimal import Decimal

    from assessment.ledger.models import MonthlyRecord
    from tests.ledger.conftest import ensure_emission_factors

    ensure_emission_factors()
    MonthlyRecord.objects.bulk_create([
        MonthlyRecord(unit=unit_a, year=campaign.year, month=m, electricity_kwh=Decimal(40000), headcount=120,
                      floor_area=Decimal(6000)) for m in (1, 2, 3)
    ])
    pdf = rendering.render_unit_report(unit=unit_a, campaign=campaign, verification_code="ABCD-EFGH-JKMN-PQRS")
    text = _text(pdf.content)
    assert "五、碳排放核算" in text
    assert "63.672" in text  # 120,000 kWh × 0.5306 kgCO2/kWh
    assert "120,000 kWh × 0.5306 kgCO2/kWh = 63,672.0 kgCO2" in text.replace("\n", "")
    assert "2026年因子尚未发布,采用最近发布的2023年因子" in text.replace("\n", "")
    assert _families(pdf.content) == {"GreenOfficeSans"}
