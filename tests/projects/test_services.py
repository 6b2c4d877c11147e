import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects import services
from projects.models import Application, Membership, Project, Qualification
from tests.factories import (
    ApplicationFactory,
    CoordinatorFactory,
    MembershipFactory,
    NeedFactory,
    PartnerFactory,
    ProjectFactory,
    QualificationFactory,
    SavedSearchFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _idea(by):
    return services.propose_project(
        by=by,
        title="Alerte canicule",
        pitch="Prévenir les personnes isolées.",
        problem="Personne ne les appelle.",
        beneficiaries="Les personnes âgées isolées.",
        one_month_deliverable="Un service d'appels.",
        help_needed="Du développement.",
        theme=Project.Theme.SOLIDARITY,
        expected_weeks=4,
        remote=True,
        place="",
    )


def test_a_proposed_idea_lands_as_idea_led_by_its_author_and_coordinators_hear_of_it(
    django_capture_on_commit_callbacks,
):
    coordinators = CoordinatorFactory.create_batch(2)
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        project = _idea(author)
    assert project.status == Project.Status.IDEA
    assert project.lead == author
    assert project.memberships.get().role == Membership.Role.LEAD
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in coordinators)
    assert "Alerte canicule" in mail.outbox[0].subject
    assert f"/admin/projects/project/{project.pk}/change/" in mail.outbox[0].body


def test_coordinators_are_told_of_an_idea_only_once(django_capture_on_commit_callbacks):
    CoordinatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        project = _idea(UserFactory())
    assert services.notify_coordinators_of_idea(project.pk) == 0
    assert len(mail.outbox) == 1


def test_a_project_keeps_its_slug_when_renamed_and_slugs_are_unique():
    first = ProjectFactory(title="Carte des fontaines")
    second = ProjectFactory(title="Carte des fontaines")
    assert (first.slug, second.slug) == ("carte-des-fontaines", "carte-des-fontaines-2")
    first.title = "Autre titre"
    first.save()
    first.refresh_from_db()
    assert first.slug == "carte-des-fontaines"
    assert ProjectFactory(title="Mine").slug == "mine-2"


def test_a_project_opens_to_volunteers_only_once_qualified():
    project = ProjectFactory(status=Project.Status.QUALIFYING, opened_at=None)
    with pytest.raises(services.NotQualified):
        services.change_status(project=project, status=Project.Status.OPEN)
    QualificationFactory(project=project, decision=Qualification.Decision.NO_GO)
    with pytest.raises(services.NotQualified):
        services.change_status(project=project, status=Project.Status.OPEN)
    project.refresh_from_db()
    assert (project.status, project.opened_at) == (Project.Status.QUALIFYING, None)


def test_opening_a_project_dates_it_once():
    project = ProjectFactory(status=Project.Status.QUALIFYING, opened_at=None)
    QualificationFactory(project=project)
    services.change_status(project=project, status=Project.Status.OPEN)
    project.refresh_from_db()
    opened_at = project.opened_at
    assert opened_at is not None
    services.change_status(project=project, status=Project.Status.IN_PROGRESS)
    services.change_status(project=project, status=Project.Status.OPEN)
    project.refresh_from_db()
    assert project.opened_at == opened_at


def test_handing_over_records_the_partner_and_the_status():
    partner = PartnerFactory(name="Ville de Lyon")
    project = ProjectFactory()
    services.hand_over(project=project, partner=partner)
    project.refresh_from_db()
    assert project.status == Project.Status.HANDED_OVER
    assert project.handed_over_to == partner
    assert partner in project.partners.all()
    assert project.handed_over_at is not None


def test_a_volunteer_applies_once_and_only_to_an_open_need_of_a_recruiting_project():
    volunteer = UserFactory()
    need = NeedFactory()
    services.apply_for_need(need=need, volunteer=volunteer, message="Dispo")
    with pytest.raises(ValidationError, match="déjà candidaté"):
        services.apply_for_need(need=need, volunteer=volunteer)
    closed = NeedFactory(is_open=False)
    with pytest.raises(ValidationError):
        services.apply_for_need(need=closed, volunteer=volunteer)
    idea = NeedFactory(project=ProjectFactory(status=Project.Status.IDEA))
    with pytest.raises(ValidationError):
        services.apply_for_need(need=idea, volunteer=volunteer)


