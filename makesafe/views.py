"""Site-wide pages: the home page for each role, and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from premises.models import Premises


def home(request):
    """What the signed-in user can do now, and the premises their force changed last."""
    user = request.user
    context = {"recent_premises": []}
    if user.force_id and user.has_perm("premises.view_premises"):
        context["recent_premises"] = list(
            Premises.objects.visible_to(user).for_list().order_by("-updated_at", "-id")[:8]
        )
    return render(request, "home.html", context)


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """200 when the app can reach its database; for load balancers and monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
