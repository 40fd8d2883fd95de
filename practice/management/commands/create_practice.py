import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from practice.services import practice_create


class Command(BaseCommand):
    help = "Create a practice with its owner and a first API key (the key is shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--slug")
        parser.add_argument("--timezone", default="UTC", help="IANA time zone of the practice")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, name, owner_email, slug, timezone, json: bool, **options):
        try:
            practice, raw_key = practice_create(
                name=name, owner_email=owner_email, slug=slug, timezone_name=timezone
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if json:
            self.stdout.write(_as_json(practice, raw_key))
        else:
            self.stdout.write(f"Created practice {practice.name} ({practice.slug}, {practice.id})")
            self.stdout.write(f"API key: {raw_key}")
            self.stdout.write("The key is shown only now; store it safely.")


def _as_json(practice, raw_key: str) -> str:
    return json.dumps(
        {"id": str(practice.id), "slug": practice.slug, "name": practice.name, "api_key": raw_key}
    )
