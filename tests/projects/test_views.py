import re

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import Application, Membership, Need, Project
from tests.factories import (
    ApplicationFactory,
    CoordinatorFactory,
    MembershipFactory,
    NeedFactory,
    PartnerFactory,
    ProjectFactory,
    QualificationFactory,
    SavedSearchFactory,
    UpdateFactory,
    UserFactory,
    skill,
)

pytestmark = pytest.mark.django_db

IDEA = {
    "title": "Alerte canicule",
    "pitch": "Prévenir les personnes isolées.",
    "problem": "Personne ne les appelle pendant les canicules.",
    "beneficiaries": "Les personnes âgées isolées.",
    "one_month_deliverable": "Un service d'appels testé dans une commune.",
    "help_needed": "Du développement et du design.",
    "theme": "solidarity",
    "expected_weeks": "4",
    "remote": "on",
    "place": "",
}


def test_proposing_an_idea_lands_it_as_idea_and_mails_coordinators(
    client, django_capture_on_commit_callbacks
):
    coordinator = CoordinatorFactory()
    author = UserFactory()
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:propose"), IDEA)
    project = Project.objects.get(title="Alerte canicule")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.status == Project.Status.IDEA
    assert project.lead == author
    assert [m.to for m in mail.outbox] == [[coordinator.email]]


