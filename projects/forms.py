from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .filters import ProjectFilter, clean_query
from .models import Application, Need, Project, SavedSearch, TeamMessage, Update


def _bound(field, low, high):
    """Keep a number in [low, high], with the message on the field and the browser hint."""
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update(min=low, max=high)


class ProposeForm(forms.ModelForm):
    """The guided idea form: the problem first, then who it helps and what a month brings."""

    class Meta:
        model = Project
        fields = [
            "title",
            "pitch",
            "problem",
            "beneficiaries",
            "one_month_deliverable",
            "help_needed",
            "theme",
            "expected_weeks",
            "remote",
            "place",
        ]
        help_texts = {
            "title": _("A few words people will remember."),
            "pitch": _("One sentence: what the project does, for whom."),
            "problem": _("What goes wrong today, and for whom? What blind spot of public action?"),
            "beneficiaries": _("The people, public services or associations it would help."),
            "one_month_deliverable": _(
                "Projects of the reserve deliver something useful in about a month."
            ),
            "help_needed": _("Skills and time you are looking for: design, data, legal…"),
            "place": _("Leave empty if everything can be done remotely."),
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "beneficiaries": forms.Textarea(attrs={"rows": 3}),
            "one_month_deliverable": forms.Textarea(attrs={"rows": 3}),
            "help_needed": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("beneficiaries", "one_month_deliverable", "help_needed"):
            self.fields[name].required = True
        _bound(self.fields["expected_weeks"], 1, 52)

    def clean(self):
        data = super().clean()
        if data.get("remote") is False and not data.get("place"):
            self.add_error("place", _("Say where the work happens, or tick “remote”."))
        return data


class ProjectEditForm(ProposeForm):
    """The lead edits the page; status and qualification stay with the coordinators."""

    class Meta(ProposeForm.Meta):
        fields = [
            *ProposeForm.Meta.fields,
            "repository_url",
            "prototype_url",
            "docs_url",
        ]


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["skill", "title", "headcount", "hours_per_week", "weeks", "is_open"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = self.fields["skill"].queryset.order_by("name")
        _bound(self.fields["headcount"], 1, 20)
        _bound(self.fields["hours_per_week"], 1, 40)
        _bound(self.fields["weeks"], 1, 52)


class ApplyForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["message"]
        labels = {"message": _("A short message to the lead")}
        help_texts = {"message": _("Why this role, and when you are available.")}
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].required = True


class DecisionForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"
    decision = forms.ChoiceField(
        choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))], widget=forms.HiddenInput
    )
    reason = forms.ChoiceField(
        label=_("Reason given to the applicant"),
        choices=[("", "—"), *Application.DeclineReason.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("A word to the applicant (optional)"), max_length=500, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.DECLINE and not data.get("reason"):
            self.add_error("reason", _("Choose a reason: the applicant will see it."))
        return data


class UpdateForm(forms.ModelForm):
    class Meta:
        model = Update
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}


class SavedSearchForm(forms.ModelForm):
    """Name and frequency; the filters come from the backlog's query string (`params`)."""

    class Meta:
        model = SavedSearch
        fields = ["name", "frequency"]
        labels = {"name": _("Name of this search")}

    def __init__(self, *args, params=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.params = params

    def clean(self):
        data = super().clean()
        if self.params is None:
            return data
        # A search whose filters are wrong would send an empty digest for ever.
        if not ProjectFilter(self.params, queryset=Project.objects.none()).is_valid():
            raise forms.ValidationError(_("Correct the filters before saving this search."))
        if len(clean_query(self.params)) > SavedSearch._meta.get_field("query").max_length:
            raise forms.ValidationError(_("These filters are too long to be saved."))
        return data


class FrequencyForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["frequency"]


class TeamMessageForm(forms.ModelForm):
    class Meta:
        model = TeamMessage
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5, "maxlength": 5000})}
