from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliance import emails  # noqa: F401 - registers the survey emails with the outbox
