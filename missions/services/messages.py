"""What a volunteer receives: the call-up e-mail and SMS, and their token links."""

import functools
import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from reserve import emails
from reserve.sms import segments

from ..models import Delivery

_TOKEN_SLOT = "token-slot"  # noqa: S105 - a placeholder, not a secret


@functools.cache
def _link_template(name, script_prefix):
    """The path of a token link with a slot for the token: reverse() once per process
    (and prefix), not twice per message (0.15 ms of a sender's time per e-mail)."""
    return reverse(name, args=[_TOKEN_SLOT])


def _token_link(name, token):
    return settings.SITE_URL + _link_template(name, get_script_prefix()).replace(_TOKEN_SLOT, token)


def respond_url(alert):
    return _token_link("missions:respond", alert.token)


def opt_out_url(alert):
    return _token_link("missions:opt_out", alert.token)


RESPOND_MARK, OPT_OUT_MARK = "@@respond-url@@", "@@opt-out-url@@"
TO_MARK = "alert-recipient@reserve.invalid"
REPLY_MARK = "reply-token-slot"
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>\r\n]+>)\r$", re.MULTILINE)


class SerializedMessage:
    """What `AlertEmail.message()` returns: the MIME message, already serialized."""

    def __init__(self, data):
        self.data = data

    def as_bytes(self, unixfrom=False, linesep="\n"):
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, linesep="\n"):
        return self.as_bytes(linesep=linesep).decode()

    def get_charset(self):
        return None


class AlertEmail(EmailMultiAlternatives):
    """A call-up e-mail whose MIME form was built once for its call-up and language and
    personalised by substitution: building MIME is most of the CPU of a send, and
    10,000 alerts differ only by their recipient and two links. Any Django e-mail
    backend sends it like any EmailMultiAlternatives."""

    serialized = None

    def message(self):
        if self.serialized is None:
            return super().message()
        return SerializedMessage(self.serialized)


def _alert_template(alert, language):
    """Subject, bodies and serialized MIME of the call-up e-mail, with placeholders."""
    context = {
        "mobilization": alert.mobilization,
        "crisis": alert.mobilization.crisis,
        "respond_url": RESPOND_MARK,
        "opt_out_url": OPT_OUT_MARK,
    }
    rendered = emails.render("missions/email/callup", context, language=language)
    subject, text, html = rendered.subject, rendered.text, rendered.html
    model = _alert_message(subject, text, html, TO_MARK, OPT_OUT_MARK, REPLY_MARK)
    serialized = model.message().as_bytes(linesep="\r\n")
    marks = [RESPOND_MARK.encode(), OPT_OUT_MARK.encode(), TO_MARK.encode()]
    if settings.INBOUND_EMAIL_DOMAIN:
        marks.append(REPLY_MARK.encode())
    found = MESSAGE_ID.search(serialized)
    if found is None or not all(mark in serialized for mark in marks):
        serialized = None  # encoded in a way substitution cannot follow: build each one
    return subject, text, html, serialized, found.group(1) if found else None


def reply_address(token):
    """Where a reply to the call-up e-mail goes (None without INBOUND_EMAIL_DOMAIN): the
    token in the address says which alert the reply answers."""
    if not settings.INBOUND_EMAIL_DOMAIN:
        return None
    return f"{settings.REPLY_LOCAL_PART}+{token}@{settings.INBOUND_EMAIL_DOMAIN}"


def _alert_message(subject, text, html, to, opt_out, token):
    reply_to = reply_address(token)
    message = AlertEmail(
        subject,
        text,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers={
            "List-Unsubscribe": f"<{opt_out}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build_alert_email(alert, *, rendered=None):
    """The call-up e-mail, in the volunteer's language: plain text and HTML, with a
    one-click List-Unsubscribe (RFC 8058) that stops crisis call-ups.

    `rendered` (a dict) caches the rendered templates and MIME form per call-up and
    language within a chunk; only the recipient and the two links differ."""
    volunteer = alert.volunteer
    language = volunteer.language or settings.LANGUAGE_CODE
    key = (alert.mobilization_id, language)
    rendered = {} if rendered is None else rendered
    if key not in rendered:
        rendered[key] = _alert_template(alert, language)
    subject, text, html, serialized, template_id = rendered[key]
    links = {RESPOND_MARK: respond_url(alert), OPT_OUT_MARK: opt_out_url(alert)}
    for mark, url in links.items():
        text = text.replace(mark, url)
        html = html.replace(mark, escape(url))
    message_id = make_msgid(domain=DNS_NAME)
    message = _alert_message(subject, text, html, volunteer.email, links[OPT_OUT_MARK], alert.token)
    message.extra_headers["Message-ID"] = message_id
    # Our Message-ID (SMTP) or the provider's id (anymail) is the delivery's provider id;
    # the reference comes back with the provider's receipts (anymail metadata).
    message.message_id = message_id
    message.metadata = {"reference": Delivery.reference_for(alert.pk, "email")}
    message.tags = ["call-up"]
    if serialized is not None and volunteer.email.isascii():
        message.serialized = (
            serialized.replace(RESPOND_MARK.encode(), links[RESPOND_MARK].encode())
            .replace(OPT_OUT_MARK.encode(), links[OPT_OUT_MARK].encode())
            .replace(TO_MARK.encode(), volunteer.email.encode())
            .replace(REPLY_MARK.encode(), alert.token.encode())
            .replace(template_id, message_id.encode())
        )
    return message


SMS_MAX_SEGMENTS = 2
_TITLE_SLOT = "\x00"


def build_alert_sms(alert):
    """The call-up SMS in the volunteer's language: the title, how to answer (a reply
    "OUI"/"NON", or the link), within SMS_MAX_SEGMENTS segments: only the title is cut
    when the text would take more (one "é" makes the whole text UCS-2, 67 characters a
    segment)."""
    volunteer = alert.volunteer
    with translation.override(volunteer.language or settings.LANGUAGE_CODE):
        text = _("Réserve call-up: %(title)s. Reply YES or NO, or answer here: %(url)s") % {
            "title": _TITLE_SLOT,
            "url": respond_url(alert),
        }
    prefix, suffix = text.split(_TITLE_SLOT)
    return segments.fit(
        " ".join(alert.mobilization.title.split()),
        SMS_MAX_SEGMENTS,
        prefix=prefix,
        suffix=suffix,
    )
