"""Pages of the premises register: list, detail, create, edit, (de)activate, import, export."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.permissions import role_required
from audit.decorators import disclosure_required
from makesafe.concurrency import StaleEdit
from makesafe.csvutil import csv_download
from makesafe.jsonrows import instances, json_list, rows
from makesafe.pagination import page_with_total

from .filters import PremisesFilter
from .forms import PremisesForm, PremisesImportForm, TownForm
from .models import Premises, Town
from .services import (
    IMPORT_COLUMNS,
    ImportFailed,
    decode_csv,
    premises_import,
    premises_save,
    premises_set_active,
)

PAGE_SIZE = 50
TIMELINE_LIMIT = 100
SESSIONS_LIMIT = 200  # a premises gets training a few times a year, not hundreds
SESSION_COLUMNS = [
    "id",
    "visit_id",
    "owner_id",
    "status",
    "provider",
    "scheduled_for",
    "staff_trained",
    "created_at",
]


def _filtered(request):
    premises = Premises.objects.visible_to(request.user).for_list()
    listing = PremisesFilter(request.GET or None, queryset=premises, user=request.user)
    rows = listing.qs
    rows = rows.order_by(*(rows.query.order_by or ("name",)), "id")
    return listing, rows


@role_required("premises.view_premises")
def premises_list(request):
    listing, rows = _filtered(request)
    page = page_with_total(rows, request.GET.get("page"), PAGE_SIZE)
    listing.load_options()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "premises/premises_list.html",
        {"filter": listing, "page": page, "query": query.urlencode()},
    )


@role_required("premises.view_premises")
@disclosure_required
def premises_export(request):
    _, rows = _filtered(request)
    return csv_download(
        name="premises",
        header=IMPORT_COLUMNS + ["uprn", "contact_role", "active"],
        rows=(
            [
                p.reference,
                p.name,
                p.sector,
                p.address,
                p.town.name,
                p.postcode,
                p.operator,
                p.licence_reference,
                p.phone,
                p.email,
                p.uprn,
                p.contact_role,
                "yes" if p.active else "no",
            ]
            for p in rows.select_related("town").defer(None).iterator(chunk_size=2000)
        ),
    )


@role_required("premises.view_premises")
def premises_detail(request, pk):
    # The timeline's sessions, their owners and the notices come with the premises row (as JSON
    # lists, makesafe/jsonrows.py), the visits in a second query. The timeline reads later apps'
    # rows through reverse relations: premises imports none of them.
    session_model = Premises._meta.get_field("training_sessions").related_model
    notice_model = Premises._meta.get_field("notices").related_model
    sessions = session_model.objects.filter(premises_id=pk, force_id=request.user.force_id)
    sessions = sessions.order_by("-id")[:SESSIONS_LIMIT]
    users = get_user_model()
    premises = get_object_or_404(
        Premises.objects.visible_to(request.user)
        .select_related("town", "created_by", "updated_by")
        .annotate(
            session_rows=json_list(sessions, *SESSION_COLUMNS),
            owner_rows=json_list(
                users.objects.filter(pk__in=sessions.values("owner_id")), "id", *users.NAME_FIELDS
            ),
            notice_rows=json_list(
                notice_model.objects.filter(
                    premises_id=pk, force_id=request.user.force_id
                ).order_by("-start_date", "-id")[:20],
                "id",
                "start_date",
                "expiry_date",
                "status",
            ),
        ),
        pk=pk,
    )
    owners = {owner.pk: owner for owner in instances(users, rows(premises.owner_rows))}
    sessions = instances(session_model, rows(premises.session_rows))
    owner_field = session_model._meta.get_field("owner")
    for session in sessions:
        owner_field.set_cached_value(session, owners.get(session.owner_id))
    notices = instances(notice_model, rows(premises.notice_rows))
    visits = list(
        premises.visits.select_related("officer", "operation", "retest_of")
        .defer("debrief_notes", "reason")
        .order_by("-visited_at", "-id")[:TIMELINE_LIMIT]
    )
    # Each failed visit's chain (its training, its re-tests) from the rows above, not a query
    # per relation: a re-test is a later visit of these premises, so it is in the list too.
    chains = {v.pk: ([], []) for v in visits}
    for session in sorted(sessions, key=_newest_session_first, reverse=True):
        if session.visit_id in chains:
            chains[session.visit_id][0].append(session)
    for visit in visits:  # newest first
        if visit.retest_of_id in chains:
            chains[visit.retest_of_id][1].append(visit)
    for visit in visits:
        visit.chain_sessions, visit.chain_retests = chains[visit.pk]
    timeline = sorted(
        [(v.visited_at, "visit", v) for v in visits]
        + [(s.scheduled_for or s.created_at, "training", s) for s in sessions]
        + [(n.start_date, "notice", n) for n in notices],
        key=lambda entry: _sort_key(entry[0]),
        reverse=True,
    )
    return render(
        request,
        "premises/premises_detail.html",
        {
            "premises": premises,
            "timeline": timeline,
            "has_more": len(visits) >= TIMELINE_LIMIT,
        },
    )


def _newest_session_first(session):
    """TrainingSession's own ordering (-scheduled_for, -created_at; unscheduled first)."""
    scheduled = session.scheduled_for
    return (scheduled is None, scheduled or session.created_at, session.created_at)


