"""Base classes for every admin of the project.

The admin must answer bad input on the field, never with a 500. Django's own fields
and widgets fail in three places, each fixed here for every admin:

- An autocomplete widget looks up the submitted ids to show them again: an id of the
  wrong type ("abc" for an integer key) raised a ValueError while rendering.
- A key out of the column's range (thirty nines) passed to a choice field reached the
  database: SQLite raises OverflowError, which the choice fields do not catch; a NUL
  character in a text key makes psycopg2 raise ValueError.
- A JSON field that may be blank but not null turned an empty box into NULL, and saving
  raised IntegrityError: an empty box now means the field's default (`[]`, `{}`).

Our admin classes derive from ModelAdmin, TabularInline and StackedInline below;
`reserve.apps` gives the same mixin to the admins of Django and allauth.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models


def key_can_hold(model, to_field_name, value):
    """True when `value` fits the key (type and range): safe to put in a query."""
    options = model._meta
    target = options.get_field(to_field_name) if to_field_name else options.pk
    if isinstance(value, str) and "\x00" in value:
        # A text key (a commune's INSEE code) takes any string its validators let by,
        # but PostgreSQL refuses a NUL character in a query: psycopg2 raises ValueError.
        return False
    try:
        target.run_validators(target.to_python(value))
    except (ValidationError, TypeError, ValueError, OverflowError):
        return False
    return True


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not key_can_hold(
            self.queryset.model, self.to_field_name, value
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not key_can_hold(self.queryset.model, self.to_field_name, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class _KnownValuesOnly:
    def optgroups(self, name, value, attr=None):
        rel = self.field.remote_field
        to_field = getattr(rel, "field_name", None)  # none on a many-to-many
        known = [v for v in value if v in (None, "") or key_can_hold(rel.model, to_field, v)]
        return super().optgroups(name, known, attr)


class SafeAutocompleteSelect(_KnownValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KnownValuesOnly, AutocompleteSelectMultiple):
    pass


class BlankJSONField(forms.JSONField):
    """An empty box is the model field's default, not NULL."""

    def __init__(self, *, model_default, **kwargs):
        self.model_default = model_default  # the model field's get_default
        super().__init__(**kwargs)

    def clean(self, value):
        cleaned = super().clean(value)
        return self.model_default() if cleaned is None else cleaned


class SafeFieldsMixin:
    """The fields and widgets above, wherever the admin would use Django's."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        blank_not_null = db_field.blank and not db_field.null
        if isinstance(db_field, models.JSONField) and blank_not_null and "form_class" not in kwargs:
            kwargs.update(form_class=BlankJSONField, model_default=db_field.get_default)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._safe_choice(db_field, request, kwargs, SafeAutocompleteSelect, SafeModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._safe_choice(
            db_field,
            request,
            kwargs,
            SafeAutocompleteSelectMultiple,
            SafeModelMultipleChoiceField,
        )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _safe_choice(self, db_field, request, kwargs, widget, form_class):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = widget(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", form_class)


class ModelAdmin(SafeFieldsMixin, admin.ModelAdmin):
    pass


class ReadOnlyModelAdmin(ModelAdmin):
    """Rows written by the platform (a log, a reference table loaded by a command): the
    admin shows them to who may view them and never adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TabularInline(SafeFieldsMixin, admin.TabularInline):
    pass


class StackedInline(SafeFieldsMixin, admin.StackedInline):
    pass


def make_every_admin_safe(site=admin.site):
    """Give SafeFieldsMixin to the admins registered by Django and allauth (Groups,
    flat pages, e-mail addresses, authenticators), as ours have it."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if issubclass(cls, SafeFieldsMixin):
            continue
        site.unregister(model)
        site.register(model, type(cls.__name__, (SafeFieldsMixin, cls), {}))
