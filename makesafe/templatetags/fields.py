"""`{% field form.name %}`: a Bootstrap 5 form field (label, control, hint, errors) built in Python.

The list pages' filter bars render a dozen fields on every page view. crispy-forms draws each field
through a dozen nested templates and Django draws each select option through three more, which
was half the visits list's time (bench/results.md). This tag gives the same markup and the same
accessibility wiring (label `for`, `aria-invalid`, `aria-describedby` to the error and the hint)
at a fraction of the cost. Forms people fill in (log a visit, premises) keep crispy-forms.
"""

import functools

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html

register = template.Library()


def _choices(field: forms.Field, widget: forms.Select):
    preloaded = getattr(field, "preloaded_choices", None)  # makesafe/choices.py
    if preloaded is not None:
        return preloaded
    if isinstance(field, forms.ModelChoiceField):
        # One plain query, where iterating `field.choices` would open a server-side cursor.
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        objects = list(field.queryset)
        return empty + [(field.prepare_value(o), field.label_from_instance(o)) for o in objects]
    return field.choices if isinstance(field, forms.ChoiceField) else widget.choices


def joined(parts: list):
    """Escaped pieces of HTML (or text) as one piece, every text escaped by format_html."""
    return format_html("{}" * len(parts), *parts) if parts else format_html("{}", "")


def _frozen(choices) -> tuple:
    """The choices as nested tuples of text: a key for `_options_html`."""
    return tuple(
        (str(value), _frozen(label))
        if isinstance(label, (list, tuple))
        else ("" if value is None else str(value), str(label))
        for value, label in choices
    )


def _options(choices, selected: str):
    return _options_html(_frozen(choices), selected)


# A filter bar draws the same options (a force's towns, operations, officers) on every page
# view, and escaping each label was the largest part of drawing a report page. The HTML depends
# only on the options' text and the selected value, so each process keeps the last few hundred
# lists it drew: a pure function's results, nothing another server would need to share.
@functools.lru_cache(maxsize=256)
def _options_html(choices: tuple, selected: str):
    parts = []
    for value, label in choices:
        if isinstance(label, tuple):
            parts.append(
                format_html(
                    '<optgroup label="{}">{}</optgroup>', value, _options_html(label, selected)
                )
            )
            continue
        parts.append(
            format_html(
                '<option value="{}"{}>{}</option>',
                value,
                " selected" if value == selected else "",
                label,
            )
        )
    return joined(parts)


def _select(bound, attrs: dict):
    value = bound.value()
    selected = "" if value is None else str(value)
    attrs = {**bound.field.widget.attrs, **attrs, "name": bound.html_name, "id": bound.auto_id}
    if bound.field.required and bound.form.use_required_attribute:
        attrs["required"] = True
    if bound.field.disabled:
        attrs["disabled"] = True
    return format_html(
        "<select{}>{}</select>",
        flatatt(attrs),
        _options(_choices(bound.field, bound.field.widget), selected),
    )


@register.simple_tag
def field(bound, wrapper_class="mb-3"):
    """The field as crispy-bootstrap5 would draw it, for filter bars and other hot pages."""
    widget = bound.field.widget
    errors = bound.errors
    described = []
    attrs = {}
    hint = ""
    if bound.help_text:
        described.append(f"{bound.auto_id}_helptext")
        hint = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', bound.auto_id, bound.help_text
        )
    feedback = ""
    if errors:
        described.insert(0, f"{bound.auto_id}_error")
        attrs["aria-invalid"] = "true"
        feedback = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            bound.auto_id,
            joined([format_html("<strong>{}</strong> ", error) for error in errors]),
        )
    if described:
        attrs["aria-describedby"] = " ".join(described)
    invalid = " is-invalid" if errors else ""

    if isinstance(widget, forms.CheckboxInput):
        attrs["class"] = f"form-check-input{invalid}"
        return format_html(
            '<div class="{}"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}</label>{}{}</div></div>',
            wrapper_class,
            bound.auto_id,
            bound.as_widget(attrs=attrs),
            bound.id_for_label,
            bound.label,
            feedback,
            hint,
        )
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        attrs["class"] = f"form-select{invalid}"
        control = _select(bound, attrs)
    else:
        attrs["class"] = f"form-control{invalid}"
        control = bound.as_widget(attrs=attrs)
    return format_html(
        '<div id="div_{}" class="{}"><label for="{}" class="form-label">{}</label>{}{}{}</div>',
        bound.auto_id,
        wrapper_class,
        bound.id_for_label,
        bound.label,
        control,
        feedback,
        hint,
    )
