"""Forms for the disclosure prompt and the audit viewer's filters."""

from django import forms

from accounts.models import User

from .models import AccessLog


class DisclosureForm(forms.Form):
    recipient = forms.CharField(
        max_length=200,
        help_text="Who receives it: a person, team or organisation, e.g. Ipswich licensing team.",
    )
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why it is being disclosed, e.g. licensing review of repeat failures.",
    )
    next = forms.CharField(widget=forms.HiddenInput)
    key = forms.CharField(widget=forms.HiddenInput, max_length=300)

    def clean_recipient(self):
        return " ".join(self.cleaned_data["recipient"].split())

    def clean_reason(self):
        return " ".join(self.cleaned_data["reason"].split())


class AuditFilterForm(forms.Form):
    # "combine" reads the combination log (audit.CombinationLog): national figures computed
    # with the force's counts.
    ACTIONS = (
        [("", "All page views")]
        + list(AccessLog.Action.choices)
        + [
            ("disclosure", "Disclosures (exports, prints, letters)"),
            ("erasure", "Erasures"),
        ]
    )
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    action = forms.ChoiceField(choices=ACTIONS, required=False)
    object_type = forms.CharField(required=False, max_length=40, label="Record type")
    object_id = forms.IntegerField(required=False, min_value=1, label="Record id")
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        # The force's people, and the support staff, whose views of its records are logged too.
        self.fields["user"].queryset = (
            User.objects.visible_to(viewer) | User.objects.filter(force=None, is_staff=True)
        ).order_by("last_name", "username")
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs.update(
                {"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
            )
