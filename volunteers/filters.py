import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .forms import DateInput, grouped_skill_choices
from .models import Profile, ProfileSkill, Skill
from .territories import DEPARTEMENT_CHOICES, REGION_CHOICES

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SkillsField(django_filters.fields.ModelMultipleChoiceField):
    """Ids checked before the lookup: SQLite raises OverflowError on an id past 64 bits."""

    def _check_values(self, value):
        for pk in value:
            if not str(pk).isdigit() or int(pk) >= 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class SkillsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SkillsField


class DirectoryFilter(django_filters.FilterSet):
    """The coordinators' directory: by skills, place, availability, opt-in, employer."""

    q = django_filters.CharFilter(label=_("Name, e-mail or bio"), method="filter_text")
    skills = SkillsFilter(label=_("Skills"), queryset=Skill.objects.all(), method="filter_skills")
    match = django_filters.ChoiceFilter(
        label=_("Skills to have"),
        choices=[("any", _("any of them")), ("all", _("all of them"))],
        empty_label=None,
        method="filter_noop",
    )
    min_level = django_filters.TypedChoiceFilter(
        label=_("Minimum level"),
        choices=ProfileSkill.Level.choices,
        coerce=int,
        method="filter_noop",
    )
    region = django_filters.MultipleChoiceFilter(
        label=_("Régions"), choices=REGION_CHOICES, method="filter_region"
    )
    include_remote = django_filters.BooleanFilter(
        label=_("Include remote volunteers"),
        method="filter_noop",
        widget=forms.CheckboxInput,
    )
    departement = django_filters.ChoiceFilter(label=_("Département"), choices=DEPARTEMENT_CHOICES)
    available_from = django_filters.DateFilter(
        label=_("Available from"), method="filter_available_from", widget=DateInput()
    )
    available_until = django_filters.DateFilter(
        label=_("Available until"), method="filter_available", widget=DateInput()
    )
    crisis_opt_in = django_filters.ChoiceFilter(
        label=_("Can be called up"), choices=YES_NO, method="filter_opt_in"
    )
    employer = django_filters.CharFilter(label=_("Employer"), lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Profile.Status.choices)

    class Meta:
        model = Profile
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped by family in the drop-down; validation still uses the queryset.
        self.form.fields["skills"].widget.choices = grouped_skill_choices()

    def filter_noop(self, queryset, name, value):
        return queryset  # read by the filter that needs it

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(display_name__icontains=value)
            | Q(user__email__icontains=value)
            | Q(bio__icontains=value)
        )

    def filter_skills(self, queryset, name, value):
        data = self.form.cleaned_data
        return queryset.with_skills(
            [skill.pk for skill in value],
            match=data.get("match") or "any",
            min_level=data.get("min_level") or 1,
        )

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        include_remote = bool(self.form.cleaned_data.get("include_remote"))
        return queryset.in_regions(value, include_remote=include_remote)

    def filter_available_from(self, queryset, name, value):
        if self.form.cleaned_data.get("available_until"):
            return queryset  # the period is filtered by `available_until`
        return queryset.available_between(value, value)  # available on that day

    def filter_available(self, queryset, name, value):
        start = self.form.cleaned_data.get("available_from") or value
        return queryset.available_between(min(start, value), max(start, value))

    def filter_opt_in(self, queryset, name, value):
        if value == "yes":
            return queryset.reachable_for_crises()
        return queryset.filter(crisis_opt_in=False)
