"""What each issued document says: its template and the data it is drawn from.

The same templates draw the page a sergeant checks before issuing (training/letter.html) and the
PDF that is stored when the letter is marked as sent or the notice as served
(training/services.py). Letters never carry cadet codes: the data below holds none.
"""

from datetime import date

from accounts.models import User
from visits.models import Visit

from .models import GuestInfoRequest, IssuedDocument, Notice

K = IssuedDocument.Kind

PDF_TEMPLATES = {
    K.OUTCOME_LETTER: "training/letter_pdf.html",
    K.NOTICE: "training/notice_pdf.html",
    K.GUEST_REQUEST: "training/request_pdf.html",
}


def letter_context(visit: Visit, *, signer: User, issued_on: date) -> dict:
    """The outcome letter of `visit`, dated `issued_on` and signed by `signer`."""
    force = visit.force
    return {
        "visit": visit,
        "issued_on": issued_on,
        "signer": signer,
        "contact": force.training_contact or f"{signer}, {force.name}",
    }


def notice_context(notice: Notice, *, server: User, issued_on: date) -> dict:
    """The s.116 notice as served on `issued_on` by `server`, signed by its issuing officer."""
    return {"notice": notice, "issued_on": issued_on, "signer": notice.issued_by, "server": server}


def request_context(guest_request: GuestInfoRequest, *, signer: User, issued_on: date) -> dict:
    """The written requirement for guests' names and addresses, signed by `signer`."""
    return {
        "guest_request": guest_request,
        "notice": guest_request.notice,
        "issued_on": issued_on,
        "signer": signer,
    }
