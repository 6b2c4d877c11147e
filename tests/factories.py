"""factory-boy factories for every app: `UserFactory()`, `ProjectFactory(status=…)`…"""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from lightsoff.models import (
    ContactAction,
    ReporterSubscription,
    Shop,
    Sighting,
    VolunteerContactTask,
)
from missions.models import Alert, Crisis, Mobilization
from projects.models import (
    Application,
    Membership,
    Need,
    Partner,
    Project,
    Qualification,
    SavedSearch,
    Update,
)
from volunteers.models import COORDINATORS_GROUP, Availability, ProfileSkill, Skill, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """An active volunteer with a verified e-mail address (so that they can log in)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"volunteer{n}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def consented(obj, create, extracted, **kwargs):
        """Accepted the current privacy notice, unless `UserFactory(consented=False)`."""
        if create and extracted is not False:
            obj.profile.record_consent()
            obj.profile.save(update_fields=["consent_version", "consented_at"])

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        """`UserFactory(profile__region="11", profile__crisis_opt_in=True)`."""
        if create and kwargs:
            for field, value in kwargs.items():
                setattr(obj.profile, field, value)
            obj.profile.save()


class CoordinatorFactory(UserFactory):
    email = factory.Sequence(lambda n: f"coordinator{n}@example.org")
    is_staff = True

    @factory.post_generation
    def coordinators_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=COORDINATORS_GROUP))


def skill(slug):
    """A skill of the taxonomy loaded by the migrations."""
    return Skill.objects.get(slug=slug)


class ProfileSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileSkill

    profile = factory.LazyFunction(lambda: UserFactory().profile)
    skill = factory.LazyFunction(lambda: skill("developpement-backend"))
    level = ProfileSkill.Level.CONFIRMED


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Availability

    profile = factory.LazyFunction(lambda: UserFactory().profile)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=14))
    hours_per_week = 20


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    kind = Partner.Kind.PUBLIC_BODY


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Projet d'intérêt général {n}")
    pitch = "Un outil utile, construit en un mois."
    problem = "Un problème réel, identifié avec des agents publics."
    theme = Project.Theme.ENERGY_CLIMATE
    status = Project.Status.OPEN
    lead = factory.SubFactory(UserFactory)
    opened_at = factory.LazyFunction(timezone.now)


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    project = factory.SubFactory(ProjectFactory)
    skill = factory.LazyFunction(lambda: skill("design-ux"))
    headcount = 2


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    need = factory.SubFactory(NeedFactory)
    volunteer = factory.SubFactory(UserFactory)
    message = "Je suis disponible trois semaines."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    volunteer = factory.SubFactory(UserFactory)


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    project = factory.SubFactory(ProjectFactory)
    blind_spot = "Personne ne repère ces foyers à temps."
    urgent_need = "L'hiver arrive."
    one_month_deliverable = "Un outil testé avec un CCAS."
    decision = Qualification.Decision.GO
    decided_on = factory.LazyFunction(timezone.localdate)


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Update

    project = factory.SubFactory(ProjectFactory)
    author = factory.SubFactory(UserFactory)
    body = "Premier prototype en ligne."


class SavedSearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedSearch

    user = factory.SubFactory(UserFactory)
    name = "Santé"
    query = "theme=health"
    frequency = SavedSearch.Frequency.DAILY


class CrisisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crisis

    kind = Crisis.Kind.COLD_WAVE
    title = factory.Sequence(lambda n: f"Vague de froid {n}")
    severity = Crisis.Severity.ORANGE
    regions = ["11"]
    opened_at = factory.LazyFunction(timezone.now)


class MobilizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mobilization

    crisis = factory.SubFactory(CrisisFactory)
    title = factory.Sequence(lambda n: f"Renfort maraudes {n}")
    ask = "Aider à coordonner les maraudes pendant une semaine."
    headcount = 5
    regions = ["11"]
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=8))
    response_deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=12))


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    mobilization = factory.SubFactory(MobilizationFactory)
    volunteer = factory.SubFactory(UserFactory)


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    name = factory.Sequence(lambda n: f"Boulangerie {n}")
    address = "12 rue de la Roquette"
    postcode = "75011"
    city = "Paris"
    latitude = Decimal("48.853500")
    longitude = Decimal("2.372000")
    sightings_count = 1


class SightingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sighting

    shop = factory.SubFactory(ShopFactory)
    seen_at = factory.LazyFunction(timezone.now)


class ContactActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactAction

    shop = factory.SubFactory(ShopFactory)
    channel = ContactAction.Channel.PHONE
    done_at = factory.LazyFunction(timezone.now)


class VolunteerContactTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerContactTask

    shop = factory.SubFactory(ShopFactory)


class ReporterSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReporterSubscription

    shop = factory.SubFactory(ShopFactory)
    email = factory.Sequence(lambda n: f"reporter{n}@example.org")


class ModeratorFactory(UserFactory):
    """A LightsOff moderator: staff in the Moderators group."""

    email = factory.Sequence(lambda n: f"moderator{n}@example.org")
    is_staff = True

    @factory.post_generation
    def moderators_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name="Moderators"))
