"""Pages of the premises register: list, create, edit, (de)activate, import, export (the
premises page itself, with its timeline, is in training/views.py)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from accounts.permissions import role_required
from accounts.submission import submit_once
from audit.decorators import disclosure_required
from common.concurrency import StaleEdit, save_versioned
from common.csvutil import csv_download
from common.pagination import page_with_total
from common.xlsxutil import xlsx_download

from .filters import PremisesFilter
from .forms import (
    OperatorForm,
    OperatorMergeForm,
    OperatorSearchForm,
    PremisesActiveForm,
    PremisesForm,
    PremisesImportForm,
    TownForm,
)
from .models import Operator, Premises, Town
from .services import (
    IMPORT_COLUMNS,
    ImportFailed,
    MergeRefused,
    premises_import,
    premises_save,
    premises_set_active,
)
from .services import (
    operator_merge as merge_operators,
)

PAGE_SIZE = 50


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


def _export(request, download):
    """The filtered list as a file: `download` is csv_download or its Excel twin."""
    _, rows = _filtered(request)
    return download(
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
                p.operator.name if p.operator_id else "",
                p.licence_reference,
                p.phone,
                p.email,
                p.uprn,
                p.contact_role,
                "yes" if p.active else "no",
            ]
            for p in rows.select_related("town", "operator").defer(None).iterator(chunk_size=2000)
        ),
    )


@role_required("premises.view_premises")
@disclosure_required
def premises_export(request):
    return _export(request, csv_download)


@role_required("premises.view_premises")
@disclosure_required
def premises_export_xlsx(request):
    return _export(request, xlsx_download)


@role_required("premises.view_premises", "premises.add_premises")
@submit_once
def premises_create(request):
    form = PremisesForm(request.POST or None, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        premises = premises_save(
            premises=form.instance,
            user=request.user,
            operator_name=form.cleaned_data["operator"],
        )
        messages.success(request, f"Added {premises.name} as {premises.reference}.")
        return redirect(premises)
    return render(
        request,
        "premises/premises_form.html",
        {"form": form, "operator_names": form.operator_names()},
    )


@role_required("premises.view_premises", "premises.change_premises")
def premises_edit(request, pk):
    premises = get_object_or_404(
        Premises.objects.visible_to(request.user).not_disposed().select_related("operator"), pk=pk
    )
    form = PremisesForm(request.POST or None, instance=premises, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        try:
            premises_save(
                premises=form.instance,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
                operator_name=form.cleaned_data["operator"],
            )
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved {premises.name}.")
            return redirect(premises)
    return render(
        request,
        "premises/premises_form.html",
        {"form": form, "premises": premises, "operator_names": form.operator_names()},
    )


@role_required("premises.view_premises", "premises.deactivate_premises")
def premises_deactivate(request, pk):
    """GET asks for confirmation; POST sets the state it names (active=0/1), if the premises
    is still at the version the confirmation showed."""
    premises = get_object_or_404(Premises.objects.visible_to(request.user).not_disposed(), pk=pk)
    form = PremisesActiveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
            form.add_error(None, "This request did not say which state to set: use the button.")
        else:
            active = form.cleaned_data["active"]
            try:
                changed = premises_set_active(
                    premises=premises,
                    user=request.user,
                    active=active,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEdit as conflict:
                premises = conflict.current
                form.add_error(
                    None,
                    f"Someone else changed {premises.name} since you opened this page, so "
                    "nothing was changed. Check it is still what you want below.",
                )
            else:
                state = "active" if active else "inactive"
                if changed:
                    messages.success(request, f"{premises.name} is now {state}.")
                else:
                    messages.info(request, f"{premises.name} was already {state}: nothing changed.")
                return redirect(premises)
    return render(
        request,
        "premises/premises_confirm_active.html",
        {"premises": premises, "form": form, "target": "0" if premises.active else "1"},
        status=status,
    )


@role_required("premises.view_premises", "premises.import_premises")
@submit_once
def premises_import_upload(request):
    form = PremisesImportForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST" and form.is_valid():
        try:
            result = premises_import(
                force=request.user.force, user=request.user, text=form.cleaned_data["file"]
            )
        except ImportFailed as exc:
            failure = exc.result
            form.add_error("file", f"Nothing was imported: {len(failure.errors)} rows need fixing.")
        else:
            towns = (
                f" New towns: {', '.join(result.towns_created)}." if result.towns_created else ""
            )
            operators = (
                f" New operators: {', '.join(result.operators_created)}."
                if result.operators_created
                else ""
            )
            messages.success(
                request,
                f"Imported {result.created} new and {result.updated} updated premises."
                f"{towns}{operators}",
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
@submit_once
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
    saved_name = town.name  # the form writes the typed name onto `town`
    form = TownForm(request.POST or None, instance=town, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        try:
            save_versioned(form.instance, expected_version=form.cleaned_data["expected_version"])
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved {town.name}.")
            return redirect("premises:town_list")
    return render(
        request, "premises/town_form.html", {"form": form, "town": town, "saved_name": saved_name}
    )


@role_required("premises.view_operator")
def operator_list(request):
    """The force's operators, each with its premises and towns counted."""
    operators = Operator.objects.visible_to(request.user).with_counts().order_by("name", "id")
    search = OperatorSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        operators = operators.filter(name__icontains=query)
    page = page_with_total(operators, request.GET.get("page"), 100)
    return render(
        request,
        "premises/operator_list.html",
        {
            "page": page,
            "q": query,
            "search": search,
            "query": urlencode({"q": query}) if query else "",
        },
    )


