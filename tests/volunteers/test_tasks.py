import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, MembershipFactory, UserFactory
from volunteers.models import Profile, User
from volunteers.tasks import archive_inactive_accounts

pytestmark = pytest.mark.django_db

YEAR = datetime.timedelta(days=365)
DAY = datetime.timedelta(days=1)


def _last_seen(ago, **kwargs):
    user = UserFactory(**kwargs)
    User.objects.filter(pk=user.pk).update(
        last_login=timezone.now() - ago, date_joined=timezone.now() - ago - DAY
    )
    return user


def _warned(user, ago):
    Profile.objects.filter(user=user).update(inactivity_warned_at=timezone.now() - ago)


def test_accounts_are_warned_a_month_before_being_archived(settings):
    settings.INACTIVE_ACCOUNT_YEARS = 3
    soon = _last_seen(3 * YEAR - 20 * DAY, email="soon@example.org")
    _last_seen(3 * YEAR - 60 * DAY)  # not yet
    _last_seen(DAY)
    result = archive_inactive_accounts()
    assert result == {"warned": 1, "archived": 0, "failed": 0}
    assert [m.to for m in mail.outbox] == [[soon.email]]
    assert "un mois" in mail.outbox[0].body or "a month" in mail.outbox[0].body


def test_the_warning_is_sent_once_whatever_the_number_of_runs():
    _last_seen(3 * YEAR - 20 * DAY)
    archive_inactive_accounts()
    archive_inactive_accounts()
    assert len(mail.outbox) == 1


def test_a_warned_account_is_archived_and_anonymised_a_month_later():
    user = _last_seen(3 * YEAR + DAY, email="gone@example.org")
    membership = MembershipFactory(volunteer=user)
    _warned(user, 31 * DAY)
    assert archive_inactive_accounts() == {"warned": 0, "archived": 1, "failed": 0}
    user.refresh_from_db()
    assert user.email != "gone@example.org" and not user.is_active
    assert user.profile.status == Profile.Status.ARCHIVED
    membership.refresh_from_db()  # the project's history keeps its row
    assert archive_inactive_accounts() == {"warned": 0, "archived": 0, "failed": 0}


def test_an_account_never_warned_is_warned_first_not_archived():
    user = _last_seen(5 * YEAR)
    assert archive_inactive_accounts() == {"warned": 1, "archived": 0, "failed": 0}
    assert User.objects.get(pk=user.pk).is_active


def test_logging_in_after_the_warning_saves_the_account(client):
    user = _last_seen(3 * YEAR - 20 * DAY, email="back@example.org")
    archive_inactive_accounts()
    client.post(reverse("account_login"), {"login": "back@example.org", "password": PASSWORD})
    assert Profile.objects.get(user=user).inactivity_warned_at is None
    assert archive_inactive_accounts() == {"warned": 0, "archived": 0, "failed": 0}


def test_staff_accounts_are_never_archived():
    _last_seen(5 * YEAR, is_staff=True)
    assert archive_inactive_accounts() == {"warned": 0, "archived": 0, "failed": 0}


def test_the_warning_is_in_the_volunteers_language():
    _last_seen(3 * YEAR - 20 * DAY, language="en")
    archive_inactive_accounts()
    assert "archived" in mail.outbox[0].subject


def test_a_warning_the_mail_server_refused_is_tried_again_and_nobody_is_archived_unwarned(
    settings,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nobody listens there
    user = _last_seen(3 * YEAR - 20 * DAY)
    other = _last_seen(3 * YEAR - 10 * DAY)
    assert archive_inactive_accounts() == {"warned": 0, "archived": 0, "failed": 2}
    assert Profile.objects.filter(user__in=[user, other], inactivity_warned_at=None).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert archive_inactive_accounts() == {"warned": 2, "archived": 0, "failed": 0}
