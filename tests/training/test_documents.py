"""Letters and notices kept as issued: the PDF stored when marked sent or served, its text, its
hash, reprints byte for byte, downloads through the disclosure prompt, and the database rules
that keep it as it was."""

import hashlib
import io

import pypdf
import pytest
from django.db import IntegrityError, InternalError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import DisclosureLog
from common.pdf import StaticFilesOnly, render_pdf
from training import documents
from training.models import IssuedDocument, OutcomeLetter

from ..conftest import through_disclosure
from ..factories import (
    GuestInfoRequestFactory,
    IssuedDocumentFactory,
    NoticeFactory,
    ParticipantFactory,
    PremisesFactory,
    VisitFactory,
    blank_pdf,
)
from .conftest import at


def text_of(pdf: bytes) -> str:
    """The PDF's text, its lines joined with single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def download(client, document) -> bytes:
    response = through_disclosure(client, reverse("training:document", args=[document.pk]))
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    return response.content


@pytest.fixture
def visit(force, premises, officer):
    force.training_contact = "Sgt Morgan, Makesafe team, 01473 613500"
    force.save()
    visit = VisitFactory(
        premises=premises,
        officer=officer,
        visited_at=at(3, 20, 15),
        indicators=["pays_cash", "double_bed"],
        debrief_notes="Cadet QZX-90817 stayed in the car during the debrief.",
    )
    visit.participants.add(ParticipantFactory(force=force, code="QZX-90817"))
    return visit


def mark_sent(client, visit):
    response = client.post(reverse("training:letter_sent", args=[visit.pk]))
    assert response.status_code == 302
    return IssuedDocument.objects.get(visit=visit)


# -- The outcome letter -----------------------------------------------------------------------


def test_marking_the_letter_sent_keeps_it_as_a_pdf_dated_and_signed(
    sergeant_client, sergeant, visit
):
    document = mark_sent(sergeant_client, visit)
    assert (document.kind, document.premises, document.force) == (
        "outcome_letter",
        visit.premises,
        visit.force,
    )
    assert (document.issued_by, document.issued_on) == (sergeant, timezone.localdate())
    pdf = bytes(document.pdf)
    assert pdf.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    text = text_of(pdf)
    assert "Cornhill Lodge" in text
    assert f"Our reference: SUF-H-0002/{visit.pk}" in text
    assert f"Date: {timezone.localdate():%-d %B %Y}" in text
    assert f"test visit on {at(3):%A %-d %B %Y}" in text
    assert "Result: the scenario was not identified." in text
    assert "Pays cash / no card" in text
    assert "Sgt Morgan, Makesafe team, 01473 613500" in text
    assert sergeant.get_full_name() in text and "Sergeant" in text
    assert text.count("OFFICIAL-SENSITIVE") >= 2
    # Never the cadet: the code is on the visit, not in the letter.
    assert "QZX" not in text and "90817" not in text


def test_the_stored_letter_is_the_download_byte_for_byte_every_time(
    sergeant_client, officer_client, visit
):
    document = mark_sent(sergeant_client, visit)
    first = download(sergeant_client, document)
    assert first == bytes(document.pdf)
    assert hashlib.sha256(first).hexdigest() == document.sha256
    # A reprint, later and by someone else, is the same file: never drawn again.
    visit.premises.name = "Cornhill Lodge Hotel"
    visit.premises.save()
    assert download(officer_client, document) == first
    assert download(sergeant_client, document) == first


def test_a_sent_letter_page_offers_the_stored_copy_not_a_new_letter(sergeant_client, visit):
    document = mark_sent(sergeant_client, visit)
    page = through_disclosure(
        sergeant_client, reverse("training:letter", args=[visit.pk])
    ).content.decode()
    assert reverse("training:document", args=[document.pk]) in page
    assert document.sha256 in page
    assert '<article class="letter"' not in page
    assert "Mark as sent" not in page


def test_marking_it_sent_twice_keeps_one_document(sergeant_client, second_sergeant, visit):
    document = mark_sent(sergeant_client, visit)
    sergeant_client.post(reverse("training:letter_sent", args=[visit.pk]))
    assert list(IssuedDocument.objects.values_list("pk", flat=True)) == [document.pk]
    assert OutcomeLetter.objects.count() == 1


def test_a_letter_that_cannot_be_drawn_is_not_marked_sent(sergeant_client, visit, monkeypatch):
    """The PDF and the "sent" mark are one write: no letter is sent without its copy."""

    def broken(*args, **kwargs):
        raise OSError("Pango is missing")

    monkeypatch.setattr("training.services.render_pdf", broken)
    with pytest.raises(OSError):
        sergeant_client.post(reverse("training:letter_sent", args=[visit.pk]))
    assert not OutcomeLetter.objects.exists()
    assert not IssuedDocument.objects.exists()


# -- Downloads --------------------------------------------------------------------------------


def test_every_download_asks_who_it_is_for_and_is_logged(sergeant_client, sergeant, visit):
    document = mark_sent(sergeant_client, visit)
    url = reverse("training:document", args=[document.pk])
    response = sergeant_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:disclose"))
    download(sergeant_client, document)
    download(sergeant_client, document)
    logged = DisclosureLog.objects.filter(view="training:document")
    assert logged.count() == 2
    assert {(row.user, row.path) for row in logged} == {(sergeant, url)}


def test_the_download_is_an_official_sensitive_attachment(officer_client, visit):
    document = IssuedDocumentFactory(visit=visit)
    response = through_disclosure(officer_client, reverse("training:document", args=[document.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="OFFICIAL-SENSITIVE_outcome_letter_')
    assert disposition.endswith('.pdf"')
    assert "no-store" in response["Cache-Control"]


def test_another_forces_document_is_not_found(other_officer_client, visit):
    document = IssuedDocumentFactory(visit=visit)
    url = reverse("training:document", args=[document.pk])
    assert through_disclosure(other_officer_client, url).status_code == 404


def test_the_premises_page_lists_the_documents_issued_to_it(
    sergeant_client, officer_client, visit, premises
):
    document = mark_sent(sergeant_client, visit)
    other = IssuedDocumentFactory(visit=VisitFactory(premises=PremisesFactory(town=premises.town)))
    page = officer_client.get(premises.get_absolute_url()).content.decode()
    assert "Documents issued" in page
    assert reverse("training:document", args=[document.pk]) in page
    assert reverse("training:document", args=[other.pk]) not in page


# -- s.116 notices and guest-information requests ---------------------------------------------


@pytest.fixture
def notice(premises, inspector):
    return NoticeFactory(
        premises=premises,
        issued_by=inspector,
        served_on_business="Cornhill Lodge Ltd",
        grounds="Intelligence report 4471: adults booking rooms with children.",
    )


def test_marking_a_notice_served_keeps_it_signed_by_the_issuing_officer(
    sergeant_client, sergeant, inspector, notice
):
    response = sergeant_client.post(reverse("training:notice_served", args=[notice.pk]))
    assert response.status_code == 302
    document = IssuedDocument.objects.get(notice=notice)
    assert (document.kind, document.issued_by, document.issued_on) == (
        "notice",
        sergeant,
        timezone.localdate(),
    )
    text = text_of(bytes(document.pdf))
    assert "section 116 of the Anti-social Behaviour, Crime and Policing Act 2014" in text
    assert "To the manager of Cornhill Lodge Ltd" in text
    assert f"from {notice.start_date:%-d %B %Y} until {notice.expiry_date:%-d %B %Y}" in text
    assert f"Date of service: {timezone.localdate():%-d %B %Y}" in text
    assert inspector.get_full_name() in text and "Inspector" in text
    assert f"by {sergeant.get_full_name()}, Sergeant" in text
    # The grounds are police intelligence: the notice handed over does not carry them.
    assert "4471" not in text
    page = sergeant_client.get(notice.get_absolute_url()).content.decode()
    assert reverse("training:document", args=[document.pk]) in page
    assert "Mark as served" not in page
    assert download(sergeant_client, document) == bytes(document.pdf)


def test_marking_a_guest_request_sent_keeps_the_letter(sergeant_client, sergeant, notice):
    guest_request = GuestInfoRequestFactory(notice=notice)
    response = sergeant_client.post(reverse("training:request_sent", args=[guest_request.pk]))
    assert response.status_code == 302
    document = IssuedDocument.objects.get(guest_request=guest_request)
    assert (document.kind, document.premises) == ("guest_request", notice.premises)
    text = text_of(bytes(document.pdf))
    assert "Requirement to give information about guests" in text
    assert (
        f"from {guest_request.period_start:%-d %B %Y} to {guest_request.period_end:%-d %B %Y}"
        in text
    )
    assert f"by {guest_request.due_on:%-d %B %Y}" in text
    assert sergeant.get_full_name() in text
    page = sergeant_client.get(notice.get_absolute_url()).content.decode()
    assert reverse("training:document", args=[document.pk]) in page
    sergeant_client.post(reverse("training:request_sent", args=[guest_request.pk]))
    assert IssuedDocument.objects.count() == 1


@pytest.mark.parametrize("role", ["officer", "commander", "force_admin"])
def test_only_sergeants_mark_notices_served_and_requests_sent(request, notice, role):
    client = request.getfixturevalue(f"{role}_client")
    guest_request = GuestInfoRequestFactory(notice=notice)
    assert client.post(reverse("training:notice_served", args=[notice.pk])).status_code == 403
    assert client.post(reverse("training:request_sent", args=[guest_request.pk])).status_code == 403
    assert not IssuedDocument.objects.exists()


def test_another_forces_notice_cannot_be_served(other_sergeant_client, notice):
    guest_request = GuestInfoRequestFactory(notice=notice)
    assert (
        other_sergeant_client.post(reverse("training:notice_served", args=[notice.pk])).status_code
        == 404
    )
    assert (
        other_sergeant_client.post(
            reverse("training:request_sent", args=[guest_request.pk])
        ).status_code
        == 404
    )
    assert not IssuedDocument.objects.exists()


# -- The database keeps it as issued ----------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_a_document(visit):
    document = IssuedDocumentFactory(visit=visit)
    other = blank_pdf() + b"\n"
    rows = IssuedDocument.objects.filter(pk=document.pk)
    for change in [
        {"pdf": other, "sha256": hashlib.sha256(other).hexdigest()},
        {"sha256": "0" * 64},
        {"issued_on": at(10).date()},
    ]:
        with pytest.raises(InternalError, match="Cannot update"), transaction.atomic():
            rows.update(**change)
    with pytest.raises(InternalError, match="update or delete rows"), transaction.atomic():
        rows.delete()
    assert bytes(IssuedDocument.objects.get().pdf) == bytes(document.pdf)


@pytest.mark.parametrize(
    "fields, rule",
    [
        ({"sha256": "0" * 64}, "document_hash_matches_pdf"),
        ({"pdf": b"<html>", "sha256": hashlib.sha256(b"<html>").hexdigest()}, "document_is_a_pdf"),
        ({"kind": "notice"}, "document_kind_matches_record"),
    ],
)
def test_the_database_refuses_a_document_that_is_not_what_it_says(visit, fields, rule):
    document = IssuedDocumentFactory.build(visit=visit, **fields)
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        IssuedDocument.objects.bulk_create([document])


def test_the_database_refuses_a_document_for_another_premises(visit, town):
    document = IssuedDocumentFactory.build(visit=visit, premises=PremisesFactory(town=town))
    with pytest.raises(IntegrityError, match="document_same_premises"), transaction.atomic():
        IssuedDocument.objects.bulk_create([document])


# -- Drawing PDFs -----------------------------------------------------------------------------


def test_a_pdf_fetches_only_the_apps_static_files():
    fetcher = StaticFilesOnly()
    fetcher("file:///static/css/print.css").close()
    for url in [
        "https://fonts.example.com/font.woff2",
        "http://127.0.0.1/static/css/print.css",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "data:text/css,body{}",
    ]:
        with pytest.raises(ValueError):
            fetcher(url)


def test_a_pdf_is_drawn_with_its_stylesheets(visit, sergeant):
    pdf = render_pdf(
        "training/letter_pdf.html",
        documents.letter_context(visit, signer=sergeant, issued_on=timezone.localdate()),
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # print.css makes it A4 (595 x 842 points); pdf.css numbers the pages in the footer.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "page 1 of" in text_of(pdf)
