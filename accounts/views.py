"""Sign-in and the force admin's user pages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from .forms import ForceSettingsForm, UserForm
from .models import User
from .permissions import role_required


@role_required("accounts.view_user")
def user_list(request):
    users = (
        User.objects.visible_to(request.user)
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "id")
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page})


@role_required("accounts.view_user", "accounts.add_user")
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
    form = UserForm(request.POST or None, instance=user, force=request.user.force)
    if request.method == "POST" and form.is_valid():
        if user == request.user and not form.cleaned_data.get("is_active", True):
            form.add_error("is_active", "You cannot deactivate your own account.")
        else:
            form.save()
            messages.success(request, f"Saved {user}.")
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "edited_user": user})


@role_required("accounts.change_force")
def force_settings(request):
    force = request.user.force
    form = ForceSettingsForm(request.POST or None, instance=force)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the settings of {force.name}.")
        return redirect("accounts:force_settings")
    return render(request, "accounts/force_settings.html", {"form": form, "force": force})
