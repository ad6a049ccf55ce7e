"""List filters whose record selects (towns, operations, officers) are scoped to one force."""

import django_filters


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose model choice filters are declared with `.none()` querysets and given
    the user's force's querysets (`scoped_querysets`) on each form: a chosen record of another
    force is refused like any unknown value, and one left unscoped accepts nothing.

    django-filter builds a new form class for every filter set (a class and its fields) before
    the form copies those fields; a list page paid for that on every view. The fields do not
    depend on the user once the querysets are set on the form, so the class is built once per
    FilterSet class."""

    def scoped_querysets(self) -> dict:
        """{filter name: queryset of the records the user may choose}."""
        return {}

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            # From the declared filters: their querysets are still the declared `.none()`.
            form_class = super().get_form_class()
            cls._form_class = form_class
        return form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, queryset in self.scoped_querysets().items():
                form.fields[name].queryset = queryset
        return self._form
