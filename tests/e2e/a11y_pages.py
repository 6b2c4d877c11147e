"""The pages the accessibility gates check (issue #13), and the data that fills them.

One `Site` of ordinary data (a volunteer, a coordinator, a project with a need, a launched
call-up with an alert, a shop with its sightings) and the inventory of pages over it: every
public page, the volunteer's pages and the coordinator's key admin pages. A page added to
the site is added here, so that the gates look at it too.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from lightsoff.models import Commune, FollowUp, TownHall, TownHallAgent
from lightsoff.services import outreach, town_halls
from missions.models import Alert, Mobilization
from tests.factories import (
    ApplicationFactory,
    AvailabilityFactory,
    ContactActionFactory,
    CoordinatorFactory,
    CrisisFactory,
    MembershipFactory,
    MobilizationFactory,
    NeedFactory,
    ProfileSkillFactory,
    ProjectFactory,
    QualificationFactory,
    ReporterSubscriptionFactory,
    ShopFactory,
    SightingFactory,
    UpdateFactory,
    UserFactory,
    VolunteerContactTaskFactory,
    skill,
)

PUBLIC, VOLUNTEER, COORDINATOR, TOWN_HALL = "public", "volunteer", "coordinator", "town hall"


@dataclass
class Site:
    volunteer: object
    coordinator: object
    project: object
    need: object
    led_project: object
    draft: object
    launched: object
    alert: object
    shop: object
    subscription: object
    follow_up: object
    town_hall_agent: object


def build_site():
    """The data every page of the inventory needs, made with the factories."""
    today = timezone.localdate()
    volunteer = UserFactory(
        email="camille@example.org",
        profile__display_name="Camille Martin",
        profile__bio="Développeuse, dix ans dans le service public.",
        profile__region="11",
        profile__crisis_opt_in=True,
        profile__quiet_hours_start=datetime.time(0, 0),
        profile__quiet_hours_end=datetime.time(0, 0),
    )
    profile = volunteer.profile
    profile.onboarding_completed_at = timezone.now()
    profile.save(update_fields=["onboarding_completed_at"])
    ProfileSkillFactory(profile=profile, skill=skill("developpement-backend"))
    AvailabilityFactory(
        profile=profile,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=30),
    )
    coordinator = CoordinatorFactory(profile__display_name="Alex Coordination")

    project = ProjectFactory(title="Repérer les foyers isolés pendant les canicules")
    need = NeedFactory(project=project)
    NeedFactory(project=project, skill=skill("developpement-backend"), headcount=1)
    QualificationFactory(project=project)
    UpdateFactory(project=project, author=project.lead)
    ApplicationFactory(need=need, volunteer=volunteer)
    ProjectFactory(title="Un annuaire des tiers-lieux", status="idea", opened_at=None)

    led_project = ProjectFactory(title="Simulateur d'aides au chauffage", lead=volunteer)
    led_need = NeedFactory(project=led_project)
    ApplicationFactory(need=led_need)
    MembershipFactory(project=led_project, volunteer=UserFactory())

    crisis = CrisisFactory(title="Vague de froid en Île-de-France")
    draft = MobilizationFactory(crisis=crisis, title="Renfort maraudes de nuit")
    draft.skills.set([skill("developpement-backend")])
    launched = MobilizationFactory(
        crisis=crisis,
        title="Cartographier les centres d'hébergement",
        status=Mobilization.Status.LAUNCHED,
        launched_at=timezone.now(),
        current_wave=1,
    )
    alert = Alert.objects.create(
        mobilization=launched, volunteer=volunteer, status=Alert.Status.SENT, sent_at=timezone.now()
    )
    Alert.objects.create(
        mobilization=launched,
        volunteer=UserFactory(),
        status=Alert.Status.SENT,
        sent_at=timezone.now(),
        response=Alert.Response.ACCEPTED,
        responded_at=timezone.now(),
    )

    commune = Commune.objects.create(insee_code="75111", name="Paris 11e", departement="75")
    TownHall.objects.create(commune=commune, name="Mairie du 11e", email="mairie11@example.fr")
    agent = TownHallAgent.objects.create(user=UserFactory(email="agent@mairie11.example"))
    agent.communes.add(commune)
    town_halls.sync_town_hall_group(agent)

    shop = ShopFactory(name="Boulangerie de la Roquette", commune=commune)
    SightingFactory(shop=shop)
    ContactActionFactory(shop=shop)
    VolunteerContactTaskFactory(
        shop=ShopFactory(
            name="Pharmacie du Faubourg",
            latitude=Decimal("48.852000"),
            longitude=Decimal("2.375000"),
        )
    )
    subscription = ReporterSubscriptionFactory(shop=shop)
    follow_up = FollowUp.objects.create(subscription=subscription)
    return Site(
        volunteer=volunteer,
        coordinator=coordinator,
        project=project,
        need=need,
        led_project=led_project,
        draft=draft,
        launched=launched,
        alert=alert,
        shop=shop,
        subscription=subscription,
        follow_up=follow_up,
        town_hall_agent=agent.user,
    )


@dataclass(frozen=True)
class Page:
    """A page of the inventory: its name in reports, how to reach it, who looks at it."""

    name: str
    path: object  # Site -> the path to open
    who: str = PUBLIC
    # A selector that appears once the page's own script has done its work (the map).
    ready: str | None = None
    status: int = 200


def _static(path):
    return lambda site: path


PAGES = [
    # --- Public pages ---------------------------------------------------------------
    Page("home", _static("/")),
    Page("about", _static("/pages/about/")),
    Page("legal", _static("/pages/legal/")),
    Page("privacy", _static("/pages/privacy/")),
    Page("accessibility", _static("/pages/accessibility/")),
    Page("volunteers-intro", _static("/volunteers/")),
    Page("projects-backlog", _static("/projects/")),
    Page("project-detail", lambda site: site.project.get_absolute_url()),
    Page("missions-intro", _static("/missions/")),
    Page("missions-answer", lambda site: f"/missions/respond/{site.alert.token}/"),
    Page("missions-opt-out", lambda site: f"/missions/opt-out/{site.alert.token}/"),
    Page("lightsoff-map", _static("/lightsoff/"), ready="#lightsoff-map[data-loaded-zoom]"),
    Page("lightsoff-report", _static("/lightsoff/report/")),
    Page("lightsoff-shop", lambda site: site.shop.get_absolute_url()),
    Page("lightsoff-letter", lambda site: f"/lightsoff/shops/{site.shop.pk}/letter/"),
    Page(
        "lightsoff-subscription",
        lambda site: f"/lightsoff/subscriptions/{site.subscription.token}/confirm/",
    ),
    Page("lightsoff-stats", _static("/lightsoff/stats/")),
    Page(
        "lightsoff-shop-answer",
        lambda site: f"/lightsoff/answer/{outreach.answer_token(site.shop)}/",
    ),
    Page(
        "lightsoff-shop-opt-out",
        lambda site: f"/lightsoff/stop/{outreach.opt_out_token(site.shop)}/",
    ),
    Page(
        "lightsoff-follow-up",
        lambda site: f"/lightsoff/follow-up/{outreach.follow_up_token(site.follow_up, True)}/",
    ),
    Page("login", _static("/accounts/login/")),
    Page("signup", _static("/accounts/signup/")),
    Page("password-reset", _static("/accounts/password/reset/")),
    Page("password-reset-done", _static("/accounts/password/reset/done/")),
    Page("password-reset-bad-key", _static("/accounts/password/reset/key/0-expired/")),
    Page("verification-sent", _static("/accounts/confirm-email/")),
    Page("not-found", _static("/no-such-page/"), status=404),
    # --- The volunteer's pages (logged in) -------------------------------------------
    Page("space", _static("/volunteers/"), VOLUNTEER),
    Page("profile-form", _static("/volunteers/me/"), VOLUNTEER),
    Page("onboarding", _static("/volunteers/welcome/"), VOLUNTEER),
    Page("my-projects", _static("/projects/mine/"), VOLUNTEER),
    Page("my-missions", _static("/missions/mine/"), VOLUNTEER),
    Page("propose-project", _static("/projects/propose/"), VOLUNTEER),
    Page(
        "apply",
        lambda site: f"/projects/{site.project.slug}/apply/{site.need.pk}/",
        VOLUNTEER,
    ),
    Page("lead-manage", lambda site: f"/projects/{site.led_project.slug}/manage/", VOLUNTEER),
    Page("lightsoff-tasks", _static("/lightsoff/tasks/"), VOLUNTEER),
    Page("lightsoff-rounds", _static("/lightsoff/rounds/"), VOLUNTEER),
    Page("need-form", lambda site: f"/projects/{site.led_project.slug}/needs/add/", VOLUNTEER),
    Page("consent", _static("/volunteers/consent/"), VOLUNTEER),
    Page("delete-account", _static("/volunteers/me/delete/"), VOLUNTEER),
    Page("account-emails", _static("/accounts/email/"), VOLUNTEER),
    Page("password-change", _static("/accounts/password/change/"), VOLUNTEER),
    Page("two-factor", _static("/accounts/2fa/"), VOLUNTEER),
    Page("logout", _static("/accounts/logout/"), VOLUNTEER),
    # The directory is the coordinators': a volunteer gets the 403 page.
    Page("forbidden", _static("/volunteers/directory/"), VOLUNTEER, status=403),
    # --- The town hall's space ------------------------------------------------------
    Page("mairie", _static("/lightsoff/mairie/"), TOWN_HALL),
    Page("mairie-shop", lambda site: f"/lightsoff/mairie/shops/{site.shop.pk}/", TOWN_HALL),
    # --- The coordinator's key admin pages -------------------------------------------
    Page("admin-index", _static("/admin/"), COORDINATOR),
    Page("admin-callups", _static("/admin/missions/mobilization/"), COORDINATOR),
    Page(
        "admin-callup-draft",
        lambda site: f"/admin/missions/mobilization/{site.draft.pk}/change/",
        COORDINATOR,
    ),
    Page(
        "admin-callup-progress",
        lambda site: f"/admin/missions/mobilization/{site.launched.pk}/progress/",
        COORDINATOR,
    ),
    Page("admin-projects", _static("/admin/projects/project/"), COORDINATOR),
    Page(
        "admin-project",
        lambda site: f"/admin/projects/project/{site.project.pk}/change/",
        COORDINATOR,
    ),
    Page("admin-shops", _static("/admin/lightsoff/shop/"), COORDINATOR),
    Page("volunteers-directory", _static("/volunteers/directory/"), COORDINATOR),
    Page(
        "volunteer-profile",
        lambda site: f"/volunteers/{site.volunteer.profile.pk}/",
        COORDINATOR,
    ),
]

PUBLIC_PAGES = [page for page in PAGES if page.who == PUBLIC]

# The URL names of our apps that are no page of their own: feeds, APIs, exports, webhooks,
# actions that only take a POST, and views whose page is in the inventory under another name.
NOT_PAGES = {
    "healthz",
    "favicon",
    "projects:feed",
    "projects:save_search",
    "projects:update_search",
    "projects:leave",
    "projects:extend",
    "projects:withdraw",
    "projects:post_update",
    "projects:write_to_team",
    "projects:decide",
    "projects:edit_need",  # projects/need_form.html, as projects:add_need
    "missions:calendar",
    "missions:twilio_status",
    "missions:twilio_inbound",
    "missions:brevo_sms",
    "missions:email_tracking",
    "missions:email_inbound",
    "lightsoff:contacted",
    "lightsoff:check",
    "lightsoff:delegate",
    "lightsoff:subscribe",
    "lightsoff:subscription_unsubscribe",  # lightsoff/subscription.html, as the confirmation
    "lightsoff:api_shops",
    "lightsoff:api_nearby",
    "lightsoff:api_reverse",
    "lightsoff:export_shops_csv",
    "lightsoff:export_shops_geojson",
    "lightsoff:export_sightings_csv",
    "lightsoff:export_sightings_geojson",
    "lightsoff:task_take",
    "lightsoff:task_done",
    "lightsoff:task_area",
    "lightsoff:platform_contact",
    "lightsoff:task_platform_contact",
    "lightsoff:mairie_dossier",  # a PDF
    "lightsoff:mairie_export",
    "volunteers:export",
    "volunteers:directory_csv",
}
OUR_NAMESPACES = {"projects", "missions", "lightsoff", "volunteers"}

# The error pages a visitor may meet but no URL leads to on purpose: the Nu checker
# validates them rendered as the error handlers render them.
ERROR_TEMPLATES = {
    "error-403": "403.html",
    "error-429": "429.html",
    "error-500": "500.html",
    "error-400": "error.html",
    "lightsoff-429": "lightsoff/429.html",
}
