from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    default_auto_field = "django.db.models.BigAutoField"
