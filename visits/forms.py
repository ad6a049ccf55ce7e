"""Forms for logging visits and managing operations, cadets and scenario scripts."""

import re
from datetime import timedelta
from operator import itemgetter

from django import forms
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from common.choices import rows_together, set_options
from common.concurrency import VersionedFormMixin
from common.csvutil import ImportUploadForm
from premises.models import Premises, Town

from .models import (
    Campaign,
    Indicator,
    NationalScenario,
    Operation,
    OperationMember,
    Participant,
    Scenario,
    StaffRole,
    Visit,
)

CHECKBOXES = forms.CheckboxSelectMultiple


class VisitForm(VersionedFormMixin, forms.ModelForm):
    visited_at = forms.DateTimeField(
        label="Visited at",
        help_text="For example 18/09/2021 20:15.",
        widget=forms.DateTimeInput(format="%d/%m/%Y %H:%M", attrs={"autocomplete": "off"}),
    )
    participants = forms.ModelMultipleChoiceField(
        queryset=Participant.objects.none(),
        widget=CHECKBOXES,
        required=False,
        label="Cadet(s)",
        help_text="Only active cadets with parental permission recorded are listed.",
    )
    indicators = forms.MultipleChoiceField(
        choices=Indicator.choices, widget=CHECKBOXES, required=False, label="Indicators presented"
    )
    staff_roles = forms.MultipleChoiceField(
        choices=StaffRole.choices,
        widget=CHECKBOXES,
        required=False,
        label="Staff who dealt with it",
    )
    debrief_attendees = forms.MultipleChoiceField(
        choices=StaffRole.choices, widget=CHECKBOXES, required=False, label="Debrief attended by"
    )
    material_left = forms.MultipleChoiceField(
        choices=Visit.Material.choices,
        widget=CHECKBOXES,
        required=False,
        label="Campaign material left",
    )

    class Meta:
        model = Visit
        fields = [
            "premises",
            "operation",
            "visited_at",
            "participants",
            "scenario",
            "indicators",
            "stage_reached",
            "outcome",
            "police_contact",
            "reason",
            "staff_roles",
            "debrief_held",
            "debrief_attendees",
            "debrief_notes",
            "material_left",
            "training_offered",
            "training_accepted",
            "welfare_debrief_done",
            "retest_of",
            "risk_assessment_ref",
        ]
        widgets = {
            "premises": forms.HiddenInput,
            "stage_reached": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "police_contact": forms.RadioSelect,
            "debrief_notes": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.TextInput,
        }
        labels = {"stage_reached": "Stage reached", "retest_of": "Re-test of"}
        # One line, so that the form still fits a laptop screen: docs/domain.md says the rest.
        help_texts = {"risk_assessment_ref": "Only outside an operation."}

    def __init__(self, *args, user: User, premises: Premises, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.premises = premises
        force = user.force
        self.fields["premises"].queryset = Premises.objects.filter(force=force, pk=premises.pk)
        self.fields["premises"].initial = premises.pk
        operations = Operation.objects.visible_to(user).open()
        if self.instance.operation_id:
            operations = operations | Operation.objects.filter(pk=self.instance.operation_id)
        self.fields["operation"].queryset = operations.order_by("-date", "name")
        self.fields["operation"].empty_label = "None: not part of an operation"
        participants = Participant.objects.visible_to(user).can_take_part()
        if self.instance.pk:
            # Keep cadets already on the visit listed even if they have since left.
            participants = participants | Participant.objects.filter(visits=self.instance)
        self.fields["participants"].queryset = participants.distinct().order_by("code")
        scenarios = Scenario.objects.visible_to(user).filter(is_current=True)
        if self.instance.scenario_id:
            scenarios = scenarios | Scenario.objects.filter(pk=self.instance.scenario_id)
        self.fields["scenario"].queryset = scenarios.order_by("name")
        self.fields["scenario"].empty_label = "Choose the scenario script"
        earlier = Visit.objects.filter(force=force, premises=premises).select_related("premises")
        if self.instance.pk:
            earlier = earlier.exclude(pk=self.instance.pk)
        # A sliced queryset cannot be filtered, so a choice could never be validated against it.
        latest = earlier.order_by("-visited_at").values("pk")[:50]
        self.fields["retest_of"].queryset = earlier.filter(pk__in=latest).order_by("-visited_at")
        self.fields["retest_of"].label_from_instance = lambda v: (
            f"{timezone.localtime(v.visited_at):%d %b %Y} – {v.get_outcome_display()}"
        )
        self.fields["retest_of"].empty_label = "Not a re-test"
        # "Not recorded" is only for imported records: offered only to keep one as it is.
        contacts = list(Visit.PoliceContact.choices)
        if self.instance.police_contact != Visit.PoliceContact.NOT_RECORDED:
            contacts = [c for c in contacts if c[0] != Visit.PoliceContact.NOT_RECORDED]
        self.fields["police_contact"].choices = contacts
        self.fields["outcome"].choices = list(Visit.Outcome.choices)
        self.fields["stage_reached"].choices = list(Visit.Stage.choices)
        if not self.instance.pk and not self.is_bound:
            self.fields["visited_at"].initial = timezone.localtime().replace(
                second=0, microsecond=0
            )

    def load_options(self):
        """The operation, cadet, scenario and re-test options in one query (common/choices.py),
        for drawing the form; choices are still validated against the querysets above."""
        outcomes = dict(Visit.Outcome.choices)

        def earlier_visit(row):
            when = timezone.localtime(parse_datetime(row["visited_at"]))
            return f"{when:%d %b %Y} – {outcomes.get(row['outcome'], row['outcome'])}"

        labels = {
            "operation": (["name"], itemgetter("name")),
            "participants": (["code"], itemgetter("code")),
            "scenario": (["name", "version"], lambda row: f"{row['name']} (v{row['version']})"),
            "retest_of": (["visited_at", "outcome"], earlier_visit),
        }
        rows = rows_together(
            User.objects.filter(pk=self.user.pk),
            {
                name: (self.fields[name].queryset, ["pk", *columns])
                for name, (columns, _) in labels.items()
            },
        )
        for name, (_, label) in labels.items():
            set_options(self.fields[name], [(row["pk"], label(row)) for row in rows[name]])

    def outcome_options(self) -> list[dict]:
        """The outcome radios, best to worst, each with the docs/domain.md wording as its help."""
        current = str(self["outcome"].value() or "")
        return [
            {
                "id": f"id_outcome_{index}",
                "value": value,
                "label": label,
                "help": Visit.OUTCOME_HELP[value],
                "checked": value == current,
                "result": Visit.result_for(value),
            }
            for index, (value, label) in enumerate(Visit.Outcome.choices)
        ]

    def clean_visited_at(self):
        when = self.cleaned_data["visited_at"]
        if when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("The visit cannot be in the future.")
        return when

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        operation = cleaned.get("operation")
        checked = self.instance.checks_apply
        if operation is not None and not operation.has_risk_assessment:
            self.add_error(
                "operation",
                "This operation has no risk assessment reference yet: add it to the "
                "operation before logging visits against it.",
            )
        elif operation is not None and operation.is_planned and operation.start_problems():
            # Logging the first visit starts the operation, so the night must be ready.
            self.add_error(
                "operation",
                "This operation cannot start yet: "
                + " ".join(operation.start_problems())
                + " See the operation's page.",
            )
        elif operation is not None:
            cleaned["risk_assessment_ref"] = operation.risk_assessment_ref
        elif checked and not (cleaned.get("risk_assessment_ref") or "").strip():
            self.add_error(
                "risk_assessment_ref",
                "A visit outside an operation needs its own risk assessment: give its reference.",
            )
        participants = cleaned.get("participants")
        if "participants" in cleaned and not participants and not self.instance.imported:
            self.add_error(
                "participants",
                "Choose the cadet who took part. A cadet needs parental permission recorded first.",
            )
        when = cleaned.get("visited_at")
        if participants and when is not None and checked:
            day = timezone.localdate(when)
            for cadet in participants:
                granted = cadet.permission_recorded_on
                if granted is None or granted > day:
                    self.add_error(
                        "participants",
                        f"{cadet.code} had no parental permission recorded on {day:%d %b %Y}"
                        + (f" (it was recorded on {granted:%d %b %Y})." if granted else "."),
                    )
        notes = (cleaned.get("debrief_notes") or "").strip()
        if cleaned.get("debrief_held") and not notes and not self.instance.imported:
            self.add_error("debrief_notes", "Write what was said at the debrief.")
        needs_reason = outcome in (Visit.Outcome.REFUSED_OTHER, Visit.Outcome.VOID)
        if needs_reason and not (cleaned.get("reason") or "").strip():
            self.add_error(
                "reason", "Say why: the reason given for refusing, or why the visit was void."
            )
        if outcome == Visit.Outcome.REPORTED_TO_POLICE and cleaned.get("police_contact") in (
            None,
            "",
            Visit.PoliceContact.NONE,
        ):
            self.add_error("police_contact", "Say how staff contacted the police.")
        if cleaned.get("training_accepted") and not cleaned.get("training_offered"):
            self.add_error("training_accepted", "Training can only be accepted if it was offered.")
        earlier = cleaned.get("retest_of")
        if earlier is not None:
            if earlier.premises_id != self.premises.pk:
                self.add_error("retest_of", "A re-test must follow a visit to the same premises.")
            elif when is not None and earlier.visited_at >= when:
                self.add_error("retest_of", "A re-test must come after the visit it re-tests.")
        return cleaned


class VisitStartForm(forms.Form):
    """What a link to log a visit may fill in: the operation it is part of and the earlier visit
    to these premises it re-tests. A value that is neither is ignored (the field is left out)."""

    operation = forms.ModelChoiceField(queryset=Operation.objects.none(), required=False)
    retest_of = forms.ModelChoiceField(queryset=Visit.objects.none(), required=False)

    def __init__(self, data, *, user: User, premises: Premises):
        super().__init__(data)
        self.fields["operation"].queryset = Operation.objects.visible_to(user).select_related(
            "scenario"
        )
        self.fields["retest_of"].queryset = Visit.objects.visible_to(user).filter(premises=premises)

    def chosen(self) -> dict:
        """{field: the record chosen, or None}."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


class PremisesSearchForm(forms.Form):
    q = forms.CharField(
        label="Premises",
        required=False,
        max_length=100,
        help_text="Type part of the name, reference, postcode or operator.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class OperationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Operation
        fields = [
            "name",
            "date",
            "end_date",
            "towns",
            "lead_officer",
            "scenario",
            "campaign",
            "risk_assessment_ref",
            "meeting_point",
            "briefing_notes",
            "premises",
        ]
        widgets = {
            "date": forms.DateInput(format="%d/%m/%Y"),
            "end_date": forms.DateInput(format="%d/%m/%Y"),
            "towns": CHECKBOXES,
            "premises": forms.SelectMultiple(attrs={"size": 12}),
            "briefing_notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"premises": "Premises to visit"}
        help_texts = {
            "premises": "Hold Ctrl (or Cmd) to choose several.",
            "risk_assessment_ref": "A sergeant records its approval on the operation's page; "
            "a new reference needs a new approval.",
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["towns"].queryset = Town.objects.visible_to(user)
        self.fields["lead_officer"].queryset = User.objects.visible_to(user).filter(is_active=True)
        self.fields["scenario"].queryset = Scenario.objects.visible_to(user).filter(is_current=True)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user)
        self.fields["premises"].queryset = (
            Premises.objects.visible_to(user)
            .active()
            .select_related("town")
            .order_by("town__name", "name")
        )
        self.fields["premises"].label_from_instance = lambda p: (
            f"{p.town.name}: {p.name} ({p.reference})"
        )
        if not self.instance.pk:
            self.fields["lead_officer"].initial = user.pk

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = Operation.objects.visible_to(self.user).filter(name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Your force already has an operation with this name.")
        return name

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        approved_on = self.instance.risk_assessment_approved_on
        reference_kept = cleaned.get("risk_assessment_ref") == self.instance.risk_assessment_ref
        if start and approved_on and reference_kept and start < approved_on:
            self.add_error(
                "date",
                f"The risk assessment was approved on {approved_on:%d %b %Y}: the operation "
                "cannot be before its approval.",
            )
        return cleaned


class ParticipantForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["code", "age_band", "permission_recorded_on", "active"]
        widgets = {
            "age_band": forms.RadioSelect,
            "permission_recorded_on": forms.DateInput(format="%d/%m/%Y"),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not re.fullmatch(r"[A-Z]{1,3}-?[0-9]{1,5}", code):
            raise forms.ValidationError(
                "Use a pseudonymous code such as C-014: letters, a hyphen and digits. Never a name."
            )
        taken = Participant.objects.visible_to(self.user).filter(code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Another cadet of your force has this code.")
        return code

    def clean_permission_recorded_on(self):
        day = self.cleaned_data["permission_recorded_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The permission date cannot be in the future.")
        return day


class ScenarioForm(VersionedFormMixin, forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        choices=Premises.Sector.choices, widget=CHECKBOXES, label="Sectors it suits"
    )
    indicators = forms.MultipleChoiceField(
        choices=Indicator.choices, widget=CHECKBOXES, required=False, label="Indicators it presents"
    )

    class Meta:
        model = Scenario
        fields = ["name", "sectors", "script", "indicators"]
        widgets = {"script": forms.Textarea(attrs={"rows": 8})}

    version_field = "revision"

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = Scenario.objects.visible_to(self.user).filter(name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(name=self.instance.name)
        if taken.exists():
            raise forms.ValidationError("Your force already has a scenario with this name.")
        return name


class NationalScenarioForm(forms.ModelForm):
    """A script for the national library: a new one, or (with `revises`) its next version,
    which keeps the name."""

    sectors = forms.MultipleChoiceField(
        choices=Premises.Sector.choices, widget=CHECKBOXES, label="Sectors it suits"
    )
    indicators = forms.MultipleChoiceField(
        choices=Indicator.choices, widget=CHECKBOXES, required=False, label="Indicators it presents"
    )

    class Meta:
        model = NationalScenario
        fields = ["name", "sectors", "script", "indicators", "notes"]
        widgets = {"script": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, revises: NationalScenario | None = None, **kwargs):
        if revises is not None:
            kwargs.setdefault(
                "initial",
                {
                    "sectors": revises.sectors,
                    "script": revises.script,
                    "indicators": revises.indicators,
                },
            )
        super().__init__(*args, **kwargs)
        self.revises = revises
        if revises is not None:
            del self.fields["name"]
        else:
            del self.fields["notes"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if NationalScenario.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                "The library already has a script with this name: publish a revision of it."
            )
        return name

    def clean_script(self):
        script = self.cleaned_data["script"].strip()
        if not script:
            raise forms.ValidationError("Write the script.")
        return script


class VisitImportForm(ImportUploadForm):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text=(
            "A header row naming the columns above (and optionally retest), then one row per "
            "visit. A CSV file in UTF-8 or an Excel workbook (.xlsx, its first sheet); "
            "at most 5 MB."
        ),
    )


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return str(user)


class OperationTeamForm(VersionedFormMixin, forms.ModelForm):
    """The team on the night: the lead, cover officers, cadet handlers and the cadets (codes)."""

    covers = UserChoiceField(
        queryset=User.objects.none(),
        widget=CHECKBOXES,
        required=False,
        label="Cover officers",
        help_text="At least one for each cadet: they watch over the cadet at every premises.",
    )
    handlers = UserChoiceField(
        queryset=User.objects.none(),
        widget=CHECKBOXES,
        required=False,
        label="Cadet handlers",
    )
    cadets = forms.ModelMultipleChoiceField(
        queryset=Participant.objects.none(),
        widget=CHECKBOXES,
        required=False,
        label="Cadets (codes only)",
        help_text="Only active cadets whose parental permission was recorded on or before the "
        "operation's date are listed.",
    )

    class Meta:
        model = Operation
        fields = ["lead_officer", "covers", "handlers", "cadets"]
        labels = {"lead_officer": "Lead officer"}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        people = (
            User.objects.visible_to(user)
            .filter(is_active=True)
            .order_by("last_name", "first_name", "username")
        )
        self.fields["lead_officer"].queryset = people
        self.fields["covers"].queryset = people
        self.fields["handlers"].queryset = people
        operation = self.instance
        # Cadets already booked stay listed, so a booking that no longer holds can be seen and
        # taken off.
        cadets = Participant.objects.visible_to(user).filter(
            Q(active=True, permission_recorded_on__lte=operation.date) | Q(operations=operation)
        )
        self.fields["cadets"].queryset = cadets.distinct().order_by("code")
        if not self.is_bound:
            members = list(operation.members.all())
            self.initial["covers"] = [
                m.user_id for m in members if m.role == OperationMember.Role.COVER
            ]
            self.initial["handlers"] = [
                m.user_id for m in members if m.role == OperationMember.Role.HANDLER
            ]

    def clean_cadets(self):
        cadets = self.cleaned_data["cadets"]
        night = self.instance.date
        for cadet in cadets:
            granted = cadet.permission_recorded_on
            if granted is None or granted > night:
                raise forms.ValidationError(
                    f"{cadet.code} has no parental permission in force on {night:%d %b %Y}: "
                    "record it on the cadet first, or take them off."
                )
            if not cadet.active:
                raise forms.ValidationError(f"{cadet.code} is no longer active: take them off.")
        return cadets

    def clean(self):
        cleaned = super().clean()
        covers = set(cleaned.get("covers") or [])
        handlers = set(cleaned.get("handlers") or [])
        both = covers & handlers
        if both:
            names = ", ".join(sorted(str(u) for u in both))
            self.add_error("handlers", f"One role each on the night: {names} is also a cover.")
        cadets = cleaned.get("cadets")
        running = self.instance.status == Operation.Status.IN_PROGRESS
        if running and cadets is not None and len(covers) < len(cadets):
            self.add_error(
                "covers",
                f"The night is under way: each cadet needs a cover officer of their own "
                f"({len(cadets)} cadet{pluralize(len(cadets))}, {len(covers)} cover "
                f"officer{pluralize(len(covers))}). Book another cover officer, or take a "
                "cadet off.",
            )
        return cleaned


class RiskAssessmentApprovalForm(VersionedFormMixin, forms.ModelForm):
    """A sergeant records that the operation's risk assessment is approved."""

    class Meta:
        model = Operation
        fields = ["risk_assessment_ref", "risk_assessment_approved_on"]
        widgets = {"risk_assessment_approved_on": forms.DateInput(format="%d/%m/%Y")}
        labels = {"risk_assessment_approved_on": "Approved on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_assessment_ref"].required = True
        self.fields["risk_assessment_ref"].help_text = "As written on the signed assessment."
        self.fields["risk_assessment_approved_on"].required = True
        if not self.instance.risk_assessment_approved_on:
            self.initial["risk_assessment_approved_on"] = min(
                timezone.localdate(), self.instance.date
            )

    def clean_risk_assessment_ref(self):
        reference = " ".join(self.cleaned_data["risk_assessment_ref"].split())
        if not reference:
            raise forms.ValidationError("Give the risk assessment's reference.")
        return reference

    def clean_risk_assessment_approved_on(self):
        day = self.cleaned_data["risk_assessment_approved_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The approval date cannot be in the future.")
        if day > self.instance.date:
            raise forms.ValidationError(
                f"The assessment must be approved on or before the operation's date "
                f"({self.instance.date:%d %b %Y})."
            )
        return day


class VisitingOrderForm(VersionedFormMixin, forms.Form):
    """A number for each premises on the checklist: the order the team visits them in."""

    def __init__(self, *args, operation: Operation, links: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = operation
        self.fields["expected_version"].initial = operation.version
        self.fields["expected_version"].required = True
        self.links = links
        for number, link in enumerate(links, start=1):
            self.fields[f"position_{link.pk}"] = forms.IntegerField(
                min_value=1,
                max_value=999,
                initial=number,
                label=f"Place of {link.premises.name}",
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm order"}),
            )

    def positions(self) -> dict[int, int]:
        return {link.pk: self.cleaned_data[f"position_{link.pk}"] for link in self.links}

    def rows(self):
        """(link, its number field) for each row of the checklist."""
        return [(link, self[f"position_{link.pk}"]) for link in self.links]


class CampaignForm(VersionedFormMixin, forms.ModelForm):
    """A national campaign, as the national coordinator sets it."""

    class Meta:
        model = Campaign
        fields = ["name", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
            "ends_on": forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"description": "What forces are asked to test, and how."}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = Campaign.objects.filter(name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("There is already a campaign with this name.")
        return name

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The end date cannot be before the start date.")
        return cleaned
