"""Pages for the sergeants' work queue, training sessions, outcome letters and s.116 notices."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.submission import submit_once
from audit.decorators import ask_purpose, disclosure_required, log_disclosure
from common.concurrency import StaleEdit
from common.filtering import record_id
from common.pagination import page_with_total
from common.pdf import pdf_response_headers
from common.redirects import safe_next
from premises.models import Premises, Town
from visits.models import LONDON_TZ, Operation, Visit, london_midnight
from visits.services import OperationNotPlanned, operation_add_premises

from . import documents, ics, planner
from .context_processors import remember_queue_counts
from .filters import SessionFilter
from .forms import (
    AssignForm,
    DeliveryForm,
    GuestInfoRequestForm,
    NoticeForm,
    PlannerForm,
    PlanPickForm,
    QueueFilterForm,
    SessionTargetForm,
    TrainingSessionForm,
    WeekForm,
    sergeants_of,
)
from .models import GuestInfoRequest, IssuedDocument, Notice, QueueAssignment, TrainingSession
from .queries import (
    KINDS,
    filter_rows,
    letters_due,
    notices_expiring,
    queue_counts,
    retest_due,
    to_rows,
    training_due,
)
from .services import (
    guest_request_mark_sent,
    guest_request_save,
    notice_mark_served,
    notice_save,
    outcome_letter_mark_sent,
    queue_assign,
    training_session_deliver,
    training_session_save,
)
from .timeline import premises_timeline

PAGE_SIZE = 50
DOCUMENTS_SHOWN = 100  # a premises gets a few letters a year


# --- Work queue ------------------------------------------------------------------------------


@role_required("training.schedule_training")
def queue(request):
    """The sergeant's work queue: one kind at a time, filtered, with owners."""
    user = request.user
    today = timezone.localdate()
    kind = request.GET.get("kind", KINDS.TRAINING_DUE)
    if kind not in KINDS.values:
        kind = KINDS.TRAINING_DUE
    force = user.force
    days = {
        KINDS.TRAINING_DUE: force.training_due_days,
        KINDS.RETEST_DUE: force.retest_due_days,
        KINDS.LETTER: force.letter_due_days,
        KINDS.NOTICE: 0,
    }[kind]
    source = {
        KINDS.TRAINING_DUE: lambda: training_due(user),
        KINDS.RETEST_DUE: lambda: retest_due(user),
        KINDS.LETTER: lambda: letters_due(user),
        KINDS.NOTICE: lambda: notices_expiring(user, today),
    }[kind]()
    towns = list(Town.objects.visible_to(user))
    owners = list(sergeants_of(user))
    filters = QueueFilterForm(request.GET, towns=towns, owners=owners).filters()
    rows_qs = filter_rows(
        source,
        kind=kind,
        today=today,
        days=days,
        **{name: value or None for name, value in filters.items()},
    )
    page = page_with_total(rows_qs, request.GET.get("page"), PAGE_SIZE)
    rows = to_rows(kind, page.object_list, days)
    owner_names = {o.pk: o for o in owners}
    for row in rows:
        row.owner = owner_names.get(row.owner_id)
        row.days = row.days_left(today)
        row.overdue = -row.days
    counts = queue_counts(user, today)
    remember_queue_counts(request, counts)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/queue.html",
        {
            "kind": kind,
            "tabs": [(value, label, counts[value]) for value, label in KINDS.choices],
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "towns": towns,
            "owners": owners,
            "sectors": Premises.Sector.choices,
            "filters": filters,
            "today": today,
            "days": days,
            "next_url": request.get_full_path(),
        },
    )


@require_POST
@role_required("training.schedule_training")
def queue_assign_view(request):
    form = AssignForm(request.POST, user=request.user)
    if form.is_valid():
        queue_assign(
            user=request.user,
            kind=form.cleaned_data["kind"],
            subject_id=form.cleaned_data["subject_id"],
            owner=form.cleaned_data["owner"],
        )
        owner = form.cleaned_data["owner"]
        messages.success(request, f"Assigned to {owner}." if owner else "Row unassigned.")
    else:
        messages.error(request, "Choose a sergeant of your force to assign the row to.")
    return redirect(safe_next(request, form.data.get("next")) or "training:queue")


# --- Training sessions -----------------------------------------------------------------------


