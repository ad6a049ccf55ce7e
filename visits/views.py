"""Pages for logging and reading visits, and for operations, cadets and scenario scripts."""

from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import national_required, role_required
from accounts.submission import submit_once
from audit.decorators import ask_purpose, disclosure_required, log_disclosure
from audit.middleware import quiet, search_logged
from audit.queries import seen_by
from common.concurrency import StaleEdit, save_versioned
from common.csvutil import csv_download
from common.filtering import record_id
from common.pagination import page_with_total, page_without_count
from common.pdf import pdf_response_headers, render_pdf
from common.xlsxutil import xlsx_download
from premises.models import Premises

from .filters import VisitFilter
from .forms import (
    NationalScenarioForm,
    OperationForm,
    OperationTeamForm,
    ParticipantForm,
    PremisesSearchForm,
    RiskAssessmentApprovalForm,
    ScenarioForm,
    VisitForm,
    VisitImportForm,
    VisitingOrderForm,
    VisitStartForm,
)
from .models import NationalScenario, Operation, Participant, Scenario, Visit
from .queries import booked_team, briefing_pack, stops_in_order
from .services import (
    IMPORT_COLUMNS,
    IMPORT_OPTIONAL_COLUMNS,
    OperationNotReady,
    VisitImportFailed,
    national_scenario_publish,
    operation_close,
    operation_order_save,
    operation_risk_assessment_approve,
    operation_start,
    operation_team_save,
    scenario_adopt,
    scenario_save,
    visit_save,
    visits_import,
)

PAGE_SIZE = 50
SEARCH_LIMIT = 15

VISIT_CSV_COLUMNS = [
    "visit_id",
    "visited_at",
    "premises_reference",
    "premises",
    "town",
    "sector",
    "operation",
    "officer",
    "scenario",
    "stage",
    "outcome",
    "result",
    "police_contact",
    "retest_of",
    "debrief_held",
    "debrief_notes",
    "imported",
]


# --- Visits ----------------------------------------------------------------------------------


def _filtered_visits(request):
    visits = Visit.objects.visible_to(request.user)
    listing = VisitFilter(request.GET or None, queryset=visits, user=request.user)
    return listing, listing.qs.order_by("-visited_at", "-id")


@role_required("visits.view_visit")
def visit_list(request):
    listing, rows = _filtered_visits(request)
    page = page_without_count(rows.for_list(), request.GET.get("page"), PAGE_SIZE)
    listing.load_options()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visits/visit_list.html",
        {"filter": listing, "page": page, "query": query.urlencode()},
    )


def _export(request, download):
    """The filtered list as a file: `download` is csv_download or its Excel twin."""
    _, rows = _filtered_visits(request)
    rows = rows.for_list().select_related("scenario").defer(None)

    def lines():
        for v in rows.iterator(chunk_size=2000):
            yield [
                v.pk,
                timezone.localtime(v.visited_at).replace(tzinfo=None),
                v.premises.reference,
                v.premises.name,
                v.premises.town.name,
                v.premises.sector,
                v.operation.name if v.operation else "",
                str(v.officer) if v.officer else "",
                str(v.scenario) if v.scenario else "",
                v.stage_reached,
                v.outcome,
                v.result,
                v.police_contact,
                v.retest_of_id or "",
                "yes" if v.debrief_held else "no",
                v.debrief_notes,
                "yes" if v.imported else "no",
            ]

    return download(name="visits", header=VISIT_CSV_COLUMNS, rows=lines())


@role_required("visits.view_visit")
@disclosure_required
def visit_export(request):
    return _export(request, csv_download)


@role_required("visits.view_visit")
@disclosure_required
def visit_export_xlsx(request):
    return _export(request, xlsx_download)


@role_required("visits.view_visit")
def visit_detail(request, pk):
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user)
        .select_related(
            "premises__town",
            "operation",
            "officer",
            "scenario",
            "retest_of",
            "updated_by",
            "outcome_letter",
        )
        .prefetch_related("participants", "retests", "training_sessions"),
        pk=pk,
    )
    seen = None
    if request.user.has_perm("audit.view_history"):
        seen = list(seen_by("visits.visit", visit.pk))
    return render(
        request,
        "visits/visit_detail.html",
        {"visit": visit, "can_edit": visit.can_be_edited_by(request.user), "seen_by": seen},
    )