def test_a_bad_idea_form_shows_messages_on_the_fields_and_keeps_what_was_typed(client):
    client.force_login(UserFactory())
    data = {**IDEA, "problem": "", "expected_weeks": "500", "remote": "", "place": ""}
    response = client.post(reverse("projects:propose"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"problem", "expected_weeks", "place"}
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html
    assert 'value="Alerte canicule"' in html
    assert 'aria-invalid="true"' in html
    assert not Project.objects.exists()


def test_the_project_page_shows_problem_qualification_needs_team_partners_and_news(client):
    project = ProjectFactory(problem="Les foyers ont froid.")
    QualificationFactory(project=project, blind_spot="Angle mort identifié")
    NeedFactory(project=project, title="Designer")
    member = MembershipFactory(project=project, volunteer=UserFactory(profile__display_name="Ada"))
    MembershipFactory(project=project, volunteer=UserFactory(email="secret@example.org"))
    project.partners.add(PartnerFactory(name="CCAS de Lille"))
    UpdateFactory(project=project, author=member.volunteer, body="Prototype en ligne")
    html = client.get(project.get_absolute_url()).content.decode()
    for text in ("Les foyers ont froid.", "Angle mort identifié", "Designer", "Ada"):
        assert text in html
    assert "CCAS de Lille" in html
    assert "Prototype en ligne" in html
    # Public names only: an e-mail address is never shown to the public.
    assert "secret@example.org" not in html
    assert "Un·e réserviste" in html


def test_the_project_page_query_count_does_not_grow_with_the_team(
    client, django_assert_max_num_queries
):
    project = ProjectFactory()
    QualificationFactory(project=project)

    def grow():
        need = NeedFactory(project=project)
        member = MembershipFactory(project=project, need=need)
        UpdateFactory(project=project, author=member.volunteer)
        project.partners.add(PartnerFactory())

    grow()
    client.force_login(UserFactory())
    with django_assert_max_num_queries(20) as few:
        client.get(project.get_absolute_url())
    for _ in range(6):
        grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(project.get_absolute_url())


def test_an_unknown_or_archived_project_is_a_404(client):
    archived = ProjectFactory(status=Project.Status.ARCHIVED)
    assert client.get(archived.get_absolute_url()).status_code == 404
    assert client.get("/projects/nope/").status_code == 404


def test_a_volunteer_applies_with_a_message_and_sees_it_in_their_space(client):
    need = NeedFactory(project=ProjectFactory(title="Carte des fontaines"))
    volunteer = UserFactory()
    client.force_login(volunteer)
    url = reverse("projects:apply", kwargs={"slug": need.project.slug, "need_id": need.pk})
    empty = client.post(url, {"message": ""})
    assert empty.status_code == 200
    assert empty.context["form"].errors["message"]
    response = client.post(url, {"message": "Trois semaines dispo"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:mine")
    assert need.project.title in response.content.decode()
    assert Application.objects.get().message == "Trois semaines dispo"
    again = client.post(url, {"message": "Encore"})
    assert again.status_code == 200
    assert "Vous avez déjà candidaté à ce rôle." in again.content.decode()


def test_the_apply_page_of_a_need_of_another_project_is_a_404(client):
    need = NeedFactory()
    client.force_login(UserFactory())
    url = reverse("projects:apply", kwargs={"slug": ProjectFactory().slug, "need_id": need.pk})
    assert client.get(url).status_code == 404


def test_declining_without_a_reason_says_so_next_to_the_field(client):
    application = ApplicationFactory()
    project = application.need.project
    client.force_login(project.lead)
    url = reverse("projects:decide", kwargs={"slug": project.slug, "pk": application.pk})
    response = client.post(url, {"decision": "decline", "reason": ""})
    assert response.status_code == 200
    assert "Choisissez un motif : le candidat le verra." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_the_lead_declines_with_a_reason_the_applicant_sees(
    client, django_capture_on_commit_callbacks
):
    application = ApplicationFactory()
    project = application.need.project
    client.force_login(project.lead)
    url = reverse("projects:decide", kwargs={"slug": project.slug, "pk": application.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "decline", "reason": "profile", "note": "Revenez vite"})
    assert mail.outbox[0].to == [application.volunteer.email]
    client.force_login(application.volunteer)
    html = client.get(reverse("projects:mine")).content.decode()
    assert "Le profil ne correspond pas" in html
    assert "Revenez vite" in html


def test_the_lead_adds_and_edits_needs_with_messages_on_bad_numbers(client):
    project = ProjectFactory()
    client.force_login(project.lead)
    url = reverse("projects:add_need", kwargs={"slug": project.slug})
    data = {"skill": skill("dataviz").pk, "title": "Dataviz", "headcount": "1"}
    bad = client.post(url, {**data, "hours_per_week": "99", "weeks": "4", "is_open": "on"})
    assert bad.status_code == 200
    assert bad.context["need_form"].errors["hours_per_week"]
    client.post(url, {**data, "hours_per_week": "6", "weeks": "4", "is_open": "on"})
    need = Need.objects.get(project=project)
    edit = reverse("projects:edit_need", kwargs={"slug": project.slug, "pk": need.pk})
    client.post(edit, {**data, "hours_per_week": "6", "weeks": "4"})
    need.refresh_from_db()
    assert not need.is_open


def test_the_lead_space_query_count_does_not_grow_with_applicants(
    client, django_assert_max_num_queries
):
    project = ProjectFactory()
    need = NeedFactory(project=project)
    ApplicationFactory(need=need)
    MembershipFactory(project=project, need=need)
    client.force_login(project.lead)
    url = reverse("projects:manage", kwargs={"slug": project.slug})
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for _ in range(5):
        other = NeedFactory(project=project)
        ApplicationFactory(need=other)
        MembershipFactory(project=project, need=other)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_my_space_lists_applications_teams_led_projects_and_searches(
    client, django_assert_max_num_queries
):
    volunteer = UserFactory()
    ApplicationFactory(volunteer=volunteer, need=NeedFactory(project=ProjectFactory(title="A")))
    MembershipFactory(volunteer=volunteer, project=ProjectFactory(title="B"))
    led = ProjectFactory(title="C", lead=volunteer)
    ApplicationFactory(need=NeedFactory(project=led))
    SavedSearchFactory(user=volunteer, name="Ma recherche santé")
    client.force_login(volunteer)
    with django_assert_max_num_queries(20) as few:
        html = client.get(reverse("projects:mine")).content.decode()
    for text in (">A<", ">B<", ">C<", "Ma recherche santé", "1 candidature en attente"):
        assert text in html
    for i in range(4):
        ApplicationFactory(volunteer=volunteer)
        MembershipFactory(volunteer=volunteer)
        SavedSearchFactory(user=volunteer, name=f"R{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("projects:mine"))


def test_a_member_leaves_or_goes_on_from_their_space(client):
    membership = MembershipFactory()
    client.force_login(membership.volunteer)
    client.post(reverse("projects:extend", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.expected_end is not None
    client.post(reverse("projects:leave", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.left_at is not None


def test_a_volunteer_changes_a_digest_frequency_and_deletes_a_search(client):
    search = SavedSearchFactory(frequency="daily")
    client.force_login(search.user)
    client.post(reverse("projects:update_search", args=[search.pk]), {"frequency": "weekly"})
    search.refresh_from_db()
    assert search.frequency == "weekly"
    client.post(reverse("projects:update_search", args=[search.pk]), {"frequency": "hourly"})
    search.refresh_from_db()
    assert search.frequency == "weekly"
    client.post(reverse("projects:update_search", args=[search.pk]), {"delete": "1"})
    assert not search.user.saved_searches.exists()


def test_a_withdrawn_application_stays_withdrawn(client):
    application = ApplicationFactory()
    client.force_login(application.volunteer)
    client.post(reverse("projects:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_my_projects_is_a_section_of_the_volunteer_space():
    from volunteers.space import space_sections

    assert "projects:mine" in [s.url_name for s in space_sections()]


def test_an_accepted_member_cannot_apply_again_to_the_same_project(client):
    membership = MembershipFactory(role=Membership.Role.MEMBER)
    need = NeedFactory(project=membership.project)
    client.force_login(membership.volunteer)
    html = client.get(membership.project.get_absolute_url()).content.decode()
    assert reverse("projects:apply", args=[membership.project.slug, need.pk]) not in html


def test_the_lead_space_has_unique_ids_so_every_label_points_to_its_field(client):
    project = ProjectFactory()
    need = NeedFactory(project=project)
    ApplicationFactory.create_batch(2, need=need)
    client.force_login(project.lead)
    html = client.get(reverse("projects:manage", kwargs={"slug": project.slug})).content.decode()
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_the_lead_sees_the_team_by_name_and_only_coordinators_see_e_mails(client):
    project = ProjectFactory()
    member = MembershipFactory(project=project).volunteer
    url = reverse("projects:manage", kwargs={"slug": project.slug})
    client.force_login(project.lead)
    page = client.get(url).content.decode()
    assert member.email not in page
    client.force_login(CoordinatorFactory())
    assert member.email in client.get(url).content.decode()


def test_a_news_too_long_is_answered_on_the_field_and_kept(client):
    project = ProjectFactory()
    client.force_login(project.lead)
    body = "Nouvelles du projet. " * 120  # 2,520 characters
    response = client.post(
        reverse("projects:post_update", kwargs={"slug": project.slug}), {"body": body}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "au plus 2000 caractères" in page
    assert body.strip() in page
    assert not project.updates.exists()
