import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from config.celery import app

logger = logging.getLogger(__name__)


def scheduled_tasks() -> dict:
    """Each job of the beat schedule and its task, every app's `tasks` module imported first
    (nothing else imports some of them in a web process); an unknown task stops the start."""
    app.loader.import_default_modules()
    return {name: app.tasks[entry["task"]] for name, entry in app.conf.beat_schedule.items()}


def run_beat_schedule_forever(stop: threading.Event, tick_seconds: float = 1.0) -> None:
    """Run each job of the beat schedule on its interval, in this process.

    Without a broker every task runs where it is called, so this thread stands in for both
    the beat process and the workers.
    """
    tasks = scheduled_tasks()
    next_run = dict.fromkeys(tasks, 0.0)
    while not stop.is_set():
        now = time.monotonic()
        for name, task in tasks.items():
            if now >= next_run[name]:
                next_run[name] = now + float(app.conf.beat_schedule[name]["schedule"])
                try:
                    task.apply()
                except Exception:
                    logger.exception("Scheduled job %s failed", name)
        stop.wait(tick_seconds)


class Command(BaseCommand):
    help = "Serve the embedded default: the web app, with the beat schedule in a thread."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port: str, **options):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError(
                "A broker is configured: run `celery -A config worker` and `celery -A config beat`."
            )
        stop = threading.Event()
        threading.Thread(target=run_beat_schedule_forever, args=(stop,), daemon=True).start()
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            stop.set()
