"""The curated skill taxonomy and the staff groups.

The taxonomy lives here (not imported from application code) so that this
migration keeps meaning the same thing whatever the code becomes.

The groups get only volunteers' permissions here: each higher app (projects, missions,
lightsoff) grants its own in its own migrations, so that this lower layer's history
does not know the higher ones.
"""

from django.db import migrations

SKILLS = {
    "tech": [
        ("developpement-backend", "Développement back-end", "Back-end development"),
        ("developpement-frontend", "Développement front-end", "Front-end development"),
        ("developpement-mobile", "Développement mobile", "Mobile development"),
        ("devops", "DevOps et infrastructure", "DevOps and infrastructure"),
        ("securite", "Sécurité informatique", "Information security"),
        ("cartographie-sig", "Cartographie et SIG", "Mapping and GIS"),
        ("no-code", "No-code et automatisation", "No-code and automation"),
    ],
    "design": [
        ("design-ux", "Design UX", "UX design"),
        ("design-ui", "Design UI", "UI design"),
        ("recherche-utilisateur", "Recherche utilisateur", "User research"),
        ("accessibilite", "Accessibilité numérique", "Digital accessibility"),
        ("design-graphique", "Design graphique", "Graphic design"),
    ],
    "data": [
        ("data-analyse", "Analyse de données", "Data analysis"),
        ("data-science", "Data science", "Data science"),
        ("data-engineering", "Ingénierie des données", "Data engineering"),
        ("dataviz", "Visualisation de données", "Data visualisation"),
        ("ia", "Intelligence artificielle", "Artificial intelligence"),
    ],
    "product": [
        ("product-management", "Product management", "Product management"),
        ("gestion-de-projet", "Gestion de projet", "Project management"),
        ("facilitation", "Facilitation et animation", "Facilitation"),
    ],
    "communication": [
        ("communication", "Communication", "Communication"),
        ("redaction", "Rédaction", "Writing"),
        ("reseaux-sociaux", "Réseaux sociaux", "Social media"),
        ("marketing", "Marketing", "Marketing"),
        ("relations-presse", "Relations presse", "Press relations"),
        ("video", "Vidéo et motion design", "Video and motion design"),
    ],
    "entrepreneurship": [
        ("entrepreneuriat", "Entrepreneuriat", "Entrepreneurship"),
        ("partenariats", "Partenariats", "Partnerships"),
        ("levee-de-fonds", "Financement et levée de fonds", "Fundraising"),
        ("modele-economique", "Modèle économique", "Business model"),
    ],
    "legal": [
        ("droit-public", "Droit public", "Public law"),
        ("rgpd", "Protection des données (RGPD)", "Data protection (GDPR)"),
        ("achat-public", "Commande publique", "Public procurement"),
    ],
    "domain": [
        ("energie", "Énergie", "Energy"),
        ("sante", "Santé", "Health"),
        ("action-sociale", "Action sociale", "Social work"),
        ("logement", "Logement", "Housing"),
        ("environnement", "Environnement et climat", "Environment and climate"),
        ("gestion-de-crise", "Gestion de crise", "Crisis management"),
        ("secourisme", "Secourisme", "First aid"),
        ("logistique", "Logistique", "Logistics"),
    ],
}

GROUPS = {
    # Coordinators run call-ups, qualify projects and see volunteers' contact details.
    "Coordinators": [
        ("profile", ["view", "change"]),
        ("availability", ["view", "add", "change", "delete"]),
        ("profileskill", ["view", "add", "change", "delete"]),
        ("skill", ["view", "add", "change"]),
    ],
    # Moderators hide abusive LightsOff reports and merge duplicate shops: their
    # permissions are all lightsoff's, granted there.
    "Moderators": [],
}


def load(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    Skill = apps.get_model("volunteers", "Skill")
    for family, skills in SKILLS.items():
        for slug, name, name_en in skills:
            Skill.objects.update_or_create(
                slug=slug, defaults={"name": name, "name_en": name_en, "family": family}
            )

    # Permissions are created after migrations by default; create volunteers' now.
    app_config = apps.get_app_config("volunteers")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model, actions in grants:
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="volunteers", codename__in=codenames
                )
            )


def unload(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()
    slugs = [slug for skills in SKILLS.values() for slug, _, _ in skills]
    apps.get_model("volunteers", "Skill").objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load, unload)]
