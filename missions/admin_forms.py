"""Form fields of the coordinators' admin: places chosen by name, never typed as JSON."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.translation import gettext as _

from volunteers.forms import RegionsField
from volunteers.territories import DEPARTEMENTS, REGIONS


def departement_choices_by_region():
    """[(région name, [(code, "75 – Paris"), …]), …]: a long list made scannable."""
    groups = {code: [] for code, _name in REGIONS}
    for code, name, region in DEPARTEMENTS:
        groups[region].append((code, f"{code} – {name}"))
    return [(name, groups[code]) for code, name in REGIONS]


class DepartementsField(forms.MultipleChoiceField):
    """Départements chosen by name, grouped by région (stored as INSEE codes, in a JSON
    list). An unknown code is refused on the field, like any choice."""

    widget = forms.CheckboxSelectMultiple(attrs={"class": "places-choice"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=departement_choices_by_region(), **kwargs)


class PlacesByNameMixin:
    """A ModelAdmin mixin: the `regions` and `departements` JSON lists of codes become
    ticked names, so a coordinator never types `["11"]`."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        fields = {"regions": RegionsField, "departements": DepartementsField}
        if db_field.name in fields:
            field = fields[db_field.name](label=db_field.verbose_name, help_text=db_field.help_text)
            field.widget.attrs.setdefault("class", "places-choice")
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class NamedSplitDateTimeMixin:
    """A ModelAdmin mixin: the admin splits a date and time into two boxes, and only the
    first is tied to the field's label. Each box gets its own accessible name
    ("starts, date" / "starts, time") so a screen reader says what to type in it."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            label = str(formfield.label or db_field.verbose_name)
            date_widget, time_widget = formfield.widget.widgets
            date_widget.attrs["aria-label"] = _("%(field)s, date") % {"field": label}
            time_widget.attrs["aria-label"] = _("%(field)s, time") % {"field": label}
        return formfield
