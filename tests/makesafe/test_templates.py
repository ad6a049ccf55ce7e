"""Every page a browser shows is a whole HTML document that fits a phone: it declares the
viewport, so a phone lays it out at its own width instead of a desktop's shrunk to fit (the
print views and briefing pack are read on phones on the night)."""

from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def documents() -> list[Path]:
    """Templates that are whole HTML documents for a browser (not PDFs, which WeasyPrint lays
    out on A4)."""
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if "<!doctype html>" in path.read_text().lower() and "pdf" not in path.name
    ]


def test_every_browser_page_declares_the_viewport():
    found = documents()
    assert {"base.html", "report_print.html", "operation_briefing.html"} <= {p.name for p in found}
    missing = [
        str(p.relative_to(TEMPLATES)) for p in found if 'name="viewport"' not in p.read_text()
    ]
    assert not missing
