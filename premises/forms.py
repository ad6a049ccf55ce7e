"""Forms for the premises register."""

from django import forms

from common.concurrency import VersionedFormMixin
from common.csvutil import ImportUploadForm

from .models import Operator, Premises, Town, normalise_operator_name
from .validators import normalise_postcode


class PremisesForm(VersionedFormMixin, forms.ModelForm):
    # A name, not a select: typed as a sergeant knows it, it joins the force's operator of
    # that name ignoring case and spacing (premises_save resolves it), or adds a new one. The
    # names already in use are offered as the user types (a datalist), JavaScript or not.
    operator = forms.CharField(
        label="Operator or chain",
        max_length=Operator._meta.get_field("name").max_length,
        required=False,
        help_text="The company or brand, if any. Capitals and spaces do not count; a new name "
        "adds an operator.",
        widget=forms.TextInput(attrs={"list": "operator-names", "autocomplete": "off"}),
    )

    class Meta:
        model = Premises
        fields = [
            "name",
            "sector",
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
            if self.instance.operator_id:
                self.fields["operator"].initial = self.instance.operator.name

    def operator_names(self) -> list[str]:
        """The force's operator names, for the operator field's suggestions."""
        return list(Operator.objects.filter(force=self.force).values_list("name", flat=True))

    def conflict_value(self, current, name):
        if name == "operator":
            return current.operator.name if current.operator_id else ""
        return super().conflict_value(current, name)

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
        return normalise_operator_name(self.cleaned_data["operator"])


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


class OperatorSearchForm(forms.Form):
    q = forms.CharField(
        label="Name contains",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class OperatorForm(VersionedFormMixin, forms.ModelForm):
    """An operator's name, corrected: unique in the force ignoring case and spacing, like every
    operator name."""

    class Meta:
        model = Operator
        fields = ["name"]
        labels = {"name": "Name"}
        help_texts = {
            "name": "As the company or brand writes it. Its premises keep it: each shows the new "
            "name from now on."
        }

    def clean_name(self):
        name = normalise_operator_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Enter the operator's name.")
        taken = (
            Operator.objects.filter(force_id=self.instance.force_id)
            .named(name)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if taken:
            raise forms.ValidationError(
                f"Your force already has the operator {taken.name}: if they are the same, merge "
                "this one into it instead."
            )
        return name


class OperatorMergeForm(forms.Form):
    """The operator a duplicate merges into, and the versions of both the user saw."""

    into = forms.ModelChoiceField(
        label="Keep this operator",
        queryset=Operator.objects.none(),
        empty_label="Choose the operator to keep",
        help_text="Every premises of the duplicate moves to it, and the duplicate is deleted.",
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    into_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, duplicate: Operator, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicate = duplicate
        self.fields["into"].queryset = Operator.objects.filter(force_id=duplicate.force_id).exclude(
            pk=duplicate.pk
        )
        self.fields["version"].initial = duplicate.version
