"""#12 outreach: the platform's messages to shops, the shops' answers and opt-outs,
the four-week follow-ups; ContactAction.by_platform. Moderators (and coordinators)
read the messages and publish or reject the answers in the admin."""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The same routine as 0004 (create the permissions, give them), with these grants.
permissions = import_module("lightsoff.migrations.0004_group_permissions")
GRANTS = {
    "Coordinators": [
        ("shopmessage", ["view"]),
        ("shopanswer", ["view", "change"]),
        ("shopoptout", ["view", "add", "change", "delete"]),
    ],
    "Moderators": [
        ("shopmessage", ["view"]),
        ("shopanswer", ["view", "change"]),
        ("shopoptout", ["view", "add"]),
    ],
}


def grant(apps, schema_editor):
    permissions.grant(apps, schema_editor, GRANTS)


def revoke(apps, schema_editor):
    permissions.revoke(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("lightsoff", "0011_map_cell_levels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("volunteers", "0002_skills_and_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactaction",
            name="by_platform",
            field=models.BooleanField(default=False, verbose_name="sent by Réserve"),
        ),
        migrations.CreateModel(
            name="FollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="sent at")),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="answered at"),
                ),
                (
                    "subscription",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_up",
                        to="lightsoff.reportersubscription",
                        verbose_name="subscription",
                    ),
                ),
            ],
            options={
                "verbose_name": "follow-up",
                "verbose_name_plural": "follow-ups",
            },
        ),
        migrations.CreateModel(
            name="ShopAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("off", "The lights are now off / a timer is installed"),
                            ("exception", "We have an exception from the préfet"),
                            (
                                "allowed",
                                "This light is allowed (security lighting, activity going on)",
                            ),
                            ("not_ours", "Not our shop / wrong place"),
                            ("stop", "Stop contacting us"),
                        ],
                        max_length=10,
                        verbose_name="answer",
                    ),
                ),
                ("effective_on", models.DateField(blank=True, null=True, verbose_name="since")),
                (
                    "exception_reference",
                    models.CharField(
                        blank=True,
                        max_length=120,
                        verbose_name="reference of the préfet's exception",
                    ),
                ),
                ("text", models.TextField(blank=True, max_length=2000, verbose_name="message")),
                (
                    "ip_hash",
                    models.CharField(
                        blank=True,
                        editable=False,
                        max_length=64,
                        verbose_name="IP address fingerprint",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for a moderator"),
                            ("published", "Published"),
                            ("rejected", "Rejected"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="received on")),
                (
                    "moderated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="moderated on"),
                ),
                (
                    "moderated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="moderated by",
                    ),
                ),
                (
                    "shop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="lightsoff.shop",
                        verbose_name="shop",
                    ),
                ),
            ],
            options={
                "verbose_name": "shop's answer",
                "verbose_name_plural": "shops' answers",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ShopOptOut",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="opted out on"),
                ),
                (
                    "shop",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opt_out",
                        to="lightsoff.shop",
                        verbose_name="shop",
                    ),
                ),
            ],
            options={
                "verbose_name": "shop opt-out",
                "verbose_name_plural": "shop opt-outs",
            },
        ),
        migrations.CreateModel(
            name="ShopMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("email", "E-mail"), ("sms", "SMS")],
                        max_length=8,
                        verbose_name="channel",
                    ),
                ),
                ("recipient", models.CharField(max_length=254, verbose_name="recipient")),
                (
                    "ip_hash",
                    models.CharField(
                        blank=True,
                        editable=False,
                        max_length=64,
                        verbose_name="IP address fingerprint",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("scheduled", "Scheduled"),
                            ("sending", "Being sent"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="scheduled",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("requested_at", models.DateTimeField(verbose_name="requested at")),
                ("send_after", models.DateTimeField(verbose_name="send after")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "provider_id",
                    models.CharField(blank=True, max_length=128, verbose_name="provider id"),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                ("batch", models.UUIDField(db_index=True, editable=False, verbose_name="request")),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "shop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="lightsoff.shop",
                        verbose_name="shop",
                    ),
                ),
            ],
            options={
                "verbose_name": "message to a shop",
                "verbose_name_plural": "messages to shops",
                "ordering": ["-requested_at"],
                "indexes": [
                    models.Index(
                        fields=["status", "send_after"], name="lightsoff_s_status_ecf810_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
