"""Optimistic locking: the first save wins, a stale save is refused with the user's input kept."""

from django import forms
from django.db import models, transaction


class StaleEdit(Exception):
    """Someone else saved the record after this user opened it."""

    def __init__(self, current):
        super().__init__("The record changed since it was opened.")
        self.current = current


def save_versioned(
    instance: models.Model, *, expected_version: int, field: str = "version"
) -> None:
    """Save `instance` if its stored version is still `expected_version`, then bump the version.

    The row is locked for the check, so two concurrent saves cannot both pass it. `field` names
    the edit counter of a model whose `version` means something else (scenario script versions).
    """
    model = type(instance)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=instance.pk)
        if getattr(current, field) != expected_version:
            raise StaleEdit(current)
        setattr(instance, field, expected_version + 1)
        instance.save()


class VersionedFormMixin(forms.Form):
    """Carries the version the user opened, as a hidden field, so a stale save can be caught."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # The model field holding the edit counter (see save_versioned).
    version_field = "version"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["expected_version"].initial = getattr(instance, self.version_field)
        else:
            self.fields["expected_version"].required = False

    def conflict_value(self, current: models.Model, name: str):
        """The saved value of field `name`, as the form's field holds it."""
        return getattr(current, name)

    def show_conflict(self, current: models.Model) -> None:
        """Explain the conflict next to each field the other person changed; keep this input.

        The hidden version moves on to the saved one, so saving again, after a look, is a
        deliberate choice to replace what the other person saved.
        """
        changed = []
        for name, field in self.fields.items():
            if name == "expected_version" or not hasattr(current, name):
                continue
            saved = self.conflict_value(current, name)
            field_value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if saved != field_value and saved != getattr(field_value, "pk", field_value):
                changed.append(str(field.label or name))
        detail = (
            f" Fields that differ from the saved version: {', '.join(changed)}." if changed else ""
        )
        self.add_error(
            None,
            f"Someone else saved this record while you were editing it, so your changes were not "
            f"saved.{detail} Check your input below against the saved record; saving again will "
            f"replace their version with yours.",
        )
        data = self.data.copy()
        data["expected_version"] = getattr(current, self.version_field)
        self.data = data
