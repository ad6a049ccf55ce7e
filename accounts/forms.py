"""Forms a force admin uses to manage the people of their force."""

import pghistory
from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.models import Group

from common.concurrency import VersionedFormMixin, save_versioned

from .models import RESET_EVENT, Force, User
from .roles import ROLES


class UserForm(VersionedFormMixin, forms.ModelForm):
    """Create or edit a user of the admin's own force and set their role."""

    role = forms.ChoiceField(choices=[(name, name) for name in ROLES], widget=forms.RadioSelect)
    password1 = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; a passphrase of several words is best.",
    )
    password2 = forms.CharField(
        label="Password again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "rank",
            "collar_number",
            "is_active",
        ]
        labels = {"is_active": "Active (can sign in)"}

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.force = force
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if self.instance.pk:
            roles = [g.name for g in self.instance.groups.all() if g.name in ROLES]
            self.fields["role"].initial = roles[0] if roles else None
            self.fields["password1"].help_text = "Leave blank to keep the current password."
        else:
            self.fields["password1"].required = True
            self.fields["password2"].required = True
            self.fields.pop("is_active")

    def clean_collar_number(self):
        number = self.cleaned_data["collar_number"].strip().upper()
        if number:
            taken = User.objects.filter(force=self.force, collar_number=number)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError("Another user of your force has this number.")
        return number

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first or second:
            if first != second:
                self.add_error("password2", "The two passwords do not match.")
            else:
                user = self.instance
                user.force = self.force
                try:
                    password_validation.validate_password(first, user)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return cleaned

    def save(self, commit=True):
        """Save the user and their role together; an edit is refused with `StaleEdit` if anyone
        saved the user (or their role) since the form was opened."""
        reset = bool(self.instance.pk and self.cleaned_data.get("password1"))
        user = super().save(commit=False)
        user.force = self.force
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        if commit:
            if user.pk:
                save_versioned(user, expected_version=self.cleaned_data["expected_version"])
            else:
                user.save()
            # Only a change of role writes to the roles table, so its history holds changes,
            # not a removal and an addition at every save.
            role = self.cleaned_data["role"]
            user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
            user.groups.add(Group.objects.get(name=role))
            if reset:  # the history says so, and by whom; the password is never kept in it
                pghistory.create_event(user, label=RESET_EVENT)
        return user


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a username longer than any account's before it is
    checked: Django sets the length only on the input, and the failed attempt a long one
    would be logged as (django-axes) cannot be stored."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > User._meta.get_field("username").max_length:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return username


class CountedPasswordChangeForm(PasswordChangeForm):
    """Django's password change, where the old password is checked as a sign-in is: a wrong
    one counts towards the same lockout (django-axes), and a locked username cannot change its
    password by guessing it here instead."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        signed_in = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if signed_in is None or signed_in.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class ForceSettingsForm(VersionedFormMixin, forms.ModelForm):
    """A force admin's settings for their own force."""

    class Meta:
        model = Force
        fields = [
            "training_due_days",
            "retest_due_days",
            "letter_due_days",
            "review_period_years",
            "followup_horizon_months",
            "training_contact",
            "reminder_from_email",
            "national_figures",
        ]
        labels = {
            "reminder_from_email": "Sender address of the daily reminder emails",
            "training_due_days": "Training due within (days after a failed visit)",
            "retest_due_days": "Re-test due within (days after training or a declined offer)",
            "letter_due_days": "Outcome letter due within (days after a visit)",
            "training_contact": "Training contact printed on outcome letters",
            "review_period_years": "Retention review after (years since the last activity)",
            "followup_horizon_months": "Follow-up horizon for imported failures (months)",
        }


class ProfileForm(forms.ModelForm):
    """What people set for themselves on their profile page: whether they get the digest."""

    class Meta:
        model = User
        fields = ["wants_digest"]
