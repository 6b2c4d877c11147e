from urllib.parse import urlsplit

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reserve.forms import HoneypotMixin

from .models import Availability, Profile, ProfileSkill, Skill
from .territories import DEPARTEMENT_CHOICES, REGION_CHOICES
from .validators import normalize_phone

# Languages a volunteer can work in (ISO 639-1 codes), the most common first.
LANGUAGE_CHOICES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("fse", _("French Sign Language")),
]
MAX_TAGS = 20
MAX_TAG_LENGTH = 40


def _privacy_label():
    return format_html(
        '{} <a href="{}">{}</a>',
        _("I have read and accept the"),
        reverse("page", args=["privacy"]),
        _("privacy notice"),
    )


class ConsentField(forms.BooleanField):
    def __init__(self, **kwargs):
        super().__init__(
            required=True,
            label_suffix="",
            error_messages={"required": _("You must accept the privacy notice to continue.")},
            **kwargs,
        )

    def get_bound_field(self, form, field_name):
        # The label holds a link to the notice, built at render time (reverse + language).
        self.label = _privacy_label()
        return super().get_bound_field(form, field_name)


class SignupForm(HoneypotMixin, AllauthSignupForm):
    """allauth's sign-up plus the explicit consent to the privacy notice, and the
    honeypot of the LightsOff forms (robots fill it; the form then refuses)."""

    consent = ConsentField()
    field_order = ["email", "password1", "password2", "consent", "website"]

    def custom_signup(self, request, user):
        # E-mails (call-ups, reminders) go out in the language the volunteer signed up in.
        user.language = "en" if (translation.get_language() or "").startswith("en") else "fr"
        user.save(update_fields=["language"])
        profile = user.profile
        profile.record_consent()
        profile.save(update_fields=["consent_version", "consented_at", "updated_at"])


class RegionsField(forms.MultipleChoiceField):
    """Régions chosen by name (stored as their INSEE codes, in a JSON list)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=REGION_CHOICES, **kwargs)


class ConsentForm(forms.Form):
    consent = ConsentField()


def grouped_skill_choices():
    """[(family label, [(id, name), …]), …] in one query, for the skill drop-downs."""
    families = dict(Skill.Family.choices)
    groups = {}
    for skill in Skill.objects.all():
        groups.setdefault(skill.family, []).append((skill.pk, skill.localized_name))
    return [(families.get(family, family), items) for family, items in groups.items()]


class GroupedSkillsField(forms.ModelMultipleChoiceField):
    """Several skills, as checkboxes grouped by family."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(queryset=Skill.objects.all(), **kwargs)

    def __deepcopy__(self, memo):
        # Each form gets its copy of the field: read the taxonomy then, not at import.
        field = super().__deepcopy__(memo)
        field.choices = grouped_skill_choices()
        return field


