# The sweeps' timers (tickets/sweeps.py): the reminder instant, the stamps of what was done for which
# instant, and partial indexes holding only what is still to do.

from django.db import migrations, models


def _differs(stamp, instant):
    return (
        models.Q(**{f"{stamp}__isnull": True})
        | models.Q(**{f"{stamp}__lt": models.F(instant)})
        | models.Q(**{f"{stamp}__gt": models.F(instant)})
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_workspace"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="auto_close_remind_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the contact is reminded that the case will close by itself.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="auto_close_reminded_for",
            field=models.DateTimeField(
                blank=True, help_text="The auto-close instant the last reminder was sent for.", null=True
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="at_risk_warned_for",
            field=models.DateTimeField(
                blank=True, help_text="The at-risk instant support was last warned for.", null=True
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="breach_marked_for",
            field=models.DateTimeField(
                blank=True, help_text="The first-response deadline last marked breached.", null=True
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    first_response_at_risk_at__isnull=False,
                    first_responded_at__isnull=True,
                    closed_at__isnull=True,
                )
                & _differs("at_risk_warned_for", "first_response_at_risk_at"),
                fields=["first_response_at_risk_at"],
                name="case_at_risk_pending",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    first_response_due__isnull=False, first_responded_at__isnull=True, closed_at__isnull=True
                )
                & _differs("breach_marked_for", "first_response_due"),
                fields=["first_response_due"],
                name="case_breach_pending",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(auto_close_remind_at__isnull=False, auto_close_at__isnull=False)
                & _differs("auto_close_reminded_for", "auto_close_at"),
                fields=["auto_close_remind_at"],
                name="case_remind_pending",
            ),
        ),
    ]