def _sort_key(value):
    """Dates and datetimes on one scale: a notice's start date sorts at the start of its day."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return datetime.combine(value, time.min)


@role_required("premises.view_premises", "premises.add_premises")
def premises_create(request):
    form = PremisesForm(request.POST or None, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        premises = premises_save(premises=form.instance, user=request.user)
        messages.success(request, f"Added {premises.name} as {premises.reference}.")
        return redirect(premises)
    return render(request, "premises/premises_form.html", {"form": form})


@role_required("premises.view_premises", "premises.change_premises")
def premises_edit(request, pk):
    premises = get_object_or_404(Premises.objects.visible_to(request.user), pk=pk)
    form = PremisesForm(request.POST or None, instance=premises, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        try:
            premises_save(
                premises=form.instance,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved {premises.name}.")
            return redirect(premises)
    return render(request, "premises/premises_form.html", {"form": form, "premises": premises})


@role_required("premises.view_premises", "premises.deactivate_premises")
def premises_deactivate(request, pk):
    """GET asks for confirmation; POST flips the active flag."""
    premises = get_object_or_404(Premises.objects.visible_to(request.user), pk=pk)
    if request.method == "POST":
        premises_set_active(premises=premises, user=request.user, active=not premises.active)
        state = "reactivated" if premises.active else "deactivated"
        messages.success(request, f"{premises.name} is {state}.")
        return redirect(premises)
    return render(request, "premises/premises_confirm_active.html", {"premises": premises})


@role_required("premises.view_premises", "premises.import_premises")
def premises_import_upload(request):
    form = PremisesImportForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST" and form.is_valid():
        try:
            text = decode_csv(form.cleaned_data["file"].read())
            result = premises_import(force=request.user.force, user=request.user, text=text)
        except ValidationError as exc:
            form.add_error("file", exc)
        except ImportFailed as exc:
            failure = exc.result
            form.add_error("file", f"Nothing was imported: {len(failure.errors)} rows need fixing.")
        else:
            towns = (
                f" New towns: {', '.join(result.towns_created)}." if result.towns_created else ""
            )
            messages.success(
                request,
                f"Imported {result.created} new and {result.updated} updated premises.{towns}",
            )
            return redirect("premises:list")
    return render(
        request,
        "premises/premises_import.html",
        {"form": form, "failure": failure, "columns": ",".join(IMPORT_COLUMNS)},
    )


@role_required("premises.view_town", "premises.change_town")
def town_list(request):
    towns = Town.objects.visible_to(request.user).order_by("name", "id")
    page = page_with_total(towns, request.GET.get("page"), 100)
    return render(request, "premises/town_list.html", {"page": page})


@role_required("premises.view_town", "premises.add_town")
def town_create(request):
    form = TownForm(request.POST or None, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        town = form.save(commit=False)
        town.force = request.user.force
        town.save()
        messages.success(request, f"Added {town.name}.")
        return redirect("premises:town_list")
    return render(request, "premises/town_form.html", {"form": form})


@role_required("premises.view_town", "premises.change_town")
def town_edit(request, pk):
    town = get_object_or_404(Town.objects.visible_to(request.user), pk=pk)
    form = TownForm(request.POST or None, instance=town, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved {town.name}.")
        return redirect("premises:town_list")
    return render(request, "premises/town_form.html", {"form": form, "town": town})
