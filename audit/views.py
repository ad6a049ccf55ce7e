"""The disclosure prompt, the audit viewer and each record's History tab."""

from django.apps import apps
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.permissions import member_or_national_required, role_required
from common.csvutil import csv_download
from common.pagination import page_without_count
from common.redirects import safe_next

from .decorators import disclosure_required, remember_disclosure
from .forms import AuditFilterForm, DisclosureForm
from .models import AccessLog, CombinationLog, DisclosureLog, ErasureLog
from .queries import HISTORY_MODELS, history

# Sensible answers for the most common disclosure, the outcome letter.
DEFAULT_PURPOSES = {
    "training:letter": (
        "The manager of the premises visited",
        "Written outcome of a Makesafe test visit",
    ),
}


@member_or_national_required()
def disclose(request):
    """Ask who a download or print is for and why; remembered for this session and export."""
    data = request.POST or None
    key = (request.POST or request.GET).get("key", "")
    view_name = key.split("[", 1)[0]
    recipient, reason = DEFAULT_PURPOSES.get(view_name, ("", ""))
    form = DisclosureForm(
        data,
        initial={
            "next": request.GET.get("next", ""),
            "key": key,
            "recipient": recipient,
            "reason": reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        target = safe_next(request, form.cleaned_data["next"])
        if not target:
            raise Http404("Nothing to download")
        remember_disclosure(
            request,
            form.cleaned_data["key"],
            form.cleaned_data["recipient"],
            form.cleaned_data["reason"],
        )
        return redirect(target)
    return render(request, "audit/disclose.html", {"form": form})


def _log_rows(request):
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    action = ""
    rows = AccessLog.objects.visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        action = data["action"]
        if action == "disclosure":
            rows = DisclosureLog.objects.visible_to(request.user)
        elif action == "erasure":
            rows = ErasureLog.objects.visible_to(request.user)
        elif action == "combine":
            rows = CombinationLog.objects.visible_to(request.user)
        elif action:
            rows = rows.filter(action=action)
        if data["user"]:
            rows = rows.filter(user=data["user"])
        records = action not in ("disclosure", "combine")
        if data["object_type"] and records:
            rows = rows.filter(object_type=data["object_type"])
        if data["object_id"] and records:
            rows = rows.filter(object_id=data["object_id"])
        if data["date_from"]:
            rows = rows.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            rows = rows.filter(at__date__lte=data["date_to"])
    return form, action, rows.select_related("user").order_by("-at", "-id")


@role_required("audit.view_audit")
def audit_log(request):
    form, action, rows = _log_rows(request)
    page = page_without_count(rows, request.GET.get("page"), 100)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "action": action, "page": page, "query": query.urlencode()},
    )


@role_required("audit.view_audit")
@disclosure_required
def audit_export(request):
    """The filtered log as CSV (this download is itself logged as a disclosure)."""
    form, action, rows = _log_rows(request)

    def lines():
        for row in rows.iterator(chunk_size=2000):
            detail = getattr(row, "recipient", "") or getattr(row, "what", "")
            if isinstance(row, CombinationLog):
                detail = "; ".join(row.force_names)
            why = getattr(row, "reason", "") or getattr(row, "report", "")
            kind = getattr(row, "action", action or "view")
            yield [
                row.at.isoformat(),
                row.user.username if row.user else "",
                kind,
                getattr(row, "view", ""),
                getattr(row, "object_type", ""),
                getattr(row, "object_id", "") or "",
                getattr(row, "path", ""),
                detail,
                why,
            ]

    return csv_download(
        name="audit-log",
        header=[
            "at",
            "user",
            "action",
            "page",
            "object_type",
            "object_id",
            "path",
            "detail",
            "reason",
        ],
        rows=lines(),
    )


@role_required("audit.view_history")
def record_history(request, model, pk):
    """Who changed what, field by field, for one record of the user's force, with the rows
    that belong to it (its cadets, checklist, roles, letter, work-queue owners: HISTORY_PARTS)."""
    if model not in HISTORY_MODELS:
        raise Http404("No history for this kind of record")
    model_class = apps.get_model(model)
    obj = get_object_or_404(model_class.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "audit/history.html",
        {"obj": obj, "kind": HISTORY_MODELS[model], "events": history(obj)},
    )
