"""From a report's subject to the document bytes: gather the data, fill the template, lay out the PDF.

The task, the render_report command and the benchmark all call these same functions, so what an
operator renders by hand is what the workers produce."""
import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from greenoffice.pdf import render_pdf
from inspections.reports import gathering

TEMPLATES = {
    "unit": "reports/pdf/unit_report.html",
    "round": "reports/pdf/round_report.html",
    "summary": "reports/pdf/summary_report.html",
}


@dataclass(frozen=True)
class Document:
    content: bytes
    file_name: str
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _document_context(*, title: str, verification_code: str, generated_at=None) -> dict:
    return {
        "issuer": settings.REPORTS_ISSUER,
        "doc_title": title,
        "verification_code": verification_code,
        "generated_at": timezone.localtime(generated_at or timezone.now()),
    }


def unit_report_html(*, unit, campaign, verification_code: str, generated_at=None) -> str:
    data = gathering.unit_report_data(unit=unit, campaign=campaign)
    return unit_report_html_from_data(data, verification_code=verification_code, generated_at=generated_at)


def unit_report_html_from_data(data: dict, *, verification_code: str, generated_at=None) -> str:
    context = {**data, **_document_context(title="单位考评报告", verification_code=verification_code,
                                           generated_at=generated_at)}
    # Reports are official Chinese documents whatever the requester's UI language.
    with translation.override("zh-hans"):
        return render_to_string(TEMPLATES["unit"], context)


def render_unit_report(*, unit, campaign, verification_code: str, generated_at=None) -> Document:
    html = unit_report_html(unit=unit, campaign=campaign, verification_code=verification_code,
                            generated_at=generated_at)
    return Document(render_pdf(html), f"{unit.name}-{campaign.year}年度单位考评报告.pdf", "application/pdf")


def render_round_report(*, spot_round, district_ids, verification_code: str) -> Document:
    data = gathering.round_report_data(spot_round=spot_round, district_ids=district_ids)
    context = {**data, **_document_context(title="检查通报", verification_code=verification_code)}
    with translation.override("zh-hans"):
        html = render_to_string(TEMPLATES["round"], context)
    name = f"{spot_round.month:%Y年%m月}抽查检查通报.pdf"
    return Document(render_pdf(html), name, "application/pdf")


def render_summary_report(*, campaign, district_ids, verification_code: str) -> Document:
    data = gathering.summary_report_data(campaign=campaign, district_ids=district_ids)
    context = {**data, **_document_context(title="创建工作情况汇总", verification_code=verification_code)}
    with translation.override("zh-hans"):
        html = render_to_string(TEMPLATES["summary"], context)
    return Document(render_pdf(html), f"{campaign.year}年度绿色机关创建工作情况汇总.pdf", "application/pdf")


def bulk_file_name(campaign) -> str:
    return f"{campaign.year}年度全部单位考评报告.zip"


def write_bulk_zip(target, *, members, failures) -> None:
    """Write the archive into the binary file `target` (a temporary file: a province's bulk is too big
    for memory). `members`: (file name, open binary file) pairs; `failures`: (unit name, error) pairs,
    listed in a text file inside the archive so a partial bulk says what is missing."""
    used = set()
    # PDFs are already compressed: storing them saves CPU and loses nothing.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, handle in members:
            unique, counter = name, 2
            while unique in used:
                unique = name.replace(".pdf", f"-{counter}.pdf")
                counter += 1
            used.add(unique)
            with handle, archive.open(unique, "w", force_zip64=True) as out:
                while chunk := handle.read(1 << 20):
                    out.write(chunk)
        if failures:
            lines = ["以下单位的考评报告生成失败:", ""]
            lines += [f"{unit}:{error}" for unit, error in failures]
            archive.writestr("生成失败清单.txt", "\n".join(lines) + "\n")
