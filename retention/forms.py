"""The retention decision form."""

from django import forms
from django.utils import timezone

from .models import RetentionDecision


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=RetentionDecision.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with the decision; for disposal, also in the erasure log.",
    )
    next_review_on = forms.DateField(
        required=False,
        label="Next review on",
        help_text="Required to retain, e.g. 18/09/2027.",
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
    )
    confirm = forms.BooleanField(
        required=False,
        label="I understand that disposal erases the content for good",
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        review = cleaned.get("next_review_on")
        if decision == RetentionDecision.Decision.RETAIN:
            if not review:
                self.add_error("next_review_on", "Give the date of the next review.")
            elif review <= timezone.localdate():
                self.add_error("next_review_on", "The next review must be in the future.")
        if decision == RetentionDecision.Decision.DISPOSE and not cleaned.get("confirm"):
            self.add_error("confirm", "Tick to confirm the disposal.")
        return cleaned
