"""For whoever takes a reported shop in hand: its kit (the rule, the fines, the cost,
ready messages, the history), the actions on it ("I did it", a night check, "do it for
me"), news of it by e-mail, and the letter to print."""

import urllib.parse

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reserve.ratelimit import client_ip

from .. import constants, hours, selectors, services
from ..forms import CheckForm, ContactForm, HoneypotMixin, SubscribeForm
from ..models import ReporterSubscription, Shop, Sighting, VolunteerContactTask
from ..ratelimit import limited
from ..texts import TONES, phone_script, ready_messages


def _shop_or_redirect(pk):
    shop = get_object_or_404(Shop, pk=pk)
    if shop.merged_into_id and shop.is_hidden:
        return None, redirect("lightsoff:shop", pk=shop.merged_into_id)
    if shop.is_hidden:
        raise Http404
    return shop, None


def shop(request, pk):
    """The kit: the rule, the fines, the cost, the messages, the actions, the history."""
    shop, moved = _shop_or_redirect(pk)
    if moved:
        return moved
    return render(request, "lightsoff/shop.html", _kit_context(request, shop))


def _kit_context(request, shop, **forms):
    per_shop = selectors.estimate_for_shop(shop)
    lit_kind = per_shop.lit_kind
    estimate = {"kwh": per_shop.kwh, "eur": per_shop.eur, "co2_kg": per_shop.co2_kg}
    fine = constants.FINE_PERSON.value
    now = timezone.now()
    last_lit = shop.last_seen_lit_at
    query = " ".join(p for p in (shop.name, shop.address, shop.postcode, shop.city) if p)
    osm = (
        f"https://www.openstreetmap.org/{shop.osm_id}"
        if "/" in shop.osm_id
        else f"https://www.openstreetmap.org/?mlat={shop.latitude}&mlon={shop.longitude}"
        f"#map=19/{shop.latitude}/{shop.longitude}"
    )
    return {
        "shop": shop,
        "now_rule": hours.legality(now, shop.opening_hours, kind=lit_kind),
        "seen_rule": (
            hours.legality(last_lit, shop.opening_hours, kind=lit_kind) if last_lit else None
        ),
        "lit_kind": lit_kind,
        "sign_only": lit_kind == constants.LIT_SIGN,
        "rule": constants.RULE_SOURCE,
        "sign_rule": constants.SIGN_RULE_SOURCE,
        "exceptions": constants.EXCEPTIONS,
        "fines": constants.FINES,
        "sign_sanctions": constants.SIGN_SANCTIONS,
        "estimate": estimate,
        "per_shop": per_shop,
        "size_label": Sighting.Size(per_shop.size).label,
        "estimate_figures": constants.ESTIMATE_FIGURES,
        "national": constants.NATIONAL_CO2_TONNES,
        "messages_by_tone": [
            (
                label,
                [
                    m
                    for m in ready_messages(shop, estimate=estimate, fine=fine, lit_kind=lit_kind)
                    if m.tone == tone
                ],
            )
            for tone, label in TONES
        ],
        "phone_script": phone_script(
            shop,
            estimate=estimate,
            fine=fine,
            lit_kind=lit_kind,
            language=request.LANGUAGE_CODE[:2]
            if request.LANGUAGE_CODE[:2] in ("fr", "en")
            else "fr",
        ),
        "history": selectors.shop_history(shop),
        "osm_url": osm,
        "map_search_url": "https://www.google.com/maps/search/?"
        + urllib.parse.urlencode({"api": 1, "query": query}),
        "pending_task": shop.contact_tasks.filter(
            status__in=[VolunteerContactTask.Status.OPEN, VolunteerContactTask.Status.TAKEN]
        ).first(),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "check_form": forms.get("check_form") or CheckForm(),
        "subscribe_form": forms.get("subscribe_form") or SubscribeForm(),
        "outreach": services.outreach.kit_outreach(shop),
    }


def _post_action(request, pk, form_class, form_name, act):
    shop, moved = _shop_or_redirect(pk)
    if moved:
        return moved
    form = form_class(request.POST)
    if form.is_valid():
        try:
            text = act(shop, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, text)
            return redirect(shop)
    context = _kit_context(request, shop, **{form_name: form})
    return render(request, "lightsoff/shop.html", context, status=400)


@require_POST
@limited("action")
def contacted(request, pk):
    """ "I did it": log the contact, bump the count."""

    def act(shop, data):
        services.log_contact(
            shop=shop,
            channel=data["channel"],
            done_at=data["done_at"],
            actor=request.user if request.user.is_authenticated else None,
            ip=client_ip(request),
        )
        return _("Thank you! Your action is logged.")

    return _post_action(request, pk, ContactForm, "contact_form", act)


@require_POST
@limited("action")
def check(request, pk):
    """Someone passed by at night and saw the shop lit or dark."""

    def act(shop, data):
        services.report_sighting(
            shop=shop,
            lat=shop.latitude,
            lng=shop.longitude,
            lit=data["lit"],
            seen_at=data["seen_at"],
            reporter=request.user if request.user.is_authenticated else None,
            ip=client_ip(request),
        )
        if not data["lit"] and not services.counts_as_dark_check(shop, data["seen_at"]):
            return _(
                "Thank you! Your check is recorded. A dark window proves the shop switches "
                "off only when it must be off: come back at night to count towards "
                "“switched off”."
            )
        return _("Thank you! Your check is recorded.")

    return _post_action(request, pk, CheckForm, "check_form", act)


@require_POST
@limited("action")
def delegate(request, pk):
    """ "Do it for me": a volunteer of the reserve will contact the shop."""

    def act(shop, data):
        _task, created = services.request_volunteer_contact(shop=shop)
        if created:
            return _("Done: a volunteer of the reserve will contact this shop.")
        return _("A volunteer is already on it.")

    return _post_action(request, pk, HoneypotMixin, "delegate_form", act)


@require_POST
@limited("action")
def subscribe(request, pk):
    def act(shop, data):
        services.subscribe(shop=shop, email=data["email"])
        return _("Check your inbox: click the link we sent to confirm.")

    return _post_action(request, pk, SubscribeForm, "subscribe_form", act)


def subscription_confirm(request, token):
    """Double opt-in: the GET shows a button, only the POST confirms (mail scanners GET)."""
    subscription = get_object_or_404(
        ReporterSubscription.objects.select_related("shop"), token=token
    )
    if request.method == "POST":
        services.confirm_subscription(token=token)
        messages.success(request, _("Confirmed: we will tell you what becomes of this shop."))
        return redirect(subscription.shop)
    return render(
        request, "lightsoff/subscription.html", {"subscription": subscription, "action": "confirm"}
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client POSTs without a CSRF token.
def subscription_unsubscribe(request, token):
    subscription = get_object_or_404(
        ReporterSubscription.objects.select_related("shop"), token=token
    )
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(
            request, "lightsoff/subscription.html", {"subscription": subscription, "action": "done"}
        )
    return render(
        request,
        "lightsoff/subscription.html",
        {"subscription": subscription, "action": "unsubscribe"},
    )


def letter(request, pk):
    """The A4 letter to print and drop in the letterbox."""
    shop, moved = _shop_or_redirect(pk)
    if moved:
        return moved
    context = _kit_context(request, shop)
    context["today"] = timezone.localdate()
    # The answer page's link as a QR code (segno, inline SVG: no image file, no request).
    context["answer_qr"] = segno.make(context["outreach"]["answer_url"], error="m").svg_inline(
        scale=3, title=_("QR code of the answer page"), svgclass="letter-qr"
    )
    return render(request, "lightsoff/letter.html", context)
