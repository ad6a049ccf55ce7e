"""A sergeant marks a letter as sent, downloads it as issued and gets the same file on reprint."""

import hashlib
import io
import re
from datetime import timedelta

import pypdf
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from training.models import IssuedDocument

from ..factories import NoticeFactory, UserFactory
from .test_training import failed, sign_in, suffolk  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def save(download, tmp_path) -> bytes:
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path.read_bytes()


def test_a_sergeant_marks_a_letter_sent_and_reprints_the_same_file(
    page: Page,
    failed,  # noqa: F811
    tmp_path,
    screenshots,
):
    UserFactory(
        username="sergeant",
        first_name="Kim",
        last_name="Morgan",
        force=failed.force,
        rank="sergeant",
        role=roles.SERGEANT,
    )
    sign_in(page, "sergeant")
    page.goto(f"/training/letters/{failed.pk}/")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome letter")
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.get_by_role("status")).to_contain_text("marked as sent")
    expect(page.get_by_text(re.compile(r"^Sent .* by Sergeant Kim Morgan$"))).to_be_visible()
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        page.screenshot(path=f"{screenshots}/letter-sent-{name}.png", full_page=True)

    link = page.get_by_role("link", name="Download the outcome letter as issued (PDF)")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is this for, and why?")
    page.get_by_label("Recipient").fill("The manager of Cornhill Lodge")
    page.get_by_label("Reason").fill("Outcome letter of the test visit, to post")
    with page.expect_download() as first:
        page.get_by_role("button", name="Continue").click()
    assert first.value.suggested_filename.startswith("OFFICIAL-SENSITIVE_outcome_letter_SUF-H")
    issued = save(first.value, tmp_path)
    stored = IssuedDocument.objects.get(visit=failed)
    assert issued == bytes(stored.pdf)
    assert hashlib.sha256(issued).hexdigest() == stored.sha256
    text = pdf_text(issued)
    assert "Cornhill Lodge" in text and "Kim Morgan" in text
    assert f"Date: {timezone.localdate():%-d %B %Y}" in text
    assert "C-014" not in text

    # The reprint, from the premises page: the same file, not the letter drawn again.
    page.goto(failed.premises.get_absolute_url())
    documents = page.get_by_role("region", name="Documents issued")
    with page.expect_download() as again:
        documents.get_by_role("link", name=re.compile("Outcome letter")).click()
    assert save(again.value, tmp_path / "..") == issued
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        page.screenshot(path=f"{screenshots}/premises-documents-{name}.png", full_page=True)


def test_document_pages_have_no_accessibility_violations(
    page: Page,
    failed,  # noqa: F811
    screenshots,
):
    force = failed.force
    UserFactory(username="sergeant", force=force, rank="sergeant", role=roles.SERGEANT)
    inspector = UserFactory(username="inspector", force=force, rank="inspector")
    notice = NoticeFactory(
        premises=failed.premises,
        issued_by=inspector,
        expiry_date=timezone.localdate() + timedelta(days=20),
    )
    axe = Axe()
    found = {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    sign_in(page, "sergeant")
    page.goto(notice.get_absolute_url())
    page.get_by_role("button", name="Mark as served").click()
    expect(page.get_by_role("status")).to_contain_text("Notice marked as served")
    check("notice served")
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        page.screenshot(path=f"{screenshots}/notice-served-{name}.png", full_page=True)
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"/training/letters/{failed.pk}/")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Mark as sent").click()
    check("letter sent")
    page.goto(failed.premises.get_absolute_url())
    check("premises with documents")
    assert found == {}
