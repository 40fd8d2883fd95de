from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from practice import services
from practice.models import Practice
from practice.tenancy import practice_scope

DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = (
        "Create (once) a demo practice with a clinician, a client and a session; print a new key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port: str, **options):
        practice = Practice.objects.filter(slug=DEMO_SLUG).first()
        if practice is None:
            practice, raw_key = services.practice_create(
                name="Demo Practice",
                owner_email="owner@demo.invalid",
                slug=DEMO_SLUG,
                timezone_name="Europe/Madrid",
            )
            with practice_scope(practice):
                _add_demo_records()
        else:
            # Only hashes are stored, so a returning demo gets a fresh key.
            with practice_scope(practice):
                _, raw_key = services.api_key_create(name="Demo key")
        self.stdout.write(f"API key: {raw_key}")
        self.stdout.write("Try:")
        self.stdout.write(
            f'  curl -H "Authorization: Bearer {raw_key}" http://127.0.0.1:{port}/api/v1/clients/'
        )
        self.stdout.write(f"API docs: http://127.0.0.1:{port}/api/v1/docs/")


def _add_demo_records() -> None:
    clinician = services.clinician_create(name="Dr. Ana Ruiz", email="ana@demo.invalid")
    client = services.client_create(
        name="Sam Example", email="sam@demo.invalid", clinician=clinician, survey_consent=True
    )
    services.session_create(client=client, starts_at=timezone.now() - timedelta(hours=2))
