from django.apps import AppConfig


class AllianceConfig(AppConfig):
    """Surveys (`alliance.surveys`) and alerts (`alliance.alerts`): one app, one set of tables."""

    name = "alliance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Explicit registrations, each with a registry its owner keeps: the outbox's email
        # renderers, the ground floor's session hook, and the Celery tasks by name.
        from alliance.alerts import emails as alert_emails  # noqa: F401
        from alliance.alerts import tasks as alert_tasks  # noqa: F401
        from alliance.alerts.services import alerts_close_prompts_for_session
        from alliance.surveys import emails as survey_emails  # noqa: F401
        from alliance.surveys import tasks as survey_tasks  # noqa: F401
        from alliance.surveys.services import invitation_plan_for_session
        from practice import hooks

        hooks.session_completed.register(invitation_plan_for_session)
        hooks.session_completed.register(alerts_close_prompts_for_session)
