from django.core.management.base import BaseCommand, CommandError

from alliance.alerts import simulation, validation
from alliance.alerts.defaults import merged_rules
from alliance.surveys.builtin_instruments import BUILT_IN_INSTRUMENTS


def _numbers(kind):
    return lambda text: tuple(kind(part) for part in text.split(","))


class Command(BaseCommand):
    help = (
        "Replay the alert rules' default decision path on simulated cohorts of every built-in "
        "instrument and print the validation table (Markdown)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=2000, help="clients per cohort")
        parser.add_argument("--seeds", type=_numbers(int), default=simulation.SEEDS)
        parser.add_argument("--noise", type=_numbers(float), default=simulation.NOISE_LEVELS)
        parser.add_argument(
            "--check",
            action="store_true",
            help="exit with an error when a target is missed at 1x noise",
        )

    def handle(self, *args, clients, seeds, noise, check, **options):
        tallies = validation.validate(
            BUILT_IN_INSTRUMENTS,
            rules=merged_rules({}),
            clients=clients,
            seeds=seeds,
            noise_levels=noise,
        )
        self.stdout.write(validation.report(tallies))
        missed = validation.targets_missed_on_held_instruments(tallies)
        if check and missed:
            raise CommandError("Targets missed at 1x noise: " + "; ".join(missed))
