"""The form renderer (settings.FORM_RENDERER): Django's, with `<input>` widgets drawn in Python.

Django draws every widget through the template engine: an `<input>` is three templates (the
widget's, input.html and attrs.html), about 40 microseconds each, and a date range twice that. The
visits list's filter bar alone drew five of them on every page view, more than its fifty rows cost.
For the templates that are nothing but Django's input.html (text, date, hidden, checkbox...) and
for the multi-widgets made of them, this renderer writes the same markup with format_html, which
escapes every name and value as the templates do; any other template (selects, textareas, a
project override) goes to the template engine as before. tests/plumbing/test_fast_rendering.py
compares both for every widget it covers.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html

from .templatetags.fields import joined

WIDGETS = "django/forms/widgets/"
# Django's widget templates whose whole text is `{% include "django/forms/widgets/input.html" %}`.
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime",
        "time", "checkbox", "search", "tel", "color", "file",
    )
}  # fmt: skip
# Each input template ends with a line break, and so does the widget template including it:
# a multi-widget's inputs are followed by both, and the last (or only) one's are stripped.
AFTER_INCLUDED_INPUT = "\n\n"


def attributes(attrs: dict):
    """attrs.html: ` name="value"` each, a bare ` name` for True, nothing for False."""
    return joined(
        [
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        ]
    )


def input_tag(widget: dict):
    """input.html, from a widget's template context."""
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        "" if value is None else format_html(' value="{}"', value),
        attributes(widget["attrs"]),
    )


class InputsInPython(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUTS:
                return input_tag(widget)
            subwidgets = widget.get("subwidgets")
            if subwidgets and all(s["template_name"] in INPUTS for s in subwidgets):
                if template_name == f"{WIDGETS}multiwidget.html":  # {% spaceless %}
                    return joined([input_tag(s) for s in subwidgets])
                if template_name == "django_filters/widgets/multiwidget.html":
                    # A range: the first input, a dash, the second.
                    parts = []
                    for n, sub in enumerate(subwidgets):
                        parts += [input_tag(sub), AFTER_INCLUDED_INPUT, "-" if n == 0 else ""]
                    return joined(parts[:-2])
        return super().render(template_name, context, request)
