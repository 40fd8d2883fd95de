from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from practice import services
from practice.models import Membership, Practice
from practice.tenancy import practice_scope

DEMO_SLUG = "demo"
DEMO_OWNER_EMAIL = "owner@demo.invalid"
DEMO_CLINICIAN_EMAIL = "ana@demo.invalid"


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
                owner_email=DEMO_OWNER_EMAIL,
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
        self.stdout.write(
            f"Clinician's pages: open http://127.0.0.1:{port}/app/sign-in/ and enter "
            f"{DEMO_CLINICIAN_EMAIL} (the clinician) or {DEMO_OWNER_EMAIL} (the owner); "
            "the sign-in email, with its link, is printed on this console."
        )


def _add_demo_records() -> None:
    clinician = services.clinician_create(name="Dr. Ana Ruiz", email=DEMO_CLINICIAN_EMAIL)
    services.member_create(
        email=DEMO_CLINICIAN_EMAIL, role=Membership.Role.CLINICIAN, clinician=clinician
    )
    client = services.client_create(
        name="Sam Example", email="sam@demo.invalid", clinician=clinician, survey_consent=True
    )
    services.session_create(client=client, starts_at=timezone.now() - timedelta(hours=2))
