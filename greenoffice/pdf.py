"""The one WeasyPrint wrapper: every PDF the project makes goes through `render_pdf`.

Platform code: it imports no app. Two promises are kept here rather than in each template:
- the government-document look (A4, the issuer in the running header, 第 N 页 共 M 页) comes from
  static/css/report.css, which names the bundled CJK font for the body AND the page margin boxes
  (margin boxes don't inherit the body font; without it a fallback CJK font gets embedded too);
- a PDF never touches the network or the file system outside static/: the URL fetcher below serves
  only files under the project's static directories and data: URLs and refuses everything else.
"""
import logging
import mimetypes
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO: a bulk job would drown the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The font the stylesheet names; fonts-noto-cjk installs it (scripts/setup.sh).
REPORT_FONT_FAMILY = "Noto Sans CJK SC"


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


@lru_cache(maxsize=4)
def _stylesheet(path: str, mtime: float):
    from weasyprint import CSS

    return CSS(filename=path, url_fetcher=url_fetcher())


def report_stylesheet():
    path = static_roots()[0] / "css" / "report.css"
    # Keyed on mtime so an edited stylesheet is picked up without restarting the worker.
    return _stylesheet(str(path), path.stat().st_mtime)


_local = threading.local()


def font_configuration():
    """One WeasyPrint FontConfiguration per thread, kept between renders.

    Without it every render loads the Fontconfig configuration and starts a new Pango font map, so
    the CJK face is opened and measured again each time (~4% of a unit report). Pango font maps are
    not shared between threads, hence one per thread; the reports use no @font-face, so the object
    holds only system fonts and its caches are bounded by the fonts and sizes the stylesheet names."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def render_pdf(html: str, *, base_url: str | None = None, stylesheets=None) -> bytes:
    """Lay out `html` with the report stylesheet and return the PDF bytes.

    `stylesheets` replaces the house stylesheet (the benchmark uses it for a bare render)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url or default_base_url(), url_fetcher=url_fetcher())
    sheets = [report_stylesheet()] if stylesheets is None else list(stylesheets)
    return document.write_pdf(stylesheets=sheets, font_config=font_configuration())
