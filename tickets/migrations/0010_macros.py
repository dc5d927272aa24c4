from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_sweeps"),
    ]

    operations = [
        migrations.CreateModel(
            name="Macro",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("answer", "Answer"),
                            ("kb_link", "Knowledge-base article"),
                            ("design", "Explanation of design"),
                            ("patch", "Patch or upgrade"),
                            ("known_issue", "Known issue (fix planned or workaround)"),
                            ("request_info", "Request for information"),
                            ("session", "Request for a session"),
                            ("options", "Several resolution options"),
                        ],
                        max_length=20,
                        verbose_name="response kind",
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        help_text="Markdown. Placeholders: {contact_name}, {case_number}, {case_subject}, "
                        "{engineer_name}, {organization}, {account}. "
                        "Anything else in braces is left as typed.",
                        max_length=20000,
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="offered")),
            ],
            options={"ordering": ["kind", "name"]},
        ),
    ]
