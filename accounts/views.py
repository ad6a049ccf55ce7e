"""Sign-in and the force admin's user pages."""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy

from common.concurrency import StaleEdit, save_versioned
from common.pagination import page_with_total

from .forms import CountedPasswordChangeForm, ForceSettingsForm, ProfileForm, UserForm
from .models import User
from .permissions import member_or_national_required, role_required
from .submission import submit_once


@role_required("accounts.view_user")
def user_list(request):
    users = (
        User.objects.visible_to(request.user)
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "id")
    )
    page = page_with_total(users, request.GET.get("page"), 50)
    return render(request, "accounts/user_list.html", {"page": page})


@role_required("accounts.view_user", "accounts.add_user")
@submit_once
def user_create(request):
    form = UserForm(request.POST or None, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, f"{user} can now sign in as {user.username}.")
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@role_required("accounts.view_user", "accounts.change_user")
def user_edit(request, pk):
    user = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    if user.is_staff or user.is_superuser:
        # Support accounts are run by the service, not the force: a force admin may not edit,
        # reset, deactivate or re-role them.
        raise PermissionDenied("Support accounts are managed by the Makesafe service.")
    form = UserForm(request.POST or None, instance=user, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        if user == request.user and not form.cleaned_data.get("is_active", True):
            form.add_error("is_active", "You cannot deactivate your own account.")
        else:
            try:
                form.save()
            except StaleEdit as conflict:
                form.show_conflict(conflict.current)
            else:
                messages.success(request, f"Saved {user}.")
                return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "edited_user": user})


@role_required("accounts.change_force")
def force_settings(request):
    force = request.user.force
    form = ForceSettingsForm(request.POST or None, instance=force)
    if request.method == "POST" and form.is_valid():
        try:
            save_versioned(form.instance, expected_version=form.cleaned_data["expected_version"])
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved the settings of {force.name}.")
            return redirect("accounts:force_settings")
    return render(
        request,
        "accounts/force_settings.html",
        {"form": form, "force": force, "default_from": settings.DEFAULT_FROM_EMAIL},
    )


@role_required("accounts.change_user")
def lockout_list(request):
    """Usernames of the force locked after failed sign-ins; a force admin may unlock them."""
    usernames = set(
        User.objects.visible_to(request.user)
        .filter(is_staff=False, is_superuser=False)  # support accounts are not the force's
        .values_list("username", flat=True)
    )
    if request.method == "POST":
        username = request.POST.get("username", "")
        if username in usernames:
            reset(username=username)
            messages.success(request, f"{username} can sign in again.")
        return redirect("accounts:lockouts")
    attempts = AccessAttempt.objects.filter(
        username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).order_by("-attempt_time")[:200]
    return render(request, "accounts/lockout_list.html", {"attempts": attempts})


# Who works the sergeants' queue, and so may get its daily digest (training.queries).
QUEUE_PERMISSION = "training.schedule_training"


@member_or_national_required()
def profile(request):
    """The signed-in user's own account: who they are, their password, their reminder emails."""
    user = request.user
    holds_queue = user.has_perm(QUEUE_PERMISSION)
    # Bound on any POST: an unticked box sends nothing, so the POST may be empty.
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=user) if holds_queue else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Your role gets no digest of the work queue.")
        if form.is_valid():
            # Only the field the form sets: an edit by a force admin meanwhile is kept.
            form.save(commit=False).save(update_fields=["wants_digest", "updated_at"])
            state = "on" if form.cleaned_data["wants_digest"] else "off"
            messages.success(request, f"The daily digest is now {state}.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "holds_queue": holds_queue})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own, with the old password checked as a sign-in (accounts/forms.py)."""

    form_class = CountedPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
