"""The town hall's space (/lightsoff/mairie/): for the agents of a mairie, the shops of
their communes with statuses, sightings and dossiers, the actions they record, and a CSV.
Nothing outside their communes (404), nothing of the reporters; anyone else gets 403."""

import csv
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..dossier import dossier_response
from ..forms import TownHallActionForm
from ..models import Referral, Shop, Sighting

PAGE_SIZE = 50


def town_hall_agent_required(view):
    """Logged in (else the login page), and a town-hall agent (else 403); the view gets
    the agent."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        agent = services.town_halls.agent_of(request.user)
        if agent is None:
            raise PermissionDenied
        return view(request, agent, *args, **kwargs)

    return wrapper


def _with_history(shops):
    """Shops with what the space shows of each, in a fixed number of queries: the dates
    seen (never who saw), the dossiers and the actions."""
    return shops.prefetch_related(
        Prefetch(
            "sightings",
            queryset=Sighting.objects.filter(is_hidden=False).only("shop_id", "seen_at", "lit"),
            to_attr="visible_sightings",
        ),
        Prefetch("referrals", queryset=Referral.objects.order_by("-created_at")),
        "town_hall_actions",
    )


@town_hall_agent_required
def mairie(request, agent):
    """The shops of the agent's communes, the repeat offenders first."""
    shops = services.town_halls.shops_of_agent(agent).filter(sightings_count__gt=0)
    status = request.GET.get("status", "")
    if status in Shop.Status.values:
        shops = shops.filter(status=status)
    else:
        status = ""
    page = Paginator(_with_history(shops), PAGE_SIZE).get_page(request.GET.get("page"))
    for shop in page.object_list:
        # The nights it was seen lit (evening's date, Paris), latest first: what the
        # "three nights" rule counts.
        shop.lit_nights = sorted(
            {services.night_of(s.seen_at) for s in shop.visible_sightings if s.lit}, reverse=True
        )
    return render(
        request,
        "lightsoff/mairie.html",
        {
            "agent": agent,
            "communes": agent.communes.order_by("name"),
            "page": page,
            "status": status,
            "statuses": Shop.Status.choices,
        },
    )


@town_hall_agent_required
def mairie_shop(request, agent, pk):
    """One shop of the agent's communes: its sightings, dossiers and actions, and the form
    to record what the town hall did."""
    shop = get_object_or_404(_with_history(services.town_halls.shops_of_agent(agent)), pk=pk)
    form = TownHallActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.town_halls.record_town_hall_action(
                shop=shop,
                kind=form.cleaned_data["kind"],
                done_on=form.cleaned_data["done_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Recorded. It shows on the shop's page and its subscribers are told.")
            )
            return redirect("lightsoff:mairie_shop", pk=shop.pk)
    return render(
        request,
        "lightsoff/mairie_shop.html",
        {"agent": agent, "shop": shop, "form": form},
        status=400 if form.is_bound else 200,
    )


@town_hall_agent_required
def mairie_dossier(request, agent, pk):
    """A dossier of a shop of the agent's communes (404 for any other)."""
    referral = get_object_or_404(
        Referral, pk=pk, shop__in=services.town_halls.shops_of_agent(agent)
    )
    return dossier_response(referral)


EXPORT_HEADER = [
    "shop_id",
    "name",
    "address",
    "postcode",
    "city",
    "insee_code",
    "commune",
    "status",
    "sightings",
    "last_seen_lit_at",
    "first_contacted_at",
    "referred_on",
    "last_town_hall_action",
    "last_town_hall_action_on",
]


def _iso(value):
    return value.isoformat() if value else ""


@town_hall_agent_required
def mairie_export(request, agent):
    """The agent's shops as CSV (UTF-8, ISO dates; postcodes and INSEE codes as text,
    with their leading zeros)."""
    shops = _with_history(services.town_halls.shops_of_agent(agent).filter(sightings_count__gt=0))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lightsoff-mairie.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADER)
    for shop in shops:
        referral = shop.referrals.all()[0] if shop.referrals.all() else None
        actions = sorted(shop.town_hall_actions.all(), key=lambda a: (a.done_on, a.created_at))
        action = actions[-1] if actions else None
        writer.writerow(
            [
                shop.pk,
                shop.name,
                shop.address,
                shop.postcode,
                shop.city,
                shop.commune.insee_code if shop.commune else "",
                shop.commune.name if shop.commune else "",
                shop.status,
                shop.sightings_count,
                _iso(shop.last_seen_lit_at),
                _iso(shop.contacted_at),
                _iso(referral.created_at.date()) if referral else "",
                action.kind if action else "",
                _iso(action.done_on) if action else "",
            ]
        )
    return response
