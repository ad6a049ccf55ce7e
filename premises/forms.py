"""Forms for the premises register."""

from django import forms

from common.concurrency import VersionedFormMixin
from common.csvutil import ImportUploadForm

from .models import Premises, Town
from .validators import normalise_postcode


class PremisesForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Premises
        fields = [
            "name",
            "sector",
            "operator",
            "address",
            "town",
            "postcode",
            "reference",
            "uprn",
            "licence_reference",
            "phone",
            "email",
            "contact_role",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "postcode": forms.TextInput(attrs={"autocomplete": "off", "class": "text-uppercase"}),
        }

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.force = force
        self.fields["town"].queryset = Town.objects.filter(force=force)
        self.fields["town"].empty_label = "Choose a town"
        self.fields["sector"].choices = [("", "Choose a sector")] + list(Premises.Sector.choices)
        if self.instance.pk:
            self.fields["reference"].help_text = "Changing a reference breaks links in exports."

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        # A blank reference is generated on save (premises_save), after validation: without this
        # the premises_reference_format constraint refuses every blank reference.
        if not self.cleaned_data.get("reference"):
            exclude.add("reference")
        return exclude

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        if reference:
            if (
                not all(ch.isalnum() or ch in "-/" for ch in reference)
                or not reference[0].isalnum()
            ):
                raise forms.ValidationError(
                    "Use capital letters, digits, hyphens and slashes only, for example SUF-H-0001."
                )
            taken = Premises.objects.filter(force=self.force, reference=reference)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError("Another premises of your force has this reference.")
        return reference

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_operator(self):
        return " ".join(self.cleaned_data["operator"].split())


class PremisesActiveForm(forms.Form):
    """The state a (de)activation asks for, and the version of the premises it was asked on."""

    active = forms.TypedChoiceField(
        choices=[("0", "Inactive"), ("1", "Active")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class TownForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Town
        fields = ["name"]

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.force = force

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = Town.objects.filter(force=self.force, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Your force already has a town with this name.")
        return name


class PremisesImportForm(ImportUploadForm):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text=(
            "A header row naming the columns above, then one row per premises. A CSV file in "
            "UTF-8 (Excel's CSV UTF-8 included) or an Excel workbook (.xlsx, its first sheet); "
            "at most 5 MB."
        ),
    )
