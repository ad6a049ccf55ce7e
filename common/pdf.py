"""PDF files drawn from Django templates by WeasyPrint, with nothing fetched from the network.

A PDF's stylesheets are the app's own static files, read from disk: the collected copy (hashed
names, as `{% static %}` writes them in production) or the source folders (`runserver`, tests).
Any other address (http, https, data, a file outside the static files) stops the rendering, so a
document never silently loses its styles and never reaches out of the server.
"""

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# Relative addresses in the templates resolve against this; only the static files are served.
BASE_URL = "file:///"


def _static_file(url: str) -> Path | None:
    """The file on disk behind a `{% static %}` address, or None."""
    path = unquote(urlsplit(url).path)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix):
        return None
    name = path.removeprefix(prefix)
    if ".." in Path(name).parts:
        return None
    # Collected (the manifest storage's hashed names live only there), else the app folders.
    collected = Path(settings.STATIC_ROOT or "") / name
    if settings.STATIC_ROOT and collected.is_file():
        return collected
    found = finders.find(name)
    return Path(found) if found else None


class StaticFilesOnly(URLFetcher):
    """Serves WeasyPrint the app's static files and refuses every other address."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)

    def fetch(self, url, headers=None):
        found = _static_file(url) if url.startswith("file:") else None
        if found is None:
            raise ValueError(f"not one of the app's static files: {url[:200]}")
        return super().fetch(found.resolve().as_uri(), headers)


def render_pdf(template: str, context: dict, request=None) -> bytes:
    """The template rendered as an A4 PDF (its stylesheets say A4)."""
    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdf_response_headers(filename: str, *, attachment: bool = True) -> dict:
    """Headers of a PDF download: the name carries OFFICIAL-SENSITIVE (docs/domain.md)."""
    disposition = "attachment" if attachment else "inline"
    return {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'{disposition}; filename="OFFICIAL-SENSITIVE_{filename}.pdf"',
    }
