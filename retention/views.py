"""The retention review queue and the decision page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.permissions import role_required
from common.pagination import page_with_total

from .forms import DecisionForm
from .queries import review_queue
from .services import retention_dispose, retention_retain


@role_required("retention.review_retention")
def retention_queue(request):
    today = timezone.localdate()
    page = page_with_total(review_queue(request.user, today), request.GET.get("page"), 50)
    return render(
        request,
        "retention/queue.html",
        {"page": page, "years": request.user.force.review_period_years, "query": ""},
    )


@role_required("retention.review_retention")
def retention_decide(request, pk):
    premises = get_object_or_404(review_queue(request.user, timezone.localdate()), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["decision"] == "retain":
            retention_retain(
                premises=premises,
                user=request.user,
                reason=data["reason"],
                next_review_on=data["next_review_on"],
            )
            messages.success(
                request, f"{premises.reference} retained until {data['next_review_on']:%d %b %Y}."
            )
        else:
            retention_dispose(premises=premises, user=request.user, reason=data["reason"])
            messages.success(
                request, f"{premises.reference} disposed of: its content is erased and logged."
            )
        return redirect("retention:queue")
    return render(request, "retention/decide.html", {"form": form, "premises": premises})
