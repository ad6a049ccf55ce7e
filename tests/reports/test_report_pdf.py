"""A report as a PDF file: the print view's figures and marking, through the disclosure prompt."""

import io

import pypdf
import pytest
from django.urls import reverse

from audit.models import DisclosureLog

from ..conftest import through_disclosure
from .test_views import SLUGS, visited  # noqa: F401 (fixture)


def text_of(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_town_report_downloads_as_a_pdf_with_its_figures(
    commander_client,
    commander,
    visited,  # noqa: F811
):
    response = through_disclosure(
        commander_client, reverse("reports:report_pdf", args=["towns"]), visited
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="OFFICIAL-SENSITIVE_towns-report_'
    )
    text = text_of(response.content)
    assert "Suffolk Constabulary" in text or commander.force.name in text
    assert "1 Mar 2025 to 31 Mar 2025" in text
    for town in ["Aldeburgh", "Sudbury"]:
        assert town in text
    assert text.count("OFFICIAL-SENSITIVE") >= 2
    assert DisclosureLog.objects.filter(view="reports:report_pdf", user=commander).count() == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_every_report_downloads_as_a_pdf(commander_client, slug):
    response = through_disclosure(commander_client, reverse("reports:report_pdf", args=[slug]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_bad_filters_are_refused_not_replaced(commander_client):
    url = reverse("reports:report_pdf", args=["towns"])
    response = through_disclosure(commander_client, url, {"date_from": "31/02/2025"})
    assert response.status_code == 400


def test_the_report_page_and_print_view_offer_the_pdf(commander_client):
    page = commander_client.get(reverse("reports:report", args=["towns"])).content.decode()
    assert reverse("reports:report_pdf", args=["towns"]) in page
