from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from notifications import (
            email_events,
            tasks,  # noqa: F401 - registers the delivery tasks by name
        )
        from notifications.services import import_completed_notify, messages_erase_for_client
        from practice import hooks

        hooks.client_erasing.register(messages_erase_for_client)
        hooks.import_completed.register(import_completed_notify)
        email_events.connect()
