"""What the call-up channels said back, seen by volunteers and coordinators: a bouncing
address the volunteer is asked to fix, the directory's badges, SMS turned back on."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, CoordinatorFactory, UserFactory
from volunteers.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def bouncing():
    user = UserFactory(email="lea@example.org", profile__display_name="Léa Martin")
    Profile.objects.filter(user=user).update(
        email_undeliverable_at=timezone.now(),
        email_undeliverable_reason="550 5.1.1 user unknown",
    )
    return user


def test_a_volunteer_whose_address_bounces_is_asked_to_fix_it_when_they_log_in(
    client, settings, bouncing
):
    response = client.post(
        reverse("account_login"),
        {"login": "lea@example.org", "password": PASSWORD},
        follow=True,
    )
    page = response.content.decode()
    assert "ne vous parviennent plus par e-mail" in page
    assert reverse("account_email") in page


def test_a_new_confirmed_address_gets_call_ups_again(bouncing):
    from allauth.account.signals import email_confirmed

    address = EmailAddress.objects.get(user=bouncing)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    profile = Profile.objects.get(user=bouncing)
    assert profile.email_undeliverable_at is None and profile.email_undeliverable_reason == ""
    assert profile.email_works


def test_coordinators_see_bouncing_addresses_and_stopped_sms_in_the_directory(client, bouncing):
    stopped = UserFactory(profile__display_name="Sam", profile__phone="+33612345670")
    Profile.objects.filter(user=stopped).update(sms_stopped_at=timezone.now())
    client.force_login(CoordinatorFactory())
    page = client.get(reverse("volunteers:directory")).content.decode()
    assert 'data-testid="bouncing"' in page and "user unknown" in page
    assert "SMS : STOP" in page


def test_a_volunteer_who_answered_stop_turns_sms_call_ups_back_on(client):
    from tests.volunteers.test_profile_edit import profile_data

    user = UserFactory(profile__phone="+33612345678")
    Profile.objects.filter(user=user).update(alert_by_sms=False, sms_stopped_at=timezone.now())
    client.force_login(user)
    response = client.post(
        reverse("volunteers:profile_edit"),
        profile_data(phone="+33612345678", alert_by_sms="on"),
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.alert_by_sms and profile.sms_stopped_at is None and profile.sms_works
