import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reserve.forms import HoneypotMixin

from . import constants, geo
from .models import ContactAction, Shop, ShopAnswer, TownHallAction
from .photos import clean_photo

# How far back a report may be dated.
MAX_REPORT_AGE = datetime.timedelta(days=30)


def moment_field(label, *, required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


def clean_moment(moment):
    """A moment of the last 30 days (a few minutes ahead: phone clocks drift); None: now."""
    now = timezone.now()
    if moment is None:
        return now
    if moment > now + datetime.timedelta(minutes=10):
        raise forms.ValidationError(_("This moment is in the future."))
    if moment < now - MAX_REPORT_AGE:
        raise forms.ValidationError(_("Report what you saw in the last 30 days."))
    return moment


class ReportForm(HoneypotMixin):
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    known_shop = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name of the shop"), max_length=160, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    seen_at = moment_field(_("When did you see it?"))
    # No default: the rule depends on the answer, so the reporter must pick one.
    lit_kind = forms.ChoiceField(
        label=_("What was lit?"),
        choices=[
            (constants.LIT_WINDOW, _("The shop window or the lights inside")),
            (constants.LIT_SIGN, _("An illuminated sign")),
            (constants.LIT_BOTH, _("Both")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say what was lit: the window, a sign, or both."),
            "invalid_choice": _("Say what was lit: the window, a sign, or both."),
        },
    )
    size = forms.ChoiceField(
        label=_("How big is it?"),
        help_text=_("For the estimate of what it wastes."),
        choices=[
            (constants.SIZE_SMALL, _("A small window")),
            (constants.SIZE_FRONT, _("A shop front")),
            (constants.SIZE_LARGE, _("A large store")),
            ("", _("I don't know")),
        ],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Pick one of the sizes, or “I don't know”.")},
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Its metadata, including the position, is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "seen_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def clean_seen_at(self):
        return clean_moment(self.cleaned_data["seen_at"])

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return clean_photo(photo) if photo else None

    def clean(self):
        data = super().clean()
        lat, lng = data.get("latitude"), data.get("longitude")
        if lat is not None and lng is not None and not geo.valid_lat_lng(lat, lng):
            raise forms.ValidationError(_("The position is outside the valid range."))
        known = data.get("known_shop")
        data["shop"] = None
        if known:
            data["shop"] = Shop.objects.public().filter(pk=known).first()
            if data["shop"] is None:
                self.add_error(None, _("This shop is no longer on the map."))
        elif not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", _("Give the shop's name, or pick a known shop above."))
        return data


class KitForm(HoneypotMixin):
    """A form of the kit page. The page holds several, each with the honeypot field:
    their ids take the form's own prefix (`check_website`, `contact_website`…) so that
    no two elements share an id; the names posted stay the fields' names."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class CheckForm(KitForm):
    """Someone passed by at night: the shop was lit, or dark."""

    id_prefix = "check"

    lit = forms.TypedChoiceField(
        label=_("What did you see?"),
        choices=[("1", _("Lights on")), ("0", _("Lights off"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    seen_at = moment_field(_("When? (empty: now)"), required=False)

    def clean_seen_at(self):
        return clean_moment(self.cleaned_data.get("seen_at"))


class ContactForm(KitForm):
    """ "I did it": how the shop was made aware."""

    id_prefix = "contact"

    channel = forms.ChoiceField(
        label=_("How did you contact the shop?"), choices=ContactAction.Channel.choices
    )
    done_at = moment_field(_("When? (empty: now)"), required=False)

    def clean_done_at(self):
        return clean_moment(self.cleaned_data.get("done_at"))


class TaskDoneForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How did you contact the shop?"), choices=ContactAction.Channel.choices
    )


class SubscribeForm(KitForm):
    id_prefix = "subscribe"

    email = forms.EmailField(
        label=_("Your e-mail"),
        help_text=_(
            "Only to tell you when this shop is contacted by a volunteer or seen dark. "
            "Never shown, and one click unsubscribes."
        ),
    )


class RoundForm(forms.Form):
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    radius_m = forms.IntegerField(label=_("Radius (m)"), min_value=50, max_value=3000, initial=500)
    planned_for = forms.DateField(
        label=_("Night of"),
        # A date input takes an ISO date whatever the language ("2026-12-02").
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )


class AnswerForm(HoneypotMixin):
    """The shopkeeper's answer (outreach.py): a kind, and what goes with it."""

    kind = forms.ChoiceField(
        label=_("Your answer"), choices=ShopAnswer.Kind.choices, widget=forms.RadioSelect
    )
    effective_on = forms.DateField(
        label=_("Since when? (lights off or timer installed)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    exception_reference = forms.CharField(
        label=_("Reference of the préfet's exception"), max_length=120, required=False
    )
    text = forms.CharField(
        label=_("Anything to add? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_effective_on(self):
        day = self.cleaned_data.get("effective_on")
        if day and day > timezone.localdate() + datetime.timedelta(days=60):
            raise forms.ValidationError(_("Give a date within the next two months."))
        return day

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if (
            kind == ShopAnswer.Kind.EXCEPTION
            and not (data.get("exception_reference") or "").strip()
        ):
            self.add_error("exception_reference", _("Give the reference of the exception."))
        if kind == ShopAnswer.Kind.SWITCHED_OFF and not data.get("effective_on"):
            data["effective_on"] = timezone.localdate()
        return data


class TownHallActionForm(forms.Form):
    """What the mairie did about a shop (the town hall's space)."""

    kind = forms.ChoiceField(
        label=_("What did the town hall do?"),
        choices=TownHallAction.Kind.choices,
        widget=forms.RadioSelect,
    )
    done_on = forms.DateField(
        label=_("On"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    reason = forms.CharField(
        label=_("Reason (required for “no action”)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the shop's public page and sent to its subscribers."),
    )

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if done_on < datetime.date(2018, 12, 27):
            raise forms.ValidationError(_("The date is before the rule existed."))
        return done_on

    def clean(self):
        data = super().clean()
        if data.get("kind") == TownHallAction.Kind.NO_ACTION and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why the town hall takes no action."))
        return data


class TaskAreaForm(forms.Form):
    """Where a volunteer takes "do it for me" tasks, and whether to hear of new ones."""

    place = forms.CharField(
        label=_("Commune or postcode"),
        max_length=120,
        help_text=_("Its centre is the centre of your area, e.g. “Lyon” or “69003”."),
    )
    radius_km = forms.IntegerField(label=_("Radius (km)"), min_value=1, max_value=100, initial=10)
    digest = forms.BooleanField(
        label=_("E-mail me new tasks in this area (one e-mail a day at most)"),
        required=False,
        initial=True,
    )
