"""Forms for training sessions, queue assignment and s.116 notices."""

from django import forms
from django.utils import timezone

from accounts.models import User
from common.concurrency import VersionedFormMixin
from common.filtering import MAX_ID, record_id, validate_filter_date
from premises.models import Premises, Town
from visits.models import Operation, Visit

from .models import GuestInfoRequest, Notice, QueueAssignment, TrainingSession, add_months
from .planner import Reason

DATETIME_WIDGET = forms.DateTimeInput(format="%d/%m/%Y %H:%M", attrs={"autocomplete": "off"})
DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"})


def sergeants_of(user: User):
    """People who can own follow-up work: active users of the force who may schedule training."""
    return (
        User.objects.visible_to(user)
        .filter(is_active=True)
        .filter(groups__permissions__codename="schedule_training")
        .distinct()
        .order_by("last_name", "first_name")
    )


class QueueFilterForm(forms.Form):
    """The work queue's filter bar (drawn by its template). A value the bar does not offer (a
    town or sergeant of another force, junk in a link) is left out, as if nothing was chosen."""

    town = forms.ChoiceField(required=False)
    sector = forms.ChoiceField(choices=Premises.Sector.choices, required=False)
    owner = forms.ChoiceField(required=False)
    status = forms.ChoiceField(choices=[("due", "Due"), ("overdue", "Overdue")], required=False)

    def __init__(self, data, *, towns, owners):
        super().__init__(data)
        self.fields["town"].choices = [(str(town.pk), town.name) for town in towns]
        self.fields["owner"].choices = [("none", "Nobody yet")] + [
            (str(owner.pk), str(owner)) for owner in owners
        ]

    def filters(self) -> dict[str, str]:
        """{filter: the value chosen, or "" when none is or the bar does not offer it}."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class SessionTargetForm(forms.Form):
    """What a new training session is for: premises of the user's force and, when it follows a
    failed visit, that visit of those premises (from the queue row's link, then the form's
    hidden fields)."""

    premises = forms.ModelChoiceField(queryset=Premises.objects.none())
    visit = forms.ModelChoiceField(queryset=Visit.objects.none(), required=False)

    def __init__(self, data, *, user: User):
        super().__init__(data)
        self.fields["premises"].queryset = Premises.objects.visible_to(user).select_related("town")
        self.fields["visit"].queryset = Visit.objects.visible_to(user)

    def clean(self):
        cleaned = super().clean()
        premises, visit = cleaned.get("premises"), cleaned.get("visit")
        if premises and visit and visit.premises_id != premises.pk:
            self.add_error("visit", "This visit is not one of these premises'.")
        return cleaned


class WeekForm(forms.Form):
    """The week the week view shows, by any day of it as its links give it (YYYY-MM-DD)."""

    week = forms.DateField(
        input_formats=["%Y-%m-%d"], required=False, validators=[validate_filter_date]
    )


class TrainingSessionForm(VersionedFormMixin, forms.ModelForm):
    materials = forms.MultipleChoiceField(
        choices=TrainingSession.Material.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Materials given",
    )

    class Meta:
        model = TrainingSession
        fields = [
            "status",
            "scheduled_for",
            "duration_minutes",
            "provider",
            "trainer",
            "owner",
            "staff_trained",
            "materials",
            "notes",
        ]
        widgets = {
            "scheduled_for": DATETIME_WIDGET,
            "status": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"duration_minutes": "Length (minutes)"}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = sergeants_of(user)
        self.fields["owner"].empty_label = "Nobody yet"
        current = self.instance.status if self.instance.pk else None
        if current:
            allowed = {current} | TrainingSession.TRANSITIONS[current]
            # Only the allowed changes are offered; clean() refuses any other with a reason.
            self.fields["status"].widget.choices = [
                (value, label)
                for value, label in TrainingSession.Status.choices
                if value in allowed
            ]
        else:
            self.fields["status"].choices = [
                (value, label)
                for value, label in TrainingSession.Status.choices
                if value in ("offered", "accepted", "declined", "scheduled")
            ]
            self.fields["owner"].initial = user.pk
            # A new session cannot be delivered yet: staff trained is recorded on delivery.
            del self.fields["staff_trained"]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if self.instance.pk and status and not self.instance.can_move_to(status):
            self.add_error(
                "status",
                f"A session that is {self.instance.get_status_display().lower()} cannot become "
                f"{TrainingSession.Status(status).label.lower()}.",
            )
        when = cleaned.get("scheduled_for")
        if status in ("scheduled", "delivered", "no_show") and not when:
            self.add_error("scheduled_for", "Give the date and time of the session.")
        if status == "scheduled" and when and when < timezone.now() and not self.instance.pk:
            self.add_error("scheduled_for", "A newly scheduled session cannot be in the past.")
        if status == "delivered":
            if not cleaned.get("staff_trained"):
                self.add_error("staff_trained", "Say how many staff were trained (at least 1).")
            if when and when > timezone.now():
                self.add_error("scheduled_for", "A delivered session cannot be in the future.")
        staff = cleaned.get("staff_trained")
        if staff is not None and staff < 1:
            self.add_error("staff_trained", "Staff trained must be at least 1.")
        return cleaned


class DeliveryForm(VersionedFormMixin, forms.ModelForm):
    """Record that a scheduled session happened."""

    materials = forms.MultipleChoiceField(
        choices=TrainingSession.Material.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Materials given",
    )

    class Meta:
        model = TrainingSession
        fields = ["scheduled_for", "staff_trained", "trainer", "materials", "notes"]
        widgets = {"scheduled_for": DATETIME_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"scheduled_for": "Delivered at"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_trained"].required = True
        self.fields["scheduled_for"].required = True

    def clean_staff_trained(self):
        staff = self.cleaned_data["staff_trained"]
        if staff is None or staff < 1:
            raise forms.ValidationError("Say how many staff were trained (at least 1).")
        return staff

    def clean_scheduled_for(self):
        when = self.cleaned_data["scheduled_for"]
        if when > timezone.now():
            raise forms.ValidationError("Delivery cannot be recorded for a time in the future.")
        return when


class AssignForm(forms.Form):
    kind = forms.ChoiceField(choices=QueueAssignment.Kind.choices, widget=forms.HiddenInput)
    subject_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), empty_label="Nobody")
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = sergeants_of(user)
        self.fields["owner"].required = False


class NoticeForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Notice
        fields = [
            "premises",
            "issued_by",
            "served_on_role",
            "served_on_business",
            "start_date",
            "expiry_date",
            "grounds",
            "status",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "expiry_date": DATE_WIDGET,
            "grounds": forms.Textarea(attrs={"rows": 4}),
            "served_on_role": forms.RadioSelect,
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # All of the force's premises are offered, so choosing a pub is refused with a reason.
        self.fields["premises"].queryset = (
            Premises.objects.visible_to(user).select_related("town").order_by("name")
        )
        self.fields["premises"].label_from_instance = lambda p: (
            f"{p.name} ({p.get_sector_display()}, {p.town.name})"
        )
        self.fields["issued_by"].queryset = User.objects.visible_to(user).filter(is_active=True)
        # Only officers who may sign a notice are offered; any other choice is refused by
        # clean_issued_by with the reason.
        issuers = [
            u
            for u in self.fields["issued_by"].queryset
            if u.is_inspector_or_above or u.pk == self.instance.issued_by_id
        ]
        self.fields["issued_by"].widget.choices = [("", "Choose the issuing officer")] + [
            (u.pk, str(u)) for u in issuers
        ]
        if not self.instance.pk:
            self.fields["status"].choices = [("active", "Active")]

    def clean_premises(self):
        premises = self.cleaned_data["premises"]
        if not premises.can_receive_s116_notice:
            raise forms.ValidationError(
                "s.116 notices apply only to hotels, B&Bs and guest houses; these premises are "
                f"{premises.get_sector_display().lower()}."
            )
        return premises

    def clean_issued_by(self):
        officer = self.cleaned_data["issued_by"]
        if not officer.is_inspector_or_above:
            raise forms.ValidationError(
                f"An s.116 notice is issued by an inspector or above; {officer} is a "
                f"{officer.get_rank_display().lower()}."
            )
        return officer

    def clean(self):
        cleaned = super().clean()
        start, expiry = cleaned.get("start_date"), cleaned.get("expiry_date")
        if start and expiry:
            if expiry <= start:
                self.add_error("expiry_date", "The expiry date must be after the start date.")
            elif expiry > add_months(start, Notice.MAX_MONTHS):
                latest = add_months(start, Notice.MAX_MONTHS)
                self.add_error(
                    "expiry_date",
                    f"A notice lasts at most 6 months: expire it on or before {latest:%d %b %Y}.",
                )
        return cleaned


class GuestInfoRequestForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = GuestInfoRequest
        fields = ["made_on", "period_start", "period_end", "due_on", "complied"]
        widgets = {
            "made_on": DATE_WIDGET,
            "period_start": DATE_WIDGET,
            "period_end": DATE_WIDGET,
            "due_on": DATE_WIDGET,
            "complied": forms.RadioSelect,
        }

    def __init__(self, *args, notice: Notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = notice

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        made, due = cleaned.get("made_on"), cleaned.get("due_on")
        life = f"{self.notice.start_date:%d %b %Y} to {self.notice.expiry_date:%d %b %Y}"
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after its start.")
        if start and start < self.notice.start_date:
            self.add_error(
                "period_start", f"The period must fall within the notice's life ({life})."
            )
        if end and end > self.notice.expiry_date:
            self.add_error("period_end", f"The period must fall within the notice's life ({life}).")
        if made and due and due < made:
            self.add_error("due_on", "The date due cannot be before the date the request was made.")
        if made and (made < self.notice.start_date or made > self.notice.expiry_date):
            self.add_error(
                "made_on", f"A request can only be made while the notice is in force ({life})."
            )
        return cleaned


# --- The night-of-action planner -------------------------------------------------------------


class PlannerForm(forms.Form):
    """What the planner ranks: towns, sectors, the night, the reasons shown and how recently
    tested premises are left out. Every field may be left empty."""

    towns = forms.ModelMultipleChoiceField(
        queryset=Town.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    sectors = forms.MultipleChoiceField(
        choices=Premises.Sector.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    date = forms.DateField(
        label="Night of the operation",
        required=False,
        widget=DATE_WIDGET,
        help_text="Typed as 18/09/2021. Re-tests due before it show as overdue.",
    )
    reasons = forms.TypedMultipleChoiceField(
        label="Reasons",
        choices=Reason.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    exclude_days = forms.IntegerField(
        label="Leave out premises tested in the last",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Days; empty leaves none out.",
    )

    def __init__(self, data, *, user: User):
        super().__init__(data)
        self.fields["towns"].queryset = Town.objects.visible_to(user).order_by("name")

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        if day and day.year > 2999:
            raise forms.ValidationError("Choose a date before 3000.")
        return day


class PlanPickForm(forms.Form):
    """The premises ticked on the planner, and what to do with them: plan a new operation, or
    add them to a planned one at the version the planner showed (`<id>:<version>`)."""

    CREATE, ADD = "create", "add"

    premises = forms.ModelMultipleChoiceField(
        queryset=Premises.objects.none(),
        error_messages={"required": "Tick at least one premises."},
    )
    action = forms.ChoiceField(choices=[(CREATE, "Create"), (ADD, "Add")])
    operation = forms.CharField(required=False, max_length=40)

    def __init__(self, data, *, user: User):
        super().__init__(data)
        self.user = user
        self.fields["premises"].queryset = Premises.objects.visible_to(user).active()

    def clean_operation(self):
        """The chosen operation, with the version the planner showed, as (operation, version)."""
        value = self.cleaned_data["operation"]
        if not value:
            return None
        pk, _, version = value.partition(":")
        pk, version = record_id(pk), record_id(version)
        operation = (
            Operation.objects.visible_to(self.user).filter(pk=pk).first()
            if pk and version
            else None
        )
        if operation is None:
            raise forms.ValidationError("Choose one of your force's planned operations.")
        return operation, version

    def clean(self):
        cleaned = super().clean()
        chose = cleaned.get("operation") or "operation" in self.errors
        if cleaned.get("action") == self.ADD and not chose:
            self.add_error("operation", "Choose the planned operation to add them to.")
        return cleaned
