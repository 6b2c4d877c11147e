import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from missions.models import Alert, FollowUp, Mobilization
from tests.factories import AlertFactory, UserFactory
from volunteers.models import Availability

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db


def alert_for(headcount=2, status=Mobilization.Status.LAUNCHED, **kwargs):
    mobilization = draft_callup(headcount=headcount, status=status)
    return AlertFactory(
        mobilization=mobilization,
        volunteer=reachable_volunteer(),
        status=Alert.Status.SENT,
        **kwargs,
    )


def url(alert):
    return reverse("missions:respond", args=[alert.token])


def answer(client, alert, value):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url(alert), {"answer": value}, follow=True)


def test_opening_the_link_shows_the_call_up_and_records_nothing(client):
    alert = alert_for()
    response = client.get(url(alert))
    assert response.status_code == 200
    assert alert.mobilization.title in response.text
    assert "J’accepte" in response.text and "Je décline" in response.text
    alert.refresh_from_db()
    assert alert.response == Alert.Response.NONE


def test_accepting_records_the_answer_without_logging_in(client):
    alert = alert_for()
    response = answer(client, alert, "accept")
    assert "vous faites partie de l’équipe" in response.text
    alert.refresh_from_db()
    assert alert.response == Alert.Response.ACCEPTED
    assert alert.responded_at is not None


def test_accepting_marks_the_volunteer_unavailable_on_the_call_up_dates(client):
    alert = alert_for()
    answer(client, alert, "accept")
    period = Availability.objects.get(source=f"missions.alert:{alert.pk}")
    assert period.kind == Availability.Kind.UNAVAILABLE
    assert period.profile == alert.volunteer.profile
    assert period.starts_on <= period.ends_on


def test_answering_twice_keeps_the_last_answer(client):
    alert = alert_for()
    answer(client, alert, "accept")
    answer(client, alert, "decline")
    alert.refresh_from_db()
    assert alert.response == Alert.Response.DECLINED
    assert not Availability.objects.filter(source=f"missions.alert:{alert.pk}").exists()


def test_the_last_place_fills_the_call_up_and_thanks_those_who_did_not_answer(client):
    alert = alert_for(headcount=1)
    silent = AlertFactory(
        mobilization=alert.mobilization, volunteer=reachable_volunteer(), status="sent"
    )
    answer(client, alert, "accept")
    alert.mobilization.refresh_from_db()
    assert alert.mobilization.status == Mobilization.Status.FILLED
    assert alert.mobilization.filled_at is not None
    assert [m.to for m in mail.outbox] == [[silent.volunteer.email]]
    assert "Plus besoin" in mail.outbox[0].subject
    assert FollowUp.objects.get().status == FollowUp.Status.SENT


def test_who_took_the_last_place_is_on_the_team_and_never_offered_the_wait_list(client):
    alert = alert_for(headcount=1)
    response = answer(client, alert, "accept")
    alert.mobilization.refresh_from_db()
    assert alert.mobilization.status == Mobilization.Status.FILLED
    assert "vous faites partie de l’équipe" in response.text
    # The call-up is filled by this very answer: the page speaks to a member of the team.
    for page in (response, client.get(url(alert))):
        assert "liste d’attente" not in page.text
        assert "pourvue" not in page.text
        assert "J’accepte" not in page.text
        assert "Votre place dans l’équipe vous est réservée" in page.text
        assert "Je ne peux plus venir" in page.text
    # The one button left lets them give their place back.
    answer(client, alert, "decline")
    alert.refresh_from_db()
    assert alert.response == Alert.Response.DECLINED


def test_who_is_on_the_wait_list_is_not_offered_to_join_it_again(client):
    alert = alert_for(headcount=1)
    late = AlertFactory(
        mobilization=alert.mobilization, volunteer=reachable_volunteer(), status="sent"
    )
    answer(client, alert, "accept")
    answer(client, late, "accept")
    page = client.get(url(late))
    assert "Vous êtes sur la liste d’attente" in page.text
    assert "Rejoindre la liste d’attente" not in page.text
    assert "Quitter la liste d’attente" in page.text


def test_a_filled_call_up_says_so_and_later_acceptances_go_on_the_wait_list(client):
    alert = alert_for(headcount=1)
    late = AlertFactory(
        mobilization=alert.mobilization, volunteer=reachable_volunteer(), status="sent"
    )
    answer(client, alert, "accept")
    page = client.get(url(late))
    assert "Cette mobilisation est pourvue" in page.text
    response = answer(client, late, "accept")
    assert "liste d’attente" in response.text
    late.refresh_from_db()
    assert late.response == Alert.Response.WAITLISTED


