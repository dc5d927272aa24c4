from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`), played through the services of the apps below it. No models."""

    name = "demo"
    verbose_name = "Demo data"
