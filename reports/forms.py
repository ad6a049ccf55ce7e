"""The filters every report shares: period (dates or a preset), sector, town and operation."""

from django import forms
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator

from accounts.models import User
from common.choices import rows_together
from common.filtering import record_id, validate_filter_date
from premises.models import Premises, Town
from visits.models import Campaign, Operation

from .reports import Filters, preset_dates

# The newest operations offered in the select; older ones can still be typed in a link or CSV.
OPERATION_OPTIONS = 300
DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"autocomplete": "off", "placeholder": "dd/mm/yyyy"}
)


class _CampaignChoices(BaseChoiceIterator):
    """The campaign options, read (one query) only when the select is drawn."""

    def __iter__(self):
        yield ("", "All visits")
        yield from Campaign.objects.values_list("pk", "name")


class PeriodFilterForm(forms.Form):
    """Period and sector: the filters of the national pages, and the first of every report's."""

    PRESETS = [
        ("last_12_months", "Last 12 months"),
        ("last_3_months", "Last 3 months"),
        ("this_year", "This year"),
        ("last_year", "Last year"),
        ("all", "All time"),
        ("custom", "Dates below"),
    ]
    preset = forms.ChoiceField(choices=PRESETS, required=False, label="Period")
    date_from = forms.DateField(
        required=False, label="From", widget=DATE_WIDGET, validators=[validate_filter_date]
    )
    date_to = forms.DateField(
        required=False, label="To", widget=DATE_WIDGET, validators=[validate_filter_date]
    )
    sector = forms.ChoiceField(required=False, label="Sector")
    # A national campaign's id (drawn as a select): the visits of the operations linked to it.
    campaign = forms.CharField(required=False, label="Campaign")

    def __init__(self, data=None, **kwargs):
        has_dates = data is not None and (data.get("date_from") or data.get("date_to"))
        # Typed dates win over a preset (see `filters`), so the period shown says so.
        if has_dates and data.get("preset") != "custom":
            data = data.copy()
            data["preset"] = "custom"
        super().__init__(data, **kwargs)
        self.fields["sector"].choices = [("", "All sectors")] + list(Premises.Sector.choices)
        self.set_campaign_options(None)

    def set_campaign_options(self, rows: list[dict] | None) -> None:
        """The campaigns offered, newest first: `rows` read with other options, or (None) read
        when the form is drawn."""
        if rows is None:
            choices = _CampaignChoices()
        else:
            choices = [("", "All visits")] + [(row["pk"], row["name"]) for row in rows]
        self.fields["campaign"].widget = forms.Select(choices=choices)

    def clean_campaign(self):
        """A campaign id; an unknown one is an error."""
        value = self.cleaned_data["campaign"].strip()
        if not value:
            return None
        campaign = Campaign.objects.filter(pk=record_id(value)).first()
        if campaign is None:
            raise forms.ValidationError("There is no campaign with this id.")
        return campaign

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period cannot be before its start.")
        return cleaned

    def filters(self) -> Filters:
        """The filters to report on; invalid input falls back to the default period."""
        today = timezone.localdate()
        if not self.is_bound or not self.is_valid():
            start, end = preset_dates("last_12_months", today)
            return Filters(start, end)
        data = self.cleaned_data
        preset = data.get("preset") or ""
        if data.get("date_from") or data.get("date_to") or preset == "custom":
            start, end = data.get("date_from"), data.get("date_to")
        else:
            start, end = preset_dates(preset, today)
        return Filters(
            start,
            end,
            data.get("sector") or "",
            data.get("town"),
            data.get("operation"),
            data.get("campaign"),
        )


class ReportFilterForm(PeriodFilterForm):
    """A force's reports: period and sector, and one of the force's towns or operations."""

    town = forms.CharField(required=False, label="Town")
    operation = forms.CharField(required=False, label="Operation")

    def __init__(self, data=None, *, user: User, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        # The force's towns and newest operations, in one query (common/choices.py). Town and
        # operation are typed fields (an id or a name) drawn as selects of these.
        options = rows_together(
            User.objects.filter(pk=user.pk),
            {
                "town": (Town.objects.visible_to(user), ["pk", "name"]),
                "operation": (
                    Operation.objects.visible_to(user)[:OPERATION_OPTIONS],
                    ["pk", "name"],
                ),
                "campaign": (Campaign.objects.visible_to(user), ["pk", "name"]),
            },
        )
        self.set_campaign_options(options["campaign"])
        self.fields["town"].widget = forms.Select(
            choices=[("", "All towns")] + [(r["pk"], r["name"]) for r in options["town"]]
        )
        self.fields["operation"].widget = forms.Select(
            choices=[("", "All operations")] + [(r["pk"], r["name"]) for r in options["operation"]]
        )

    def clean_town(self):
        """A town id, or its name (CSV users may type it); unknown is an error."""
        value = self.cleaned_data["town"].strip()
        if not value:
            return None
        town = (
            Town.objects.visible_to(self.user).filter(pk=record_id(value)).first()
            or Town.objects.visible_to(self.user).filter(name__iexact=value).first()
        )
        if town is None:
            raise forms.ValidationError("No town of your force has this id or name.")
        return town

    def clean_operation(self):
        value = self.cleaned_data["operation"].strip()
        if not value:
            return None
        operation = (
            Operation.objects.visible_to(self.user).filter(pk=record_id(value)).first()
            or Operation.objects.visible_to(self.user).filter(name__iexact=value).first()
        )
        if operation is None:
            raise forms.ValidationError("No operation of your force has this id or name.")
        return operation