class TagsField(forms.CharField):
    """Free tags typed as a comma-separated list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        tags = []
        for tag in (t.strip() for t in value.split(",")):
            if tag and tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
        return tags

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_TAGS:
            raise forms.ValidationError(
                _("At most %(max)d tags."), code="too_many", params={"max": MAX_TAGS}
            )
        for tag in value:
            # Django's null-character check sees the list, not each tag; PostgreSQL
            # refuses NUL in text and JSON, so it is refused here, on the field.
            if "\x00" in tag:
                raise forms.ValidationError(
                    _("Null characters are not allowed."), code="null_characters_not_allowed"
                )
            if len(tag) > MAX_TAG_LENGTH:
                raise forms.ValidationError(
                    _("A tag has at most %(max)d characters."),
                    code="tag_too_long",
                    params={"max": MAX_TAG_LENGTH},
                )


def _validate_host(url, hosts, message):
    host = (urlsplit(url).hostname or "").lower()
    if url and not any(host == h or host.endswith("." + h) for h in hosts):
        raise forms.ValidationError(message, code="wrong_host")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ProfileForm(forms.ModelForm):
    """The profile as its owner edits it (status limited to active or paused)."""

    tags = TagsField(
        label=_("Other skills (free tags)"),
        required=False,
        help_text=_("Separated by commas, e.g. Django, facilitation, social housing."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Profile.Status.ACTIVE, _("Active: I can be called up and recommended")),
            (Profile.Status.PAUSED, _("Paused: no call-ups, no recommendations")),
        ],
        widget=forms.RadioSelect,
    )
    github_url = forms.URLField(
        label=_("GitHub"), required=False, max_length=200, assume_scheme="https"
    )
    linkedin_url = forms.URLField(
        label=_("LinkedIn"), required=False, max_length=200, assume_scheme="https"
    )
    portfolio_url = forms.URLField(
        label=_("Portfolio or website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "bio",
            "tags",
            "languages",
            "departement",
            "remote_only",
            "can_travel",
            "employer",
            "github_url",
            "linkedin_url",
            "portfolio_url",
            "crisis_opt_in",
            "alert_by_email",
            "alert_by_sms",
            "phone",
            "quiet_hours_start",
            "quiet_hours_end",
            "status",
            "paused_until",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "paused_until": DateInput(),
            "quiet_hours_start": TimeInput(),
            "quiet_hours_end": TimeInput(),
        }

    # Wider than the stored E.164 form: "+33 6 12 34 56 78" is normalised in clean_phone,
    # and the model's validator then checks the result.
    phone = forms.CharField(
        label=Profile._meta.get_field("phone").verbose_name,
        help_text=Profile._meta.get_field("phone").help_text,
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    # Kept on the account (User.language): the language of every e-mail we send.
    language = forms.ChoiceField(
        label=_("Language of our e-mails"), choices=settings.LANGUAGES, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = self.instance.user.language
        if self.instance.status == Profile.Status.ARCHIVED:
            self.fields["status"].choices += [(Profile.Status.ARCHIVED, _("Archived"))]
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"

    def save(self, commit=True):
        profile = super().save(commit=commit)
        user = profile.user
        language = self.cleaned_data.get("language")
        if commit and language and user.language != language:
            user.language = language
            user.save(update_fields=["language"])
        return profile

    def clean_paused_until(self):
        # A new end of pause cannot be in the past; one that passed (the pause is over)
        # must not stop the volunteer from saving anything else.
        value = self.cleaned_data.get("paused_until")
        if value and value < timezone.localdate() and value != self.initial.get("paused_until"):
            raise forms.ValidationError(_("This date is in the past."))
        return value

    def clean_phone(self):
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean_github_url(self):
        url = self.cleaned_data["github_url"]
        _validate_host(url, ["github.com"], _("Enter the address of a GitHub page."))
        return url

    def clean_linkedin_url(self):
        url = self.cleaned_data["linkedin_url"]
        _validate_host(url, ["linkedin.com"], _("Enter the address of a LinkedIn page."))
        return url

    def clean(self):
        data = super().clean()
        if (
            data.get("crisis_opt_in")
            and not data.get("alert_by_email")
            and not data.get("alert_by_sms")
        ):
            self.add_error("alert_by_email", _("Choose at least one channel to be called up by."))
        if data.get("status") != Profile.Status.PAUSED:
            data["paused_until"] = None
        if "departement" in data and not data["departement"]:
            # No département any more: the région it implied goes too.
            self.instance.region = ""
        return data


class ProfileSkillForm(forms.ModelForm):
    class Meta:
        model = ProfileSkill
        fields = ["skill", "level", "intent"]
        labels = {"skill": _("Skill")}

    def __init__(self, *args, skill_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The formset passes the grouped choices once, rather than one query per row.
        self.fields["skill"].choices = [("", "---------"), *(skill_choices or [])]


class AvailabilityForm(forms.ModelForm):
    hours_per_week = forms.IntegerField(label=_("Hours per week"), min_value=0, max_value=80)

    class Meta:
        model = Availability
        fields = ["kind", "starts_on", "ends_on", "hours_per_week", "note"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        labels = {"kind": _("Kind")}

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            # On the form, so that the model's check constraint is not reported twice.
            self.add_error("ends_on", _("The end date is before the start date."))
        elif ends_on and ends_on < timezone.localdate() and self.has_changed():
            self.add_error("ends_on", _("This period is already over."))
        return data


SkillFormSet = inlineformset_factory(
    Profile,
    ProfileSkill,
    form=ProfileSkillForm,
    extra=1,
    can_delete=True,
    max_num=40,
    absolute_max=60,
)
AvailabilityFormSet = inlineformset_factory(
    Profile,
    Availability,
    form=AvailabilityForm,
    extra=1,
    can_delete=True,
    max_num=40,
    absolute_max=60,
)


class OnboardingForm(forms.Form):
    """The short guided form right after sign-up: skills, availability, region, call-ups."""

    skills = GroupedSkillsField(label=_("What can you offer?"), required=False)
    level = forms.TypedChoiceField(
        label=_("Your level in these skills"),
        choices=ProfileSkill.Level.choices,
        coerce=int,
        initial=ProfileSkill.Level.CONFIRMED,
    )
    available_from = forms.DateField(label=_("Available from"), required=False, widget=DateInput())
    available_until = forms.DateField(label=_("until"), required=False, widget=DateInput())
    hours_per_week = forms.IntegerField(
        label=_("Hours per week"), min_value=1, max_value=80, required=False
    )
    departement = forms.ChoiceField(
        label=_("Your département"),
        choices=[("", "---------"), *DEPARTEMENT_CHOICES],
        required=False,
    )
    remote_only = forms.BooleanField(label=_("Remote only"), required=False)
    crisis_opt_in = forms.BooleanField(
        label=_("I can be called up in a crisis (by e-mail)"), required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if bool(start) != bool(end) and "available_from" not in self.errors:
            self.add_error(
                "available_until" if start else "available_from",
                _("Give both dates of the period."),
            )
        elif start and end:
            if end < start:
                self.add_error("available_until", _("The end date is before the start date."))
            elif end < timezone.localdate():
                self.add_error("available_until", _("This period is already over."))
            elif not data.get("hours_per_week") and "hours_per_week" not in self.errors:
                self.add_error("hours_per_week", _("How many hours per week?"))
        return data


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data will be erased for good."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
