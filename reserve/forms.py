"""Small form pieces shared by the apps."""

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _


class HoneypotBoundField(BoundField):
    def css_classes(self, extra_classes=None):
        # Hidden by the site's CSS wherever a form is rendered whole (as allauth does).
        return "honeypot"


class HoneypotField(forms.CharField):
    def get_bound_field(self, form, field_name):
        return HoneypotBoundField(form, self, field_name)


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS, out of the tab order); bots fill it."""

    website = HoneypotField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This submission looks automated."))
        return ""
