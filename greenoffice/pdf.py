"""The one WeasyPrint wrapper: every PDF the project makes goes through `render_pdf`.

Platform code: it imports no app. Three promises are kept here rather than in each template:
- the government-document look (A4, the issuer in the running header, 第 N 页 共 M 页) comes from
  static/css/report.css, which names the bundled CJK font for the body AND the page margin boxes
  (margin boxes don't inherit the body font; without it a fallback CJK font gets embedded too);
- the font configuration and the stylesheet are made once per thread and kept between renders:
  a fresh one per render re-reads the Fontconfig configuration and re-registers the bundled font;
- a PDF never touches the network or the file system outside static/: the URL fetcher below serves
  only files under the project's static directories and data: URLs and refuses everything else.
"""
import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO: a bulk job would drown the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The fonts the stylesheet names: the bundled GB 2312 subset of Noto Sans CJK SC
# (static/fonts, made by scripts/build_report_font.py), then the full font from fonts-noto-cjk
# (scripts/setup.sh) for the rare characters outside the subset.
REPORT_FONT_FAMILY = "GreenOffice Sans"
FALLBACK_FONT_FAMILY = "Noto Sans CJK SC"
REPORT_FONT_FAMILIES = f"{REPORT_FONT_FAMILY}, {FALLBACK_FONT_FAMILY}"


class ReportResourceRefused(ValueError):
    """A PDF template asked for a resource outside static/ (a remote URL, a file elsewhere)."""


def static_roots() -> tuple[Path, ...]:
    return tuple(Path(root).resolve() for root in settings.STATICFILES_DIRS)


def default_base_url() -> str:
    # Relative references in report templates ("css/x.css", "img/logo.png") resolve inside static/.
    return static_roots()[0].as_uri() + "/"


def _allowed_static_file(url: str) -> Path:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ReportResourceRefused(f"refused file URL on host {parts.netloc!r}: {url}")
    # resolve() follows symlinks and "..", so neither can step out of static/.
    path = Path(unquote(parts.path)).resolve()
    for root in static_roots():
        if path.is_relative_to(root) and path.is_file():
            return path
    raise ReportResourceRefused(f"refused file outside static/: {url}")


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """Serves static/ files and data: URLs; raises for anything else, before any I/O."""

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                # Decoded in memory by urllib's DataHandler: no I/O.
                return super().fetch(url, headers)
            if scheme == "file":
                path = _allowed_static_file(url)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
            logger.warning("PDF resource refused: %s", url[:200])
            raise ReportResourceRefused(f"refused URL (only static files and data: URLs): {url[:200]}")

    return StaticOnlyURLFetcher


def url_fetcher():
    """A fresh fetcher instance (WeasyPrint keeps per-request state on it)."""
    return _fetcher_class()(timeout=1)


_local = threading.local()


def _stylesheet_path() -> Path:
    return static_roots()[0] / "css" / "report.css"


def report_font_path() -> Path:
    return static_roots()[0] / "fonts" / "GreenOfficeSans-Regular.ttf"


def _font_configuration():
    """A WeasyPrint FontConfiguration that also knows the bundled report font.

    The font file is added to this configuration's Fontconfig set in place (WeasyPrint's own
    @font-face route copies it into a temporary folder that a long-lived worker would never remove).
    This reaches into WeasyPrint's FontConfiguration (`_config`, `font_map`) and its Fontconfig and
    Pango bindings: tests/reports/test_pdf.py fails if a WeasyPrint upgrade breaks it."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    path = report_font_path()
    if path.is_file() and fontconfig.FcConfigAppFontAddFile(config._config, str(path).encode()):
        pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))
    else:
        logger.warning("report font %s not loaded: reports fall back to %s", path, FALLBACK_FONT_FAMILY)
    return config


def _thread_state():
    """(FontConfiguration, house stylesheet) of this thread, made on first use.

    Pango font maps are not shared between threads, hence one per thread. The stylesheet is rebuilt
    when report.css changes, so an edited stylesheet needs no worker restart."""
    from weasyprint import CSS

    path = _stylesheet_path()
    mtime = path.stat().st_mtime
    state = getattr(_local, "state", None)
    if state is None or state[2] != mtime:
        config = state[0] if state is not None else _font_configuration()
        sheet = CSS(filename=str(path), url_fetcher=url_fetcher(), font_config=config)
        state = _local.state = (config, sheet, mtime)
    return state


def font_configuration():
    return _thread_state()[0]


def report_stylesheet():
    return _thread_state()[1]


def render_pdf(html: str, *, base_url: str | None = None, stylesheets=None) -> bytes:
    """Lay out `html` with the report stylesheet and return the PDF bytes.

    `stylesheets` replaces the house stylesheet (the benchmark uses it for a bare render)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url or default_base_url(), url_fetcher=url_fetcher())
    sheets = [report_stylesheet()] if stylesheets is None else list(stylesheets)
    return document.write_pdf(stylesheets=sheets, font_config=font_configuration())
