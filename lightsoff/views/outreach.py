"""The platform contacts a shop (a button of the kit and of the volunteer's tasks), the
shopkeeper's answer page and opt-out (signed links, no account), and the subscribers'
four-week follow-up. A forged or expired link is the 404 page."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reserve import ratelimit
from reserve.ratelimit import client_ip

from ..forms import AnswerForm, CheckForm
from ..models import VolunteerContactTask
from ..ratelimit import DEFAULTS, _too_many_page, limited
from ..services import outreach
from .kit import _shop_or_redirect


def _ask(request, shop):
    try:
        created = outreach.request_platform_contact(
            shop=shop,
            by=request.user if request.user.is_authenticated else None,
            ip=client_ip(request),
        )
    except outreach.ContactRefused as refusal:
        messages.error(request, refusal.messages[0])
        return False
    when = timezone.localtime(created[0].send_after)
    if created[0].send_after > timezone.now():
        messages.success(
            request,
            _("Réserve will send the message to the shop at %(time)s (no message at night).")
            % {"time": when.strftime("%d/%m/%Y %H:%M")},
        )
    else:
        messages.success(request, _("Réserve is sending the message to the shop. Thank you!"))
    return True


@require_POST
@limited("action")
def platform_contact(request, pk):
    """ "Have Réserve send it": the platform sends the courteous message to the shop."""
    shop, moved = _shop_or_redirect(pk)
    if moved:
        return moved
    _ask(request, shop)
    return redirect(shop)


@login_required
@require_POST
def task_platform_contact(request, pk):
    """The volunteer who holds a "do it for me" task has Réserve send the message; the
    task is done once the platform accepted the request."""
    task = get_object_or_404(
        VolunteerContactTask.objects.select_related("shop"),
        pk=pk,
        volunteer=request.user,
        status=VolunteerContactTask.Status.TAKEN,
    )
    if _ask(request, task.shop):
        VolunteerContactTask.objects.filter(
            pk=task.pk, status=VolunteerContactTask.Status.TAKEN
        ).update(status=VolunteerContactTask.Status.DONE, done_at=timezone.now())
    return redirect("lightsoff:tasks")


def _answer_limited(request, shop):
    """Answers count per shop and visitor: a link passed around floods nothing."""
    limit, window = getattr(settings, "LIGHTSOFF_RATE_LIMITS", {}).get("answer", DEFAULTS["answer"])
    return ratelimit.is_limited(request, f"lightsoff:answer:{shop.pk}", limit=limit, window=window)


def answer(request, token):
    """The shopkeeper's answer page: no account, a signed link per shop."""
    shop = outreach.shop_for_answer(token)
    if shop is None:
        raise Http404
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _answer_limited(request, shop):
            return _too_many_page(request)
        if form.is_valid():
            data = form.cleaned_data
            outreach.submit_answer(
                shop=shop,
                kind=data["kind"],
                effective_on=data.get("effective_on"),
                exception_reference=data.get("exception_reference", ""),
                text=data.get("text", ""),
                ip=client_ip(request),
            )
            return render(
                request,
                "lightsoff/answer.html",
                {"shop": shop, "done": True, "kind": data["kind"]},
            )
    return render(
        request,
        "lightsoff/answer.html",
        {"shop": shop, "form": form},
        status=400 if form.is_bound else 200,
    )


@csrf_exempt  # RFC 8058 one-click opt-out: the mail client POSTs without a CSRF token.
def opt_out(request, token):
    """ "Stop contacting us" in one click. The GET asks (mail scanners follow links)."""
    shop = outreach.shop_for_opt_out(token)
    if shop is None:
        raise Http404
    if request.method == "POST":
        outreach.opt_out(shop)
        return render(request, "lightsoff/opt_out.html", {"shop": shop, "done": True})
    return render(request, "lightsoff/opt_out.html", {"shop": shop})


def _last_night():
    """01:30 of the night that just ended (or is going on): when windows must be dark."""
    now = timezone.localtime()
    moment = now.replace(hour=1, minute=30, second=0, microsecond=0)
    if moment > now:
        moment -= datetime.timedelta(days=1)
    return moment


@limited("action", methods={"POST"})
def follow_up(request, token):
    """A subscriber's one-click answer four weeks on: the GET shows the dated answer to
    confirm, the POST records it as a check."""
    follow_up, lit = outreach.follow_up_for(token)
    if follow_up is None:
        raise Http404
    shop = follow_up.subscription.shop
    initial = {"lit": "1" if lit else "0", "seen_at": _last_night()}
    form = CheckForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outreach.record_follow_up(
            follow_up=follow_up,
            lit=lit,
            seen_at=form.cleaned_data["seen_at"],
            ip=client_ip(request),
        )
        messages.success(request, _("Thank you! Your check is recorded."))
        return redirect(shop)
    return render(
        request,
        "lightsoff/follow_up.html",
        {"shop": shop, "lit": lit, "form": form},
        status=400 if form.is_bound else 200,
    )