def test_a_place_freed_in_a_filled_call_up_goes_to_the_wait_list(client):
    alert = alert_for(headcount=1)
    late = AlertFactory(
        mobilization=alert.mobilization, volunteer=reachable_volunteer(), status="sent"
    )
    answer(client, alert, "accept")
    answer(client, late, "accept")
    mail.outbox.clear()
    answer(client, alert, "decline")
    late.refresh_from_db()
    assert late.response == Alert.Response.ACCEPTED
    assert Availability.objects.filter(source=f"missions.alert:{late.pk}").exists()
    # …and they are told, with the link to decline if they can no longer come.
    [told] = [m for m in mail.outbox if m.to == [late.volunteer.email]]
    assert told.subject.startswith("Vous faites partie de l’équipe")
    assert url(late) in told.body


def test_a_closed_call_up_says_so_and_offers_the_wait_list(client):
    alert = alert_for(status=Mobilization.Status.CLOSED)
    page = client.get(url(alert))
    assert "Cette mobilisation est close" in page.text
    assert "Rejoindre la liste d’attente" in page.text
    answer(client, alert, "accept")
    alert.refresh_from_db()
    assert alert.response == Alert.Response.WAITLISTED


@pytest.mark.parametrize("token", ["x" * 43, "not a token", "%27%3B--", "a" * 200])
def test_an_unknown_or_malformed_link_gives_a_clear_404_page(client, token):
    response = client.get(f"/missions/respond/{token}/")
    assert response.status_code == 404
    assert "Ce lien n’est pas valide" in response.text
    assert client.post(f"/missions/respond/{token}/", {"answer": "accept"}).status_code == 404


def test_a_bad_answer_is_refused_with_a_message(client):
    alert = alert_for()
    response = client.post(url(alert), {"answer": "maybe"})
    assert response.status_code == 400
    assert "Choisissez l’une des deux réponses" in response.text


def test_the_opt_out_link_asks_then_stops_call_ups(client):
    alert = alert_for()
    opt_out = reverse("missions:opt_out", args=[alert.token])
    assert client.get(opt_out).status_code == 200
    alert.volunteer.profile.refresh_from_db()
    assert alert.volunteer.profile.crisis_opt_in is True
    client.post(opt_out, {"List-Unsubscribe": "One-Click"})
    alert.volunteer.profile.refresh_from_db()
    assert alert.volunteer.profile.crisis_opt_in is False


def test_the_volunteer_sees_their_call_ups_and_their_calendar(client, settings):
    settings.SITE_URL = "https://reserve.example.org"
    alert = alert_for()
    answer(client, alert, "accept")
    other = UserFactory()
    client.force_login(alert.volunteer)
    page = client.get(reverse("missions:mine"))
    assert alert.mobilization.title in page.text
    feed_url = page.context["feed_url"]
    # The address is pasted into a calendar app: it names the platform, not the host asked.
    assert feed_url.startswith("https://reserve.example.org/missions/calendar/")
    assert feed_url in page.text
    client.force_login(other)
    assert alert.mobilization.title not in client.get(reverse("missions:mine")).text
    client.logout()
    feed = client.get(feed_url)
    assert feed["Content-Type"].startswith("text/calendar")
    assert f"SUMMARY:{alert.mobilization.title}" in feed.text
    # A calendar may be shared: it holds no link that answers or unsubscribes.
    unfolded = feed.text.replace("\r\n ", "")
    assert str(alert.token) not in unfolded
    assert "URL:https://reserve.example.org/missions/mine/" in unfolded
    assert client.get("/missions/calendar/" + "z" * 43 + ".ics").status_code == 404


def test_my_call_ups_needs_an_account(client):
    response = client.get(reverse("missions:mine"))
    assert response.status_code == 302


def test_the_rgpd_export_and_erasure_cover_call_ups():
    from volunteers.privacy import erase_everywhere, exported_sections

    alert = alert_for()
    volunteer = alert.volunteer
    assert exported_sections(volunteer)["missions"][0]["call_up"] == alert.mobilization.title
    erase_everywhere(volunteer)
    alert.refresh_from_db()
    assert alert.volunteer is None
    assert exported_sections(volunteer)["missions"] == []