@role_required("visits.add_visit")
def visit_log(request):
    """Step one of logging from the visits menu: find the premises (works without JavaScript)."""
    form = PremisesSearchForm(request.GET or None)
    results = []
    if form.is_valid() and form.cleaned_data["q"]:
        results = list(
            Premises.objects.visible_to(request.user)
            .active()
            .search(form.cleaned_data["q"])
            .for_list()
            .order_by("name", "id")[:SEARCH_LIMIT]
        )
    if results:
        search_logged(request, form.cleaned_data["q"])
    else:
        quiet(request)  # an empty search form, or no premises found: no records shown
    context = {"form": form, "results": results, "limit": SEARCH_LIMIT}
    if request.GET.get("fragment"):
        return render(request, "visits/_premises_results.html", context)
    return render(request, "visits/visit_log.html", context)


@role_required("visits.add_visit")
@submit_once
def visit_create(request, premises_pk):
    premises = get_object_or_404(
        Premises.objects.visible_to(request.user).active().select_related("town"), pk=premises_pk
    )
    initial = {}
    start = VisitStartForm(request.GET, user=request.user, premises=premises).chosen()
    operation, retest_of = start["operation"], start["retest_of"]
    if operation:
        initial["operation"] = operation.pk
        # The night's cadets, as booked on the operation (those who may still take part).
        initial["participants"] = [c.pk for c in operation.cadets.all() if c.can_take_part]
        if operation.scenario_id:
            initial["scenario"] = operation.scenario_id
            initial["indicators"] = list(operation.scenario.indicators)
        if operation.date < timezone.localdate():
            initial["visited_at"] = timezone.make_aware(
                datetime.combine(operation.date, timezone.localtime().time())
            ).replace(second=0, microsecond=0)
    suggested = retest_of is None and "retest_of" not in request.GET
    if suggested:
        # Wherever a visit is logged, a premises' failure awaiting its re-test is offered; only
        # one before the time the form starts with, which a re-test must come after.
        starts_at = initial.get("visited_at") or timezone.localtime().replace(
            second=0, microsecond=0
        )
        retest_of = (
            Visit.objects.visible_to(request.user)
            .filter(premises=premises, visited_at__lt=starts_at)
            .awaiting_retest()
            .order_by("-visited_at", "-id")
            .first()
        )
    if retest_of:
        initial["retest_of"] = retest_of.pk
    form = VisitForm(request.POST or None, initial=initial, user=request.user, premises=premises)
    if suggested and retest_of:
        form.fields["retest_of"].help_text = "Chosen for you: the latest failure not yet re-tested."
    if request.method == "POST" and form.is_valid():
        visit = visit_save(
            visit=form.instance, user=request.user, participants=form.cleaned_data["participants"]
        )
        messages.success(
            request, f"Logged the visit to {premises.name}: {visit.get_result_display().lower()}."
        )
        if visit.operation_id:
            return redirect(visit.operation)
        return redirect(visit)
    form.load_options()
    return render(
        request,
        "visits/visit_form.html",
        {"form": form, "premises": premises, "operation": operation, "retest_of": retest_of},
    )


