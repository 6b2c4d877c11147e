"""The one way the site builds an e-mail (after healthchecks' `hc/lib/emails.py`).

A message named `<app>/email/<name>` is three templates rendered in the recipient's
language: `<name>_subject.txt` (one line: line breaks typed into a title must not break
the header), `<name>.txt` (the plain-text body) and `<name>.html` (the HTML body; when
absent, the plain text set in the common layout `email/layout.html`). Every template
gets `site_url`. Plain-text templates turn autoescaping off themselves.
"""

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(name, context, *, language=None):
    """Subject, text and HTML of the message `name`, in `language` (the site's default
    when the recipient has none)."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
        text = render_to_string(f"{name}.txt", context)
        try:
            html = get_template(f"{name}.html").render(context)
        except TemplateDoesNotExist:
            html = render_to_string(
                "email/layout.html", {**context, "subject": subject, "text": text}
            )
    return Rendered(subject, text, html)


def make_message(
    name,
    to,
    context,
    *,
    language=None,
    headers=None,
    reply_to=None,
    connection=None,
    attachments=None,
):
    """An EmailMultiAlternatives (text, with the HTML alternative) for one recipient;
    `attachments` is a list of (filename, content bytes, MIME type)."""
    rendered = render(name, context, language=language)
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        to=[to],
        headers=headers,
        reply_to=reply_to,
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    return message


def send(name, to, context, **options):
    """Build and send; errors of the mail server reach the caller (a task may retry)."""
    return make_message(name, to, context, **options).send()


def send_quietly(name, to, context, **options):
    """Build and send a notice whose loss must not undo the caller's work: a mail-server
    error is logged, and False returned."""
    try:
        return bool(send(name, to, context, **options))
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send the e-mail %s to %s.", name, to)
        return False
