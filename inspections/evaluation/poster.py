"""The questionnaire's short link, its QR code (SVG, made on the server) and the printable A4 poster
(PDF through greenoffice.pdf.render_pdf, the project's one WeasyPrint wrapper).

A poster is one page and renders in well under a second with libharfbuzz-subset0 (docs/stack-facts.md),
so it is made in the request rather than as a report job."""
import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from greenoffice.pdf import render_pdf


def public_base_url(request=None) -> str:
    """The address printed on posters: GREENOFFICE_SITE_URL (the public host name) when set, since the
    intranet address staff use may not be reachable from citizens' phones; else this request's host."""
    base = (getattr(settings, "GREENOFFICE_SITE_URL", "") or "").rstrip("/")
    if base:
        return base
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return ""


def questionnaire_link(target, request=None, invitation=None) -> str:
    if invitation is not None:
        path = reverse("evaluation_public:invited", args=[target.token, invitation.token])
    else:
        path = reverse("evaluation_public:questionnaire", args=[target.token])
    return public_base_url(request) + path


def qr_svg(text: str) -> bytes:
    # Medium error correction: a poster on a wall gets scuffed; the link is short, so the code stays small.
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    return image.to_string(encoding="utf-8")


def qr_data_uri(text: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode("ascii")


def poster_pdf(target, link: str) -> bytes:
    html = render_to_string("evaluation/poster_pdf.html", {
        "target": target, "unit": target.unit, "round": target.round, "campaign": target.round.campaign,
        "link": link, "qr": qr_data_uri(link), "issuer": getattr(settings, "REPORTS_ISSUER", ""),
    })
    return render_pdf(html)