@role_required("premises.view_operator", "premises.view_premises")
def operator_detail(request, pk):
    """One operator and its premises across towns."""
    operator = get_object_or_404(Operator.objects.visible_to(request.user).with_counts(), pk=pk)
    premises = (
        Premises.objects.visible_to(request.user)
        .filter(operator=operator)
        .for_list()
        .order_by("town__name", "name", "id")
    )
    page = page_with_total(premises, request.GET.get("page"), PAGE_SIZE)
    return render(request, "premises/operator_detail.html", {"operator": operator, "page": page})


@role_required("premises.view_operator", "premises.change_operator")
def operator_edit(request, pk):
    """Correcting an operator's name (a misspelling, a rebrand): every premises of it shows the
    new name. A name another operator of the force has is refused, pointing to the merge."""
    operator = get_object_or_404(Operator.objects.visible_to(request.user), pk=pk)
    saved_name = operator.name  # the form writes the typed name onto `operator`
    form = OperatorForm(request.POST or None, instance=operator)
    if request.method == "POST" and form.is_valid():
        try:
            save_versioned(form.instance, expected_version=form.cleaned_data["expected_version"])
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Renamed {saved_name} to {operator.name}.")
            return redirect(operator)
    return render(
        request,
        "premises/operator_form.html",
        {"form": form, "operator": operator, "saved_name": saved_name},
    )


@role_required("premises.view_operator", "premises.merge_operator")
def operator_merge(request, pk):
    """Merging a duplicate (the operator of the URL) into the operator to keep. A GET without
    `into` asks which to keep; with it, it shows what the merge will do; a POST merges, if both
    are still at the versions the confirmation showed."""
    duplicate = get_object_or_404(Operator.objects.visible_to(request.user).with_counts(), pk=pk)
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "into" in request.GET else None)
    )
    form = OperatorMergeForm(data, duplicate=duplicate)
    status = 200
    kept = None
    if form.is_bound and form.is_valid():
        kept = Operator.objects.with_counts().get(pk=form.cleaned_data["into"].pk)
        if request.method == "POST":
            try:
                if form.cleaned_data["into_version"] is None:
                    raise MergeRefused(
                        "This request did not say which operator to keep: use the button."
                    )
                result = merge_operators(
                    duplicate=duplicate,
                    kept=kept,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                    expected_kept_version=form.cleaned_data["into_version"],
                )
            except MergeRefused as refused:
                status = 400
                form.add_error(None, str(refused))
            except StaleEdit:
                status = 409
                duplicate = Operator.objects.with_counts().filter(pk=duplicate.pk).first()
                kept = Operator.objects.with_counts().filter(pk=kept.pk).first()
                if duplicate is None or kept is None:
                    messages.info(request, "Someone else merged these operators already.")
                    return redirect(kept or "premises:operator_list")
                form = OperatorMergeForm(
                    {"into": kept.pk, "version": duplicate.version, "into_version": kept.version},
                    duplicate=duplicate,
                )
                form.is_valid()
                form.add_error(
                    None,
                    "Someone else changed these operators since you opened this page, so nothing "
                    "was merged. Check the counts below are still what you want.",
                )
            else:
                messages.success(
                    request,
                    f"Merged {duplicate.name} into {result.kept.name}: "
                    f"{result.moved} premises moved.",
                )
                return redirect(result.kept)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "premises/operator_merge.html",
        {"operator": duplicate, "kept": kept, "form": form},
        status=status,
    )