@role_required("training.view_trainingsession")
def session_list(request):
    sessions = TrainingSession.objects.visible_to(request.user).for_list()
    listing = SessionFilter(request.GET or None, queryset=sessions, user=request.user)
    rows = listing.qs.order_by("-scheduled_for", "-created_at", "-id")
    page = page_with_total(rows, request.GET.get("page"), PAGE_SIZE)
    listing.load_options()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/session_list.html",
        {"filter": listing, "page": page, "query": query.urlencode()},
    )


@role_required("training.view_trainingsession")
def session_detail(request, pk):
    session = get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related(
            "premises__town", "visit", "owner", "updated_by"
        ),
        pk=pk,
    )
    return render(request, "training/session_detail.html", {"session": session})


@role_required("training.schedule_training", "training.add_trainingsession")
@submit_once
def session_create(request):
    """Schedule (or record an offer of) training for premises, in one step from a queue row."""
    target = SessionTargetForm(
        {
            "premises": request.GET.get("premises") or request.POST.get("premises_id"),
            "visit": request.GET.get("visit") or request.POST.get("visit_id"),
        },
        user=request.user,
    )
    if not target.is_valid():
        raise Http404("No such premises, or no such visit of them")
    premises, visit = target.cleaned_data["premises"], target.cleaned_data["visit"]
    initial = {"status": "scheduled"}
    # Whoever owns the queue row is offered as the session's owner.
    row_owner = (
        QueueAssignment.objects.visible_to(request.user)
        .filter(kind=KINDS.TRAINING_DUE, subject_id=premises.pk)
        .values_list("owner_id", flat=True)
        .first()
    )
    if row_owner:
        initial["owner"] = row_owner
    form = TrainingSessionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        session = training_session_save(
            session=form.instance, user=request.user, premises=premises, visit=visit
        )
        messages.success(request, f"{session} recorded.")
        return redirect(safe_next(request, request.POST.get("back")) or session.get_absolute_url())
    return render(
        request,
        "training/session_form.html",
        {"form": form, "premises": premises, "visit": visit, "back": request.GET.get("back", "")},
    )


@role_required("training.schedule_training", "training.change_trainingsession")
def session_edit(request, pk):
    session = get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related("premises__town", "visit"),
        pk=pk,
    )
    form = TrainingSessionForm(request.POST or None, instance=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            training_session_save(
                session=form.instance,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        except IntegrityError:
            form.add_error("status", "That status change is not allowed.")
        else:
            messages.success(request, f"Saved {session}.")
            return redirect(session)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "premises": session.premises, "visit": session.visit, "session": session},
    )


@role_required("training.schedule_training", "training.change_trainingsession")
def session_deliver(request, pk):
    session = get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related("premises__town"), pk=pk
    )
    if session.status == TrainingSession.Status.DELIVERED:
        messages.error(request, "Delivery of this session is already recorded.")
        return redirect(session)
    if not session.can_move_to(TrainingSession.Status.DELIVERED):
        messages.error(
            request,
            f"This session is {session.get_status_display().lower()}, so it cannot be recorded "
            "as delivered: schedule it first.",
        )
        return redirect(session)
    form = DeliveryForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            training_session_deliver(
                session=form.instance,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(
                request, f"Recorded delivery at {session.premises.name}: a re-test is now due."
            )
            return redirect(session)
    return render(request, "training/session_deliver.html", {"form": form, "session": session})


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@role_required("training.view_trainingsession")
def session_week(request):
    """Sessions of one week, Monday to Sunday, day by day."""
    week = WeekForm(request.GET)
    start = _monday((week.is_valid() and week.cleaned_data["week"]) or timezone.localdate())
    begin = london_midnight(start)
    sessions = list(
        TrainingSession.objects.visible_to(request.user)
        .for_list()
        .filter(scheduled_for__gte=begin, scheduled_for__lt=begin + timedelta(days=7))
        .exclude(status=TrainingSession.Status.CANCELLED)
        .order_by("scheduled_for", "id")
    )
    days = []
    for offset in range(7):
        day = start + timedelta(days=offset)
        days.append(
            (
                day,
                [
                    s
                    for s in sessions
                    if timezone.localtime(s.scheduled_for, LONDON_TZ).date() == day
                ],
            )
        )
    return render(
        request,
        "training/session_week.html",
        {
            "days": days,
            "start": start,
            "previous": start - timedelta(days=7),
            "next": start + timedelta(days=7),
            "this_week": _monday(timezone.localdate()),
        },
    )


@role_required("training.view_trainingsession")
def session_ics(request, pk):
    session = get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related("premises__town"), pk=pk
    )
    if not session.scheduled_for:
        messages.error(request, "This session has no date yet, so it cannot go in a calendar.")
        return redirect(session)
    return ask_purpose(request) or log_disclosure(
        request, _ics_response([session], f"makesafe-training-{session.pk}.ics")
    )


