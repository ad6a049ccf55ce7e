"""Site-wide pages: the home page for each role, and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from makesafe.navigation import MORE
from premises.models import Premises
from reports.reports import home_panel
from training.context_processors import remember_queue_counts
from training.queries import KINDS, queue_counts
from visits.models import Operation, Visit


def home(request):
    """What the signed-in user can do now: their role's panels, from the records."""
    user = request.user
    context = {"recent_premises": [], "my_visits": [], "open_operations": [], "queue": None}
    if user.is_national_coordinator:
        return render(request, "home.html", {**context, "national": True})
    if not user.force_id:
        return render(request, "home.html", context)
    if user.has_perm("premises.view_premises"):
        context["recent_premises"] = list(
            Premises.objects.visible_to(user).for_list().order_by("-updated_at", "-id")[:8]
        )
    if user.has_perm("visits.add_visit"):
        context["my_visits"] = list(
            Visit.objects.visible_to(user).filter(officer=user).for_list()[:6]
        )
    if user.has_perm("visits.view_operation"):
        context["open_operations"] = list(
            Operation.objects.visible_to(user)
            .open()
            .select_related("lead_officer")
            .order_by("date", "id")[:6]
        )
    if user.has_perm("visits.view_reports"):
        context["reports_panel"] = home_panel(user, timezone.localdate())
    if user.has_perm("training.schedule_training"):
        counts = queue_counts(user)
        remember_queue_counts(request, counts)
        context["queue"] = [(kind, label, counts[kind]) for kind, label in KINDS.choices]
    return render(request, "home.html", context)


def more(request):
    """The rest of what the user's role may do, and their account."""
    user = request.user
    links = [
        (label, reverse(name), description)
        for label, name, perm, description in MORE
        if user.force_id and user.has_perm(perm)
    ]
    return render(request, "more.html", {"links": links})


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """200 when the app can reach its database; for load balancers and monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
