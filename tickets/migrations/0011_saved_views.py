"""The queue: saved views, and partial indexes on the open cases in its keyset orders (tickets/queue.py)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_macros"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60)),
                (
                    "query",
                    models.CharField(help_text="e.g. severity=1&tier=premium&assignee=none", max_length=500),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name", "pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("owner", "name"), name="saved_view_name_per_owner")
                ],
            },
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True)
                & models.Q(("first_responded_at__isnull", True)),
                fields=["first_response_due", "severity", "received_at", "id"],
                name="queue_unanswered",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True)
                & models.Q(("customer_replied_at__isnull", False)),
                fields=["customer_replied_at", "severity", "received_at", "id"],
                name="queue_customer_replied",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True)
                & models.Q(("first_responded_at__isnull", False)),
                fields=["received_at", "severity", "id"],
                name="queue_answered",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True)
                & models.Q(("escalated_at__isnull", False)),
                fields=["escalated_at"],
                name="queue_escalated",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=["assignee", "first_response_due"],
                name="queue_assignee",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "closed")), fields=["-closed_at", "-id"], name="queue_closed"
            ),
        ),
    ]