@role_required("training.view_trainingsession")
@disclosure_required
def my_sessions_ics(request):
    """The signed-in sergeant's upcoming sessions, for Outlook."""
    sessions = (
        TrainingSession.objects.visible_to(request.user)
        .upcoming()
        .filter(owner=request.user)
        .select_related("premises__town")[:500]
    )
    return _ics_response(list(sessions), "makesafe-my-training.ics")


def _ics_response(sessions, filename: str) -> HttpResponse:
    response = HttpResponse(ics.calendar(sessions), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Outcome letters -------------------------------------------------------------------------


@role_required("visits.view_visit")
def letter(request, visit_pk):
    """The outcome letter to the premises manager, to check and mark as sent; once sent, the
    letter as issued (never drawn again). It never names a cadet."""
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user)
        .exclude(result=Visit.Result.VOID)
        .select_related("premises__town", "force", "outcome_letter__sent_by", "officer"),
        pk=visit_pk,
    )
    sent = getattr(visit, "outcome_letter", None)
    document = (
        IssuedDocument.objects.visible_to(request.user).listed().filter(visit=visit).first()
        if sent
        else None
    )
    gate = ask_purpose(request)
    if gate:
        return gate
    context = {"sent": sent, "document": document}
    if not sent:
        context.update(
            documents.letter_context(visit, signer=request.user, issued_on=timezone.localdate())
        )
    else:
        context["visit"] = visit
    response = render(request, "training/letter.html", context)
    return log_disclosure(request, response)


@require_POST
@role_required("training.add_outcomeletter")
def letter_sent(request, visit_pk):
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).exclude(result=Visit.Result.VOID), pk=visit_pk
    )
    outcome_letter_mark_sent(visit=visit, user=request.user)
    messages.success(
        request,
        f"Outcome letter to {visit.premises.name} marked as sent. It is kept exactly as issued.",
    )
    return redirect("training:letter", visit_pk=visit.pk)


# --- Documents as issued ---------------------------------------------------------------------


@role_required("training.view_issueddocument")
def document(request, pk):
    """A letter or notice exactly as it was issued: the stored PDF, byte for byte."""
    issued = get_object_or_404(
        IssuedDocument.objects.visible_to(request.user).select_related("premises"), pk=pk
    )
    gate = ask_purpose(request)
    if gate:
        return gate
    response = HttpResponse(bytes(issued.pdf), headers=pdf_response_headers(issued.filename))
    return log_disclosure(request, response)


# --- s.116 notices ---------------------------------------------------------------------------


@role_required("training.view_notice")
def notice_list(request):
    """The register of s.116 notices, those in force first."""
    today = timezone.localdate()
    notices = (
        Notice.objects.visible_to(request.user)
        .select_related("premises__town", "issued_by")
        .order_by("-expiry_date", "-id")
    )
    show = request.GET.get("show", "current")
    if show == "current":
        notices = notices.in_force_on(today)
    page = page_with_total(notices, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "training/notice_list.html",
        {
            "page": page,
            "show": show,
            "today": today,
            "expiring_soon": today + timedelta(days=30),
            "query": f"show={show}",
        },
    )


@role_required("training.view_notice")
def notice_detail(request, pk):
    notice = get_object_or_404(
        Notice.objects.visible_to(request.user).select_related("premises__town", "issued_by"),
        pk=pk,
    )
    issued = {
        (d.notice_id, d.guest_request_id): d
        for d in IssuedDocument.objects.visible_to(request.user)
        .listed()
        .filter(Q(notice=notice) | Q(guest_request__notice=notice))
    }
    requests = list(notice.requests.select_related("made_by"))
    for guest_request in requests:
        guest_request.issued = issued.get((None, guest_request.pk))
    return render(
        request,
        "training/notice_detail.html",
        {"notice": notice, "requests": requests, "served": issued.get((notice.pk, None))},
    )


