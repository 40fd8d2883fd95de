"""Where one API path spends its time, in process: `python -m bench.profile PATH`.

The bench's bare views are mounted too, so `/bare/...` profiles the reference of a path.

Requests go through Django's test client with a key of a seeded practice (as `make bench`
picks them), after a warm-up; pyinstrument prints the profile of the measured requests, and
the mean time per request is printed last.
"""

import argparse
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
# With DEBUG off the service refuses to start without an email server; the bench sends none.
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ["API_RATE_LIMIT"] = "none"
django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from bench.run import BenchPractice, seeded_practices  # noqa: E402
from practice.models import APIKey  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="e.g. /api/v1/clients/ ({client} is a client's id)")
    parser.add_argument("--practice", choices=["small", "large"], default="small")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.ROOT_URLCONF = "bench.urls"
    small_id, large_id = seeded_practices()
    p = BenchPractice.prepare(args.practice, small_id if args.practice == "small" else large_id)
    path = args.path.format(client=p.client_id)
    http = HttpClient(headers={"Authorization": f"Bearer {p.key}"})
    try:
        for _ in range(20):
            assert http.get(path).status_code == 200
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        with profiler:
            for _ in range(args.requests):
                http.get(path)
        elapsed = time.perf_counter() - started
        # DRF and Django frames are shown too: that is where a request spends its time.
        profiler.print(processor_options={"show_regex": r".*(rest_framework|django/db).*"})
        print(f"{path}: {elapsed / args.requests * 1000:.2f} ms per request (profiled)")
    finally:
        APIKey.across_practices_unsafe.filter(pk=p.key_id).delete()


if __name__ == "__main__":
    main()