@role_required("visits.change_visit")
def visit_edit(request, pk):
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).select_related("premises__town"), pk=pk
    )
    if not visit.can_be_edited_by(request.user):
        raise PermissionDenied
    form = VisitForm(
        request.POST or None, instance=visit, user=request.user, premises=visit.premises
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit_save(
                visit=form.instance,
                user=request.user,
                participants=form.cleaned_data["participants"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, "Saved the visit.")
            return redirect(visit)
    form.load_options()
    return render(
        request,
        "visits/visit_form.html",
        {"form": form, "premises": visit.premises, "visit": visit},
    )


@role_required("visits.import_visit")
@submit_once
def visit_import(request):
    form = VisitImportForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST" and form.is_valid():
        try:
            result = visits_import(
                force=request.user.force, user=request.user, text=form.cleaned_data["file"]
            )
        except VisitImportFailed as exc:
            failure = exc.result
            form.add_error("file", f"Nothing was imported: {len(failure.errors)} rows need fixing.")
        else:
            extra = "".join(
                f" New {kind}: {', '.join(names)}." for kind, names in result.created_names.items()
            )
            messages.success(request, f"Imported {result.created} historical visits.{extra}")
            return redirect("visits:list")
    return render(
        request,
        "visits/visit_import.html",
        {
            "form": form,
            "failure": failure,
            "columns": ",".join(IMPORT_COLUMNS),
            "optional": ",".join(IMPORT_OPTIONAL_COLUMNS),
        },
    )


# --- Operations ------------------------------------------------------------------------------


@role_required("visits.view_operation")
def operation_list(request):
    operations = (
        Operation.objects.visible_to(request.user)
        .select_related("lead_officer", "scenario")
        .annotate(
            planned=Count("premises", distinct=True),
            # Only planned premises count as visited: an unplanned extra is not progress.
            visited=Count(
                "visits__premises", distinct=True, filter=Q(visits__premises=F("premises"))
            ),
        )
        .order_by("-date", "name", "id")
    )
    status = request.GET.get("status", "")
    if status in Operation.Status.values:
        operations = operations.filter(status=status)
    page = page_with_total(operations, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "visits/operation_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Operation.Status.choices,
            "query": f"status={status}" if status else "",
        },
    )


@role_required("visits.view_operation")
def operation_detail(request, pk):
    operation = get_object_or_404(
        Operation.objects.visible_to(request.user)
        .select_related("lead_officer", "scenario", "campaign", "risk_assessment_approved_by")
        .prefetch_related("towns"),
        pk=pk,
    )
    visits = Visit.objects.filter(operation=operation).order_by("-visited_at", "-id")
    stops = stops_in_order(operation)
    latest = {}
    for visit in visits.filter(premises__in=[stop.link.premises_id for stop in stops]).only(
        "premises", "visited_at", "outcome", "result"
    ):
        latest.setdefault(visit.premises_id, visit)
    rows = [
        {"stop": stop, "premises": stop.premises, "visit": latest.get(stop.link.premises_id)}
        for stop in stops
    ]
    totals = visits.aggregate(
        passed=Count("id", filter=Q(result=Visit.Result.PASS)),
        failed=Count("id", filter=Q(result=Visit.Result.FAIL)),
        void=Count("id", filter=Q(result=Visit.Result.VOID)),
        premises_visited=Count(
            "premises", distinct=True, filter=Q(premises__in=operation.premises.all())
        ),
    )
    unplanned = list(
        visits.exclude(premises__in=operation.premises.all()).select_related("premises__town")
    )
    members, cadets = booked_team(operation)
    problems = (
        operation.start_problems(members=members, cadets=cadets) if operation.is_planned else []
    )
    can_change = request.user.has_perm("visits.change_operation") and not operation.is_closed
    order_form = None
    if can_change and len(stops) > 1:
        order_form = VisitingOrderForm(operation=operation, links=[s.link for s in stops])
        fields = dict(order_form.rows())
        for row in rows:
            row["position"] = fields[row["stop"].link]
    # The night must be ready to start (docs/domain.md, "Operations") before visits are logged.
    can_log = (
        request.user.has_perm("visits.add_visit")
        and not operation.is_closed
        and operation.has_risk_assessment
        and not problems
    )
    return render(
        request,
        "visits/operation_detail.html",
        {
            "operation": operation,
            "rows": rows,
            "totals": totals,
            "to_visit": sum(1 for row in rows if row["visit"] is None),
            "unplanned": unplanned,
            "members": members,
            "cadets": cadets,
            "problems": problems,
            "can_change": can_change,
            "order_form": order_form,
            "can_log": can_log,
            "offline": _offline_plan(operation, rows) if can_log else None,
        },
    )


def _offline_plan(operation, rows) -> dict | None:
    """What "Prepare for offline" keeps in the browser (static/js/offline.js): this page and
    the log form of each premises still to visit, until the operation's last day plus one."""
    if operation.offline_until < timezone.localdate():
        return None
    return {
        "operation": operation.pk,
        "until": operation.offline_until.isoformat(),
        "page": operation.get_absolute_url(),
        "forms": [
            f"{reverse('visits:create', args=[row['premises'].pk])}?operation={operation.pk}"
            for row in rows
            if row["visit"] is None
        ],
        "worker": reverse("visits:service_worker"),
    }


@login_not_required
@require_GET
def service_worker(request):
    """The offline worker, static/js/sw.js, served from /visits/ so that its scope (by default
    the folder of its URL) is /visits/: the operation pages and log forms, and no other page.
    Signed-out browsers fetch it too (the browser checks it for updates), and it holds no data."""
    path = finders.find("js/sw.js")
    with open(path, encoding="utf-8") as script:
        response = HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@role_required("visits.view_operation", "visits.add_operation")
@submit_once
def operation_create(request):
    form = OperationForm(
        request.POST or None, user=request.user, initial=_operation_prefill(request.GET)
    )
    if request.method == "POST" and form.is_valid():
        operation = form.save(commit=False)
        operation.force = request.user.force
        operation.created_by = request.user
        operation.save()
        form.save_m2m()
        messages.success(request, f"Planned {operation.name}.")
        return redirect(operation)
    return render(request, "visits/operation_form.html", {"form": form})


@role_required("visits.view_operation", "visits.change_operation")
def operation_edit(request, pk):
    operation = get_object_or_404(Operation.objects.visible_to(request.user), pk=pk)
    form = OperationForm(request.POST or None, instance=operation, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            edited = form.save(commit=False)
            if "risk_assessment_ref" in form.changed_data:
                # An approval is of one assessment: a new reference waits for its own.
                edited.risk_assessment_approved_by = None
                edited.risk_assessment_approved_on = None
            # save(commit=False) gives the form its save_m2m; the versioned save goes first.
            save_versioned(edited, expected_version=form.cleaned_data["expected_version"])
            form.save_m2m()
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved {operation.name}.")
            return redirect(operation)
    return render(request, "visits/operation_form.html", {"form": form, "operation": operation})


@role_required("visits.view_operation", "visits.change_operation")
def operation_close_view(request, pk):
    """GET asks for confirmation; POST marks the operation completed."""
    operation = get_object_or_404(Operation.objects.visible_to(request.user), pk=pk)
    if operation.is_closed:
        messages.info(request, f"{operation.name} is already closed.")
        return redirect(operation)
    if request.method == "POST":
        operation_close(operation=operation, user=request.user)
        messages.success(request, f"{operation.name} is closed.")
        return redirect(operation)
    return render(request, "visits/operation_confirm_close.html", {"operation": operation})


@role_required("visits.view_operation", "visits.change_operation")
def operation_team(request, pk):
    """Book the team on the night: lead, cover officers, cadet handlers and cadets (codes)."""
    operation = get_object_or_404(Operation.objects.visible_to(request.user), pk=pk)
    if operation.is_closed:
        messages.info(request, f"{operation.name} is closed: its team is final.")
        return redirect(operation)
    form = OperationTeamForm(request.POST or None, instance=operation, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            operation_team_save(
                operation=form.instance,
                user=request.user,
                lead=form.cleaned_data["lead_officer"],
                covers=list(form.cleaned_data["covers"]),
                handlers=list(form.cleaned_data["handlers"]),
                cadets=list(form.cleaned_data["cadets"]),
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved the team for {operation.name}.")
            return redirect(operation)
    return render(request, "visits/operation_team.html", {"form": form, "operation": operation})


@role_required("visits.view_operation", "visits.approve_risk_assessment")
def operation_approve(request, pk):
    """A sergeant records the operation's risk assessment as approved, by them, on a date."""
    operation = get_object_or_404(Operation.objects.visible_to(request.user), pk=pk)
    if not operation.is_planned:
        messages.info(request, f"{operation.name} has started: its risk assessment is final.")
        return redirect(operation)
    form = RiskAssessmentApprovalForm(request.POST or None, instance=operation)
    if request.method == "POST" and form.is_valid():
        try:
            operation_risk_assessment_approve(
                operation=form.instance,
                user=request.user,
                reference=form.cleaned_data["risk_assessment_ref"],
                approved_on=form.cleaned_data["risk_assessment_approved_on"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(
                request, f"Recorded the risk assessment of {operation.name} as approved."
            )
            return redirect(operation)
    return render(request, "visits/operation_approve.html", {"form": form, "operation": operation})


@require_POST
@role_required("visits.view_operation", "visits.change_operation")
def operation_start_view(request, pk):
    """Start the night, if it is lawful and safe; otherwise say what is missing."""
    operation = get_object_or_404(Operation.objects.visible_to(request.user), pk=pk)
    try:
        operation_start(operation=operation, user=request.user)
    except OperationNotReady as refused:
        for problem in refused.problems:
            messages.error(request, f"{operation.name} cannot start: {problem}")
    else:
        messages.success(request, f"{operation.name} has started.")
    return redirect(operation)


@require_POST
@role_required("visits.view_operation", "visits.change_operation")
def operation_order(request, pk):
    """Keep the visiting order typed in the checklist's numbers."""
    operation = get_object_or_404(Operation.objects.visible_to(request.user), pk=pk)
    form = VisitingOrderForm(
        request.POST, operation=operation, links=list(operation.visiting_order())
    )
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(operation)
    try:
        operation_order_save(
            operation=operation,
            user=request.user,
            positions=form.positions(),
            expected_version=form.cleaned_data["expected_version"],
        )
    except StaleEdit:
        messages.error(
            request,
            "Someone else changed this operation while you were ordering it, so the order was "
            "not saved. Here is the order as saved: number the premises again.",
        )
    else:
        messages.success(request, "Saved the visiting order.")
    return redirect(operation)


def _briefing(request, pk):
    operation = get_object_or_404(
        Operation.objects.visible_to(request.user).select_related(
            "force", "lead_officer", "scenario", "risk_assessment_approved_by"
        ),
        pk=pk,
    )
    return operation, briefing_pack(operation)


@role_required("visits.view_operation")
def operation_briefing(request, pk):
    """The briefing pack to print: behind the disclosure prompt, with no cadet names."""
    operation, pack = _briefing(request, pk)
    gate = ask_purpose(request)
    if gate:
        return gate
    response = render(request, "visits/operation_briefing.html", {"pack": pack, "print": True})
    return log_disclosure(request, response)


@role_required("visits.view_operation")
def operation_briefing_pdf(request, pk):
    """The briefing pack as a PDF, behind the disclosure prompt."""
    operation, pack = _briefing(request, pk)
    gate = ask_purpose(request)
    if gate:
        return gate
    pdf = render_pdf("visits/operation_briefing_pdf.html", {"pack": pack}, request=request)
    response = HttpResponse(
        pdf, headers=pdf_response_headers(f"briefing-{slugify(operation.name)}")
    )
    return log_disclosure(request, response)


# --- Cadets (participants) -------------------------------------------------------------------


@role_required("visits.view_participant", "visits.manage_participant")
def participant_list(request):
    participants = (
        Participant.objects.visible_to(request.user)
        .annotate(visit_count=Count("visits"))
        .order_by("-active", "code", "id")
    )
    page = page_with_total(participants, request.GET.get("page"), PAGE_SIZE)
    return render(request, "visits/participant_list.html", {"page": page})


@role_required("visits.view_participant", "visits.manage_participant")
@submit_once
def participant_create(request):
    form = ParticipantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        participant = form.save(commit=False)
        participant.force = request.user.force
        participant.save()
        messages.success(request, f"Added cadet {participant.code}.")
        return redirect("visits:participant_list")
    return render(request, "visits/participant_form.html", {"form": form})


@role_required("visits.view_participant", "visits.manage_participant")
def participant_edit(request, pk):
    participant = get_object_or_404(Participant.objects.visible_to(request.user), pk=pk)
    form = ParticipantForm(request.POST or None, instance=participant, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            save_versioned(form.instance, expected_version=form.cleaned_data["expected_version"])
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved cadet {participant.code}.")
            return redirect("visits:participant_list")
    return render(
        request, "visits/participant_form.html", {"form": form, "participant": participant}
    )


# --- Scenario scripts ------------------------------------------------------------------------


@role_required("visits.view_scenario", "visits.manage_scenario")
def scenario_list(request):
    scenarios = (
        Scenario.objects.visible_to(request.user)
        .annotate(visit_count=Count("visits"))
        .order_by("-is_current", "name", "-version", "id")
    )
    page = page_with_total(scenarios, request.GET.get("page"), PAGE_SIZE)
    return render(request, "visits/scenario_list.html", {"page": page})


@role_required("visits.view_scenario", "visits.manage_scenario")
def scenario_detail(request, pk):
    scenario = get_object_or_404(
        Scenario.objects.visible_to(request.user)
        .select_related("adopted_from")
        .annotate(visit_count=Count("visits")),
        pk=pk,
    )
    versions = (
        Scenario.objects.visible_to(request.user).filter(name=scenario.name).order_by("-version")
    )
    return render(
        request, "visits/scenario_detail.html", {"scenario": scenario, "versions": versions}
    )


@role_required("visits.view_scenario", "visits.manage_scenario")
@submit_once
def scenario_create(request):
    form = ScenarioForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        scenario = scenario_save(scenario=form.instance, user=request.user)
        messages.success(request, f"Added {scenario}.")
        return redirect(scenario)
    return render(request, "visits/scenario_form.html", {"form": form})


@role_required("visits.view_scenario", "visits.manage_scenario")
def scenario_edit(request, pk):
    scenario = get_object_or_404(
        Scenario.objects.visible_to(request.user).annotate(visit_count=Count("visits")), pk=pk
    )
    if not scenario.is_current and request.method != "POST":
        messages.info(request, "Only the current version can be changed.")
        return redirect(scenario)
    opened_version = scenario.version
    form = ScenarioForm(request.POST or None, instance=scenario, user=request.user)
    action = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = scenario_save(
                scenario=form.instance,
                user=request.user,
                expected_revision=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
            if conflict.current.pk != scenario.pk:
                # A newer version replaced this one: saving again edits that one.
                action = reverse("visits:scenario_edit", args=[conflict.current.pk])
        else:
            if saved.pk != pk:
                messages.success(
                    request, f"Visits used version {opened_version}, so this is {saved}."
                )
            else:
                messages.success(request, f"Saved {saved}.")
            return redirect(saved)
    return render(
        request,
        "visits/scenario_form.html",
        {
            "form": form,
            "scenario": scenario,
            "next_version": opened_version + 1,
            "action": action,
        },
    )


# --- The national scenario library (docs/domain.md, Shared scenario library) -----------------


def _ours(user, field):
    """The named field of the user's force's current scenario of a national script's name."""
    return Subquery(
        Scenario.objects.filter(
            force=user.force_id, is_current=True, name__iexact=OuterRef("name")
        ).values(field)[:1]
    )


@role_required("visits.view_scenario", "visits.manage_scenario")
def library(request):
    """The newest version of each national script, beside what the force uses of it."""
    scripts = (
        NationalScenario.objects.visible_to(request.user)
        .latest()
        .annotate(
            ours_pk=_ours(request.user, "pk"),
            ours_version=_ours(request.user, "version"),
            ours_from=_ours(request.user, "adopted_from__version"),
            ours_from_name=_ours(request.user, "adopted_from__name"),
        )
        .order_by("name")
    )
    page = page_with_total(scripts, request.GET.get("page"), PAGE_SIZE)
    return render(request, "visits/library.html", {"page": page})


@role_required("visits.view_scenario", "visits.manage_scenario")
@submit_once
def library_adopt(request, pk):
    """One national script, and adopting it as the force's own (offered, never applied)."""
    national = get_object_or_404(NationalScenario.objects.visible_to(request.user), pk=pk)
    stale = False
    if request.method == "POST":
        try:
            expected = int(request.POST.get("expected_revision") or 0) or None
        except ValueError:
            expected = -1
        try:
            scenario = scenario_adopt(
                national=national, user=request.user, expected_revision=expected
            )
        except StaleEdit:
            stale = True
        else:
            messages.success(request, f"Adopted {national.name} v{national.version} as {scenario}.")
            return redirect(scenario)
    ours = (
        Scenario.objects.visible_to(request.user)
        .filter(name__iexact=national.name, is_current=True)
        .select_related("adopted_from")
        .first()
    )
    newest = NationalScenario.objects.filter(name=national.name).order_by("-version").first()
    return render(
        request,
        "visits/library_adopt.html",
        {"national": national, "ours": ours, "newest": newest, "stale": stale},
    )


@national_required("visits.publish_national_scenario")
def national_scenario_list(request):
    """The national library: the newest version of each script, with how many it has."""
    scripts = (
        NationalScenario.objects.visible_to(request.user)
        .latest()
        .select_related("published_by")
        .annotate(
            adopted_by=Subquery(
                Scenario.objects.filter(adopted_from__name=OuterRef("name"))
                .order_by()
                .values("adopted_from__name")
                .annotate(n=Count("force", distinct=True))
                .values("n")[:1]
            )
        )
        .order_by("name")
    )
    page = page_with_total(scripts, request.GET.get("page"), PAGE_SIZE)
    return render(request, "visits/national_scenario_list.html", {"page": page})


@national_required("visits.publish_national_scenario")
@submit_once
def national_scenario_create(request):
    form = NationalScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        script = national_scenario_publish(scenario=form.instance, user=request.user)
        messages.success(request, f"Published {script.name} v{script.version} to the library.")
        return redirect("visits:national_scenario_list")
    return render(request, "visits/national_scenario_form.html", {"form": form})


@national_required("visits.publish_national_scenario")
@submit_once
def national_scenario_revise(request, pk):
    """Publish the next version of a script: a new row, so forces keep what they adopted."""
    revises = get_object_or_404(NationalScenario.objects.visible_to(request.user), pk=pk)
    form = NationalScenarioForm(request.POST or None, revises=revises)
    action = None
    if request.method == "POST" and form.is_valid():
        try:
            script = national_scenario_publish(
                scenario=form.instance, user=request.user, revises=revises
            )
        except StaleEdit as conflict:
            newest = conflict.current
            form.add_error(
                None,
                f"v{newest.version} was published since you opened v{revises.version}. "
                f"Your text is kept below: compare it with v{newest.version} in the library, "
                f"and publish again to make v{newest.version + 1}.",
            )
            action = reverse("visits:national_scenario_revise", args=[newest.pk])
        else:
            messages.success(request, f"Published {script.name} v{script.version}.")
            return redirect("visits:national_scenario_list")
    return render(
        request,
        "visits/national_scenario_form.html",
        {"form": form, "revises": revises, "action": action},
    )


# --- Operations planned from the planner (training/planner.py) -------------------------------


def _operation_prefill(params) -> dict:
    """The new operation form's first values from a link (the planner's "Create operation"):
    its premises, towns and date. Only the form's own choices are ever selected, so an id of
    another force's record selects nothing, and a date that is not one is left out."""
    initial = {}
    for name in ("premises", "towns"):
        ids = [record_id(value) for value in params.getlist(name)[:PAGE_SIZE]]
        if any(ids):
            initial[name] = [pk for pk in ids if pk]
    try:
        day = forms.DateField(input_formats=["%d/%m/%Y"]).clean(params.get("date", ""))
    except forms.ValidationError:
        day = None
    if day:
        initial["date"] = day
    return initial