@require_POST
@role_required("training.view_notice", "training.manage_notice")
def notice_served(request, pk):
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    notice_mark_served(notice=notice, user=request.user)
    messages.success(request, "Notice marked as served, and kept as issued.")
    return redirect(notice)


@require_POST
@role_required("training.view_notice", "training.manage_notice")
def request_sent(request, pk):
    guest_request = get_object_or_404(GuestInfoRequest.objects.visible_to(request.user), pk=pk)
    guest_request_mark_sent(guest_request=guest_request, user=request.user)
    messages.success(request, "Guest information request marked as sent, and kept as issued.")
    return redirect("training:notice_detail", pk=guest_request.notice_id)


@role_required("training.view_notice", "training.manage_notice")
@submit_once
def notice_create(request):
    initial = {}
    if premises_id := record_id(request.GET.get("premises")):
        initial["premises"] = str(premises_id)
    form = NoticeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        notice = notice_save(notice=form.instance, user=request.user)
        messages.success(request, f"Recorded {notice}.")
        return redirect(notice)
    return render(request, "training/notice_form.html", {"form": form})


@role_required("training.view_notice", "training.manage_notice")
def notice_edit(request, pk):
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    form = NoticeForm(request.POST or None, instance=notice, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            notice_save(
                notice=form.instance,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved {notice}.")
            return redirect(notice)
    return render(request, "training/notice_form.html", {"form": form, "notice": notice})


@role_required("training.view_notice", "training.manage_notice")
@submit_once
def request_create(request, notice_pk):
    notice = get_object_or_404(
        Notice.objects.visible_to(request.user).select_related("premises"), pk=notice_pk
    )
    form = GuestInfoRequestForm(request.POST or None, notice=notice)
    if request.method == "POST" and form.is_valid():
        guest_request_save(request=form.instance, notice=notice, user=request.user)
        messages.success(request, "Guest information request recorded.")
        return redirect(notice)
    return render(request, "training/request_form.html", {"form": form, "notice": notice})


@role_required("training.view_notice", "training.manage_notice")
def request_edit(request, pk):
    guest_request = get_object_or_404(
        GuestInfoRequest.objects.filter(notice__force_id=request.user.force_id).select_related(
            "notice__premises"
        ),
        pk=pk,
    )
    notice = guest_request.notice
    form = GuestInfoRequestForm(request.POST or None, instance=guest_request, notice=notice)
    if request.method == "POST" and form.is_valid():
        try:
            guest_request_save(
                request=form.instance,
                notice=notice,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, "Guest information request saved.")
            return redirect(notice)
    return render(
        request,
        "training/request_form.html",
        {"form": form, "notice": notice, "guest_request": guest_request},
    )


# --- The premises page ------------------------------------------------------------------------


@role_required("premises.view_premises")
def premises_detail(request, pk):
    """A premises and its timeline of visits, training and notices. Served at the premises' own
    URL (makesafe/urls.py); it lives here because training may read all three."""
    premises = get_object_or_404(
        Premises.objects.visible_to(request.user).select_related(
            "town", "operator", "created_by", "updated_by"
        ),
        pk=pk,
    )
    timeline = premises_timeline(premises, user=request.user)
    issued = (
        IssuedDocument.objects.visible_to(request.user)
        .listed()
        .filter(premises=premises)[:DOCUMENTS_SHOWN]
        if request.user.has_perm("training.view_issueddocument")
        else []
    )
    return render(
        request,
        "premises/premises_detail.html",
        {"premises": premises, "timeline": timeline, "documents": list(issued)},
    )


# --- The night-of-action planner (/visits/operations/plan/) ----------------------------------


@role_required("visits.view_operation", "visits.view_reports")
def operation_plan(request):
    """The planner: the force's premises ranked by why they should be tested next, with each
    chosen town's coverage. Sergeants tick premises and plan an operation from them (the
    operation form, filled in) or add them to a planned one; commanders read it."""
    if request.method != "POST":
        return _planner_page(request, request.GET, pick=None)
    pick = PlanPickForm(request.POST, user=request.user)
    wanted = (
        "visits.add_operation"
        if request.POST.get("action") == PlanPickForm.CREATE
        else "visits.change_operation"
    )
    if not request.user.has_perm(wanted):
        raise PermissionDenied
    params = QueryDict(request.POST.get("query", "")[:4000])
    if not pick.is_valid():
        return _planner_page(request, params, pick=pick)
    ticked = pick.cleaned_data["premises"]
    if pick.cleaned_data["action"] == PlanPickForm.CREATE:
        prefill = QueryDict(mutable=True)
        prefill.setlist("premises", [str(p.pk) for p in ticked])
        prefill.setlist("towns", sorted({str(p.town_id) for p in ticked}))
        filters = PlannerForm(params, user=request.user)
        if filters.is_valid() and filters.cleaned_data["date"]:
            prefill["date"] = f"{filters.cleaned_data['date']:%d/%m/%Y}"
        return redirect(f"{reverse('visits:operation_create')}?{prefill.urlencode()}")
    operation, version = pick.cleaned_data["operation"]
    try:
        added = operation_add_premises(
            operation=operation, premises=list(ticked), expected_version=version, user=request.user
        )
    except StaleEdit:
        pick.add_error(
            "operation",
            f"Someone changed {operation.name} after you opened the planner, so nothing was "
            "added. Look at it again and add the premises if they are still wanted.",
        )
        return _planner_page(request, params, pick=pick)
    except OperationNotPlanned as state:
        pick.add_error("operation", f"{operation.name} is {str(state).lower()}: nothing was added.")
        return _planner_page(request, params, pick=pick)
    messages.success(
        request,
        f"Added {added} premises to {operation.name}"
        + (f" ({len(ticked) - added} were on it already)." if added < len(ticked) else "."),
    )
    return redirect(operation)


def _planner_page(request, params, *, pick):
    user = request.user
    form = PlannerForm(params, user=user)
    today = timezone.localdate()
    page, rows, towns_coverage = None, [], []
    if form.is_valid():
        chosen = form.cleaned_data
        night = chosen["date"] or today
        page = planner.ranked_page(
            user,
            params.get("page"),
            PAGE_SIZE,
            towns=chosen["towns"],
            sectors=chosen["sectors"],
            reasons=chosen["reasons"],
            exclude_days=chosen["exclude_days"],
            today=night,
        )
        rows = planner.to_candidates(
            page.object_list, retest_days=user.force.retest_due_days, on=night
        )
        planner.mark_open_operations(user, rows)
        towns_coverage = planner.coverage(user, towns=list(chosen["towns"]), today=today)
    can_create = user.has_perm("visits.add_operation")
    can_add = user.has_perm("visits.change_operation")
    planned = []
    if can_add:
        planned = list(
            Operation.objects.visible_to(user)
            .filter(status=Operation.Status.PLANNED)
            .only("name", "date", "version")
            .order_by("date", "name", "id")
        )
    # The filter bar is drawn from these (one query for the towns), not by the form's widgets.
    picked = {name: set(params.getlist(name)) for name in ("towns", "sectors", "reasons")}
    towns = Town.objects.visible_to(user).order_by("name").values_list("pk", "name")
    options = {
        "towns": [(str(pk), name, str(pk) in picked["towns"]) for pk, name in towns],
        "sectors": [(v, label, v in picked["sectors"]) for v, label in Premises.Sector.choices],
        "reasons": [
            (str(v), label, str(v) in picked["reasons"]) for v, label in planner.Reason.choices
        ],
    }
    query = params.copy()
    query.pop("page", None)
    ticked = {str(pk) for pk in (pick.data.getlist("premises") if pick else [])}
    return render(
        request,
        "training/operation_plan.html",
        {
            "form": form,
            "options": options,
            "pick": pick,
            "page": page,
            "rows": rows,
            "coverage": towns_coverage,
            "coverage_months": planner.COVERAGE_MONTHS,
            "reasons": planner.Reason,
            "query": query.urlencode(),
            "ticked": ticked,
            "chosen_operation": record_id(pick.data.get("operation", "").partition(":")[0])
            if pick
            else None,
            "can_create": can_create,
            "can_add": can_add,
            "planned": planned,
        },
    )
