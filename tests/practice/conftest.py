# The real processes of the delivery tests (Redis, SMTP, Celery workers) serve the practice's
# worker tests too.
from tests.notifications.conftest import (  # noqa: F401
    publish_to,
    smtp_server,
    start_worker,
)
