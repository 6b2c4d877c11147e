"""Call-up channels both ways, end to end in a real browser: a coordinator launches a red
call-up; a real worker sends each volunteer an e-mail through django-anymail to a fake
Brevo and an SMS to a fake Twilio (tests/fakes); one volunteer answers "oui" by SMS,
the other follows the link of their e-mail; the fakes post their receipts to the live
server; the progress page shows them, the answers and the SMS cost."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from missions.models import Alert, Crisis
from tests.factories import PASSWORD, CoordinatorFactory
from tests.fakes import brevo_email_server, twilio_server  # noqa: F401 - fixtures
from tests.helpers import wait_for
from tests.missions.conftest import draft_callup, reachable_volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_A, PHONE_B = "+33612000001", "+33612000002"
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watch_errors(context, errors):
    """Console errors, page errors and CSP violations of every page of `context` (but
    the admin's missing /favicon.ico, not ours to serve)."""

    def on_console(message):
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(message.text)

    context.on("console", on_console)
    context.on("weberror", lambda error: errors.append(str(error.error)))
    context.expose_function("reportCspViolation", lambda text: errors.append(f"CSP: {text}"))
    context.add_init_script(REPORT_CSP)


def fake_providers_env(live_server, brevo, twilio, settings):
    """The worker's environment: the same providers as this process's settings."""
    return {
        "SITE_URL": live_server.url,
        "EMAIL_PROVIDER": "brevo",
        "BREVO_API_KEY": brevo.api_key,
        "BREVO_API_URL": brevo.api_url,
        "INBOUND_EMAIL_DOMAIN": brevo.inbound_domain,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_API_BASE_URL": twilio.base_url,
        "SMS_SENDER": twilio.number,
        "SMS_STATUS_CALLBACK_URL": settings.SMS_STATUS_CALLBACK_URL,
    }


@pytest.fixture
def fakes(brevo_email_server, twilio_server):  # noqa: F811 - the fixtures imported above
    """E-mail to a fake Brevo (anymail), SMS to a fake Twilio."""
    return brevo_email_server, twilio_server


@pytest.mark.worker
def test_a_red_call_up_goes_both_ways_and_the_progress_page_shows_receipts_answers_and_cost(
    live_server, page, settings, celery_worker, fakes
):
    brevo, twilio = fakes
    # Twilio signs the public URL it calls: SITE_URL must be the live server's.
    settings.SITE_URL = live_server.url
    settings.SMS_STATUS_CALLBACK_URL = live_server.url + reverse("missions:twilio_status")
    settings.SMS_PRICE_PER_SEGMENT, settings.SMS_CURRENCY = 0.05, "€"
    brevo.tracking_url = live_server.url + reverse("missions:email_tracking")
    brevo.inbound_url = live_server.url + reverse("missions:email_inbound")
    celery_worker(**fake_providers_env(live_server, brevo, twilio, settings))
    errors = []
    watch_errors(page.context, errors)

    both = {"alert_by_email": True, "alert_by_sms": True}
    anne = reachable_volunteer(phone=PHONE_A, **both)
    bruno = reachable_volunteer(phone=PHONE_B, **both)
    mobilization = draft_callup(
        title="Crue de la Seine : renfort logistique", crisis__severity=Crisis.Severity.RED
    )
    coordinator = CoordinatorFactory()

    # The coordinator launches the red call-up from the admin.
    page.goto(
        f"{live_server.url}/admin/login/?next=/admin/missions/mobilization/{mobilization.pk}/change/"
    )
    page.locator("#id_login").fill(coordinator.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text("Vague 1 : 2 nouveaux réservistes")).to_be_visible()
    page.get_by_test_id("launch-link").click()
    page.get_by_test_id("confirm-launch").click()
    expect(page.get_by_text("Mobilisation lancée : 2 réservistes")).to_be_visible()
    expect(page.get_by_test_id("accepted-count")).to_have_text("0")

    # At the red level each volunteer gets both: one e-mail at Brevo, one SMS at Twilio.
    def texts():
        return twilio.sent_to(PHONE_A) + twilio.sent_to(PHONE_B)

    wait_for(lambda: len(brevo.emails) == 2 and len(texts()) == 2, timeout=90)
    alerts = {a.volunteer_id: a for a in Alert.objects.all()}
    for volunteer, phone in ((anne, PHONE_A), (bruno, PHONE_B)):
        alert = alerts[volunteer.pk]
        assert alert.channel == Alert.Channel.BOTH
        (email,) = brevo.emails_to(volunteer.email)
        assert brevo.metadata(email) == {"reference": f"a{alert.pk}-email"}
        assert email["replyTo"]["email"] == f"reponse+{alert.token}@{brevo.inbound_domain}"
        (sms,) = twilio.sent_to(phone)
        assert alert.token in sms["body"]

    # Anne answers "oui" to the SMS: Twilio posts it to the live server, which thanks her.
    inbound = twilio.inbound(
        live_server.url + reverse("missions:twilio_inbound"), from_=PHONE_A, body="oui"
    )
    status, answer = inbound.emit()
    assert status == 200 and "merci" in answer.decode()

    # Bruno follows the link of his e-mail and accepts in his browser.
    (email,) = brevo.emails_to(bruno.email)
    link = re.search(r"http://\S+/missions/respond/[\w-]+/", email["textContent"]).group(0)
    volunteer_context = page.context.browser.new_context(locale="fr-FR")
    watch_errors(volunteer_context, errors)
    volunteer_page = volunteer_context.new_page()
    volunteer_page.goto(link)
    expect(volunteer_page.get_by_role("heading", level=1)).to_have_text(
        "Crue de la Seine : renfort logistique"
    )
    volunteer_page.get_by_role("button", name="J’accepte").click()
    expect(volunteer_page.get_by_text("vous faites partie de l’équipe")).to_be_visible()

    # The receipts: Twilio's status callbacks and Brevo's tracking webhook.
    for sms in texts():
        assert twilio.deliver(sms["sid"], "delivered")[0] == 204
    for email in brevo.emails:
        assert brevo.track(email["messageId"], "delivered")[0] == 200

    # The progress page updates by itself (it polls every 3 s).
    segments = sum(int(sms["num_segments"]) for sms in texts())
    assert segments >= 2
    expect(page.get_by_test_id("delivered-count")).to_have_text("2", timeout=15000)
    expect(page.get_by_test_id("accepted-count")).to_have_text("2", timeout=15000)
    cost = f"{segments * 0.05:.2f}".replace(".", ",")  # the French admin
    expect(page.get_by_test_id("sms-cost")).to_have_text(f"{cost} €")
    assert {a.response for a in Alert.objects.all()} == {Alert.Response.ACCEPTED}
    # Nothing went twice: still one e-mail and one SMS each.
    assert len(brevo.emails) == 2 and len(texts()) == 2
    assert errors == []
    volunteer_context.close()
