from django import forms
from django.utils.translation import gettext_lazy as _


class ResponseForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("I accept")), ("decline", _("I decline"))],
    )


class ExtendForm(forms.Form):
    response_deadline = forms.DateTimeField(
        label=_("New response deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, max_value=100000)


class FollowUpForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=160)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
