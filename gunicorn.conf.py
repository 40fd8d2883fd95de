"""Gunicorn reads this file from the folder it starts in (the project root, `/app` in the
image): its access and error logs go through a logger that redacts token paths."""

import os

logger_class = "config.log_redaction.RedactingGunicornLogger"

# Worker model, chosen with `make bench` (docs/scaling.md): threads serve keep-alive
# connections and overlap their waits on PostgreSQL, and measured about half the CPU time per
# request of sync workers (which close every connection) on the same paths. A process per core
# uses every core despite the GIL. `WEB_CONCURRENCY` and `WEB_THREADS` override both.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
threads = int(os.environ.get("WEB_THREADS", 4))
worker_class = "gthread"