def test_the_lead_and_co_leads_hear_of_a_new_application_once(
    django_capture_on_commit_callbacks,
):
    need = NeedFactory()
    co_lead = MembershipFactory(project=need.project, role=Membership.Role.LEAD).volunteer
    with django_capture_on_commit_callbacks(execute=True):
        application = services.apply_for_need(need=need, volunteer=UserFactory(), message="Hi")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([need.project.lead.email, co_lead.email])
    assert f"/projects/{need.project.slug}/manage/" in mail.outbox[0].body
    assert services.notify_managers_of_application(application.pk) == 0


def test_accepting_makes_a_member_closes_the_filled_need_and_tells_the_applicant(
    django_capture_on_commit_callbacks,
):
    need = NeedFactory(headcount=1, weeks=3)
    application = ApplicationFactory(need=need)
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.accept_application(application=application, by=need.project.lead)
    assert membership.volunteer == application.volunteer
    assert membership.expected_end == timezone.localdate() + datetime.timedelta(weeks=3)
    need.refresh_from_db()
    assert not need.is_open
    assert mail.outbox[0].to == [application.volunteer.email]
    assert "Bonne nouvelle" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.decline_application(application=application, by=need.project.lead, reason="other")


def test_a_declined_applicant_sees_the_reason_in_their_language(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory(volunteer=UserFactory(language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_application(
            application=application,
            by=application.need.project.lead,
            reason=Application.DeclineReason.FILLED,
            note="Merci !",
        )
    body = mail.outbox[0].body
    assert "was not accepted" in body
    assert "Need already filled" in body
    assert "Merci !" in body
    # Told once, whatever the number of runs.
    assert services.notify_applicant(application.pk) == 0


def test_leads_are_reminded_after_two_then_seven_days_once_each():
    lead = UserFactory()
    co_lead = MembershipFactory(
        project=ProjectFactory(lead=lead), role=Membership.Role.LEAD
    ).volunteer
    project = co_lead.memberships.get().project
    application = ApplicationFactory(need=NeedFactory(project=project))
    ApplicationFactory(need=NeedFactory(project=project), status=Application.Status.DECLINED)
    created = application.created_at
    assert services.remind_leads_of_pending_applications(now=created) == 0
    day3 = created + datetime.timedelta(days=3)
    assert services.remind_leads_of_pending_applications(now=day3) == 2
    assert {m.to[0] for m in mail.outbox} == {lead.email, co_lead.email}
    assert services.remind_leads_of_pending_applications(now=day3) == 0
    day8 = created + datetime.timedelta(days=8)
    assert services.remind_leads_of_pending_applications(now=day8) == 2
    assert services.remind_leads_of_pending_applications(now=day8) == 0
    assert len(mail.outbox) == 4


def test_members_are_asked_a_week_before_their_end_whether_they_go_on_once():
    today = timezone.localdate()
    due = MembershipFactory(expected_end=today + datetime.timedelta(days=6))
    MembershipFactory(expected_end=today + datetime.timedelta(days=20))
    MembershipFactory(expected_end=today + datetime.timedelta(days=3), left_at=timezone.now())
    assert services.ask_members_whether_they_continue(today=today) == 1
    assert mail.outbox[0].to == [due.volunteer.email]
    assert services.ask_members_whether_they_continue(today=today) == 0
    # Going on moves the end and asks again before the new end.
    services.extend_membership(membership=due)
    due.refresh_from_db()
    assert due.expected_end == today + datetime.timedelta(days=6, weeks=4)
    assert due.continuation_asked_at is None


def test_a_digest_lists_newly_opened_matching_projects_once():
    search = SavedSearchFactory(query="theme=health", frequency="daily")
    search.last_sent_at = timezone.now() - datetime.timedelta(days=1)
    search.save()
    ProjectFactory(title="Santé mentale", theme=Project.Theme.HEALTH)
    ProjectFactory(title="Logement", theme=Project.Theme.HOUSING)
    assert services.send_saved_search_digests(frequency="weekly") == 0
    assert services.send_saved_search_digests(frequency="daily") == 1
    assert "Santé mentale" in mail.outbox[0].body
    assert "Logement" not in mail.outbox[0].body
    assert services.send_saved_search_digests(frequency="daily") == 0


def test_a_never_search_gets_no_digest():
    search = SavedSearchFactory(query="", frequency="never")
    search.last_sent_at = timezone.now() - datetime.timedelta(days=30)
    search.save()
    ProjectFactory()
    assert services.send_saved_search_digests(frequency="never") == 0
    assert mail.outbox == []


def test_a_lead_who_leaves_the_team_no_longer_manages_the_project():
    project = ProjectFactory()
    lead = project.lead
    membership = MembershipFactory(project=project, volunteer=lead, role=Membership.Role.LEAD)
    co_lead = MembershipFactory(project=project, role=Membership.Role.LEAD).volunteer
    assert project.is_managed_by(lead)

    services.leave_project(membership=membership)

    project.refresh_from_db()
    assert project.lead is None
    assert not project.is_managed_by(lead)
    assert project.is_managed_by(co_lead)
    assert services.project_managers(project) == [co_lead]


def test_accepting_on_a_filled_role_is_refused_with_a_reason():
    need = NeedFactory(headcount=1)
    first, second = ApplicationFactory(need=need), ApplicationFactory(need=need)
    services.accept_application(application=first, by=need.project.lead)
    with pytest.raises(ValidationError, match="rouvrez-le d’abord"):
        services.accept_application(application=second, by=need.project.lead)
    second.refresh_from_db()
    assert second.status == Application.Status.PENDING
    assert Membership.objects.filter(need=need).count() == 1


def test_a_slug_taken_between_the_check_and_the_insert_gets_the_next_one(monkeypatch):
    taken = ProjectFactory(title="Alerte canicule")
    proposals = iter([taken.slug])  # the first try collides, as another request won
    real = Project._unique_slug

    def racing(self):
        return next(proposals, None) or real(self)

    monkeypatch.setattr(Project, "_unique_slug", racing)
    project = ProjectFactory(title="Alerte canicule")
    assert project.slug == "alerte-canicule-2"


def test_a_paused_volunteer_gets_no_digest_until_the_pause_ends():
    from volunteers.models import Profile

    search = SavedSearchFactory(query="", frequency="daily")
    search.last_sent_at = timezone.now() - datetime.timedelta(days=1)
    search.save()
    ProjectFactory(title="Santé mentale")
    profile = Profile.objects.get(user=search.user)
    profile.status, profile.paused_until = Profile.Status.PAUSED, None
    profile.save()
    assert services.send_saved_search_digests(frequency="daily") == 0
    profile.status = Profile.Status.ACTIVE
    profile.save()
    assert services.send_saved_search_digests(frequency="daily") == 1


def test_a_message_to_the_team_reaches_current_members_once_in_their_language(
    django_capture_on_commit_callbacks,
):
    project = ProjectFactory(title="Alerte canicule")
    lead = project.lead
    MembershipFactory(project=project, volunteer=lead, role=Membership.Role.LEAD)
    french = MembershipFactory(project=project).volunteer
    english = MembershipFactory(project=project, volunteer=UserFactory(language="en")).volunteer
    gone = MembershipFactory(project=project, left_at=timezone.now()).volunteer
    with django_capture_on_commit_callbacks(execute=True):
        message = services.write_to_team(
            project=project, author=lead, subject="Point demain", body="À 10 h, en visio."
        )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == sorted([french.email, english.email])
    assert gone.email not in by_recipient and lead.email not in by_recipient
    fr, en = by_recipient[french.email], by_recipient[english.email]
    assert fr.subject == "[Réserve] Alerte canicule — Point demain"
    assert fr.reply_to == [lead.email]
    assert "À 10 h, en visio." in fr.body and "écrit à l’équipe" in fr.body
    assert "writes to the team" in en.body
    assert services.deliver_team_message(message.pk) == 0  # a second run sends nothing
    assert len(mail.outbox) == 2
