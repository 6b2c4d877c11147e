# Issue #12, "the law and the figures": what was lit and the shop's size on a sighting
# (the rule and the estimate follow them); a volunteer's task area for the daily digest.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lightsoff", "0012_outreach"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sighting",
            name="lit_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("window", "Shop window or interior lights"),
                    ("sign", "Illuminated sign"),
                    ("both", "Both"),
                ],
                max_length=8,
                verbose_name="what was lit",
            ),
        ),
        migrations.AddField(
            model_name="sighting",
            name="size",
            field=models.CharField(
                blank=True,
                choices=[
                    ("small", "Small window"),
                    ("front", "Shop front"),
                    ("large", "Large store"),
                ],
                max_length=8,
                verbose_name="size",
            ),
        ),
        migrations.CreateModel(
            name="TaskArea",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("place", models.CharField(max_length=120, verbose_name="commune or postcode")),
                (
                    "latitude",
                    models.DecimalField(decimal_places=6, max_digits=9, verbose_name="latitude"),
                ),
                (
                    "longitude",
                    models.DecimalField(decimal_places=6, max_digits=9, verbose_name="longitude"),
                ),
                (
                    "radius_km",
                    models.PositiveSmallIntegerField(default=10, verbose_name="radius (km)"),
                ),
                (
                    "digest",
                    models.BooleanField(default=True, verbose_name="daily e-mail of new tasks"),
                ),
                (
                    "last_digest_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last digest at"),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="created on"),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lightsoff_task_area",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="volunteer",
                    ),
                ),
            ],
            options={"verbose_name": "task area", "verbose_name_plural": "task areas"},
        ),
    ]
