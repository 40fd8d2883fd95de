from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PracticeConfig(AppConfig):
    name = "practice"
    default = True
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from practice import tasks  # noqa: F401 - registers the practice's tasks by name


class PlatformAdminConfig(admin_apps.AdminConfig):
    """Django admin with the platform admins' site (see `practice.admin_site`)."""

    default = False
    default_site = "practice.admin_site.PlatformAdminSite"
