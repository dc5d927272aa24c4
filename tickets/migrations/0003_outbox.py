"""The email outbox (tickets/outbox.py): one row per email to send."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboundEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "address",
                    models.EmailField(
                        help_text="The recipient's address when queued; the one used once sent.", max_length=254
                    ),
                ),
                ("template", models.CharField(help_text="templates/emails/<template>_*", max_length=40)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("skipped", "Skipped: the recipient may no longer read the case"),
                            ("failed", "Failed: see the last error; staff may retry"),
                            ("interrupted", "Interrupted: the sender stopped mid-send; check before retrying"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="emails", to="tickets.caseevent"
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "outbound email",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["status", "next_attempt_at"], name="outboundemail_due"),
                    models.Index(fields=["status", "claimed_at"], name="outboundemail_claimed"),
                ],
            },
        ),
    ]
