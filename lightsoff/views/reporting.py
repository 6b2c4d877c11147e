"""For someone in the street who sees a lit shop: the report form (the pin, "is it one
of these?", the name, the photo, the time)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from reserve.ratelimit import client_ip

from .. import geocoder, services
from ..forms import ReportForm
from ..ratelimit import limited
from .map import map_config, point_from_query


@limited("report", methods=("POST",))
def report(request):
    """Report a lit shop: the pin, "is it one of these?", the name, photo and time."""
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            address = {k: data[k] for k in ("address", "postcode", "city")}
            if data["shop"] is None and not address["address"]:
                address = geocoder.reverse(data["latitude"], data["longitude"]) or address
            try:
                result = services.report_sighting(
                    shop_name=data["name"],
                    shop=data["shop"],
                    lat=data["latitude"],
                    lng=data["longitude"],
                    seen_at=data["seen_at"],
                    photo=data["photo"],
                    lit_kind=data["lit_kind"],
                    size=data["size"],
                    reporter=request.user if request.user.is_authenticated else None,
                    ip=client_ip(request),
                    **address,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if result.created_shop:
                    messages.success(request, _("Thank you! The shop is on the map."))
                else:
                    messages.success(request, _("Thank you! Your sighting was added to this shop."))
                return redirect(result.shop)
    else:
        point = point_from_query(request)
        form = ReportForm(initial={"latitude": point[0], "longitude": point[1]} if point else {})
    return _report_page(request, form, status=400 if form.is_bound else 200)


def _report_page(request, form, *, status):
    return render(
        request, "lightsoff/report.html", {"form": form, "map_config": map_config()}, status=status
    )
