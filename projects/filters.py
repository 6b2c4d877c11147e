"""The backlog's filters: every one of them lives in the URL, so a filtered list can be shared."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from volunteers.filters import SkillsFilter
from volunteers.forms import grouped_skill_choices
from volunteers.models import Skill

from .models import Need, Project

HOURS_CHOICES = [
    ("4", _("up to 4 h a week")),
    ("8", _("up to 8 h a week")),
    ("15", _("up to 15 h a week")),
    ("35", _("up to full time")),
]


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. heat wave")}),
        max_length=100,
    )
    theme = django_filters.ChoiceFilter(
        label=_("Theme"), choices=Project.Theme.choices, empty_label=_("All themes")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in Project.Status.choices if c[0] != Project.Status.ARCHIVED],
        empty_label=_("All statuses"),
    )
    skills = SkillsFilter(
        label=_("Skills needed"),
        queryset=Skill.objects.order_by("name"),
        method="needing_skills",
        # Some forty skills: checkboxes grouped by family (the page folds them), not a
        # list box one scrolls with Ctrl held.
        widget=forms.CheckboxSelectMultiple,
    )
    hours = django_filters.ChoiceFilter(
        label=_("Commitment"),
        choices=HOURS_CHOICES,
        method="within_hours",
        empty_label=_("Any commitment"),
    )
    where = django_filters.ChoiceFilter(
        label=_("Remote or on site"),
        choices=[("remote", _("Remote")), ("on_site", _("On site"))],
        method="by_place",
        empty_label=_("Remote or on site"),
    )
    place = django_filters.CharFilter(
        label=_("Place"), field_name="place", lookup_expr="icontains", max_length=80
    )

    class Meta:
        model = Project
        fields = ["q", "theme", "status", "skills", "hours", "where", "place"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["skills"].widget.choices = grouped_skill_choices()

    def active_count(self):
        """How many filters the visitor set (the page shows it on the folded panel)."""
        data = self.data or {}
        return sum(
            1
            for name in self.filters
            if any(data.getlist(name) if hasattr(data, "getlist") else [data.get(name)])
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(pitch__icontains=value) | Q(problem__icontains=value)
        )

    def needing_skills(self, queryset, name, value):
        if not value:
            return queryset
        needs = Need.objects.filter(project=OuterRef("pk"), is_open=True, skill__in=value)
        return queryset.filter(Exists(needs))

    def within_hours(self, queryset, name, value):
        if not value:
            return queryset
        needs = Need.objects.filter(
            project=OuterRef("pk"), is_open=True, hours_per_week__lte=int(value)
        )
        return queryset.filter(Exists(needs))

    def by_place(self, queryset, name, value):
        if value == "remote":
            return queryset.filter(remote=True)
        if value == "on_site":
            return queryset.filter(remote=False)
        return queryset


def clean_query(params):
    """The filter part of a backlog query string (no page number, no empty values)."""
    allowed = set(ProjectFilter.base_filters) | {"order"}
    query = QueryDict(mutable=True)
    for key in sorted(allowed & set(params)):
        values = [v for v in params.getlist(key) if v]
        if values:
            query.setlist(key, values)
    return query.urlencode()
