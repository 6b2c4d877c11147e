from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reserve.sites import absolute_url

from . import calendar, selectors, services
from .forms import ResponseForm
from .models import Alert, CalendarFeed, Crisis


def index(request):
    """How crisis call-ups work, and the crises currently open."""
    crises = Crisis.objects.filter(closed_at__isnull=True)[:10]
    return render(request, "missions/index.html", {"crises": crises})


def _alert_or_404(request, token):
    alert = (
        Alert.objects.select_related("mobilization", "mobilization__crisis", "volunteer")
        .filter(token=token)
        .first()
        if Alert.token_looks_valid(token)
        else None
    )
    if alert is None or alert.volunteer is None:
        return None, render(request, "missions/respond_not_found.html", status=404)
    return alert, None


@require_http_methods(["GET", "HEAD", "POST"])
def respond(request, token):
    """The link of the alert: GET only shows (mail scanners open links); POST answers."""
    alert, not_found = _alert_or_404(request, token)
    if not_found:
        return not_found
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.record_response(alert, accept=form.cleaned_data["answer"] == "accept")
        messages.success(request, _outcome_message(outcome))
        return redirect("missions:respond", token=token)
    alert.refresh_from_db()
    return render(
        request,
        "missions/respond.html",
        {"alert": alert, "mobilization": alert.mobilization, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _outcome_message(outcome):
    return {
        services.Outcome.ACCEPTED: _(
            "Thank you: you are on the team. The coordinator will be in touch."
        ),
        services.Outcome.DECLINED: _("Your answer is recorded: you are not available this time."),
        services.Outcome.WAITLISTED: _(
            "You are on the wait list: we will tell you if a place frees up."
        ),
    }[outcome]


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail providers POST without a CSRF token.
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request, token):
    """Stop crisis call-ups: GET asks, POST does it (also the List-Unsubscribe target)."""
    alert, not_found = _alert_or_404(request, token)
    if not_found:
        return not_found
    if request.method == "POST":
        services.opt_out(alert)
        return render(request, "missions/opt_out.html", {"alert": alert, "done": True})
    return render(request, "missions/opt_out.html", {"alert": alert, "done": False})


@login_required
def mine(request):
    """The volunteer's call-ups, and the private address of their calendar."""
    alerts = selectors.volunteer_alerts(request.user)
    feed = services.calendar_feed_for(request.user)
    feed_url = absolute_url(reverse("missions:calendar", args=[feed.token]))
    return render(request, "missions/mine.html", {"alerts": alerts, "feed_url": feed_url})


def calendar_feed(request, token):
    """The private iCalendar feed of a volunteer's accepted call-ups (no login: the
    unguessable address is the key, as calendar apps cannot log in)."""
    feed = (
        CalendarFeed.objects.select_related("user").filter(token=token).first()
        if Alert.token_looks_valid(token)
        else None
    )
    if feed is None:
        return render(request, "missions/respond_not_found.html", status=404)
    body = calendar.accepted_callups_ics(feed.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reserve-call-ups.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
