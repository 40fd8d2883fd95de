import pytest
from django.test import override_settings

from config.celery import app as celery_app
from tests.services import CeleryWorker, SmtpServer


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def publish_to(redis_server, monkeypatch):
    """Make this test process publish its tasks to the test's own Redis.

    Celery reads CELERY_BROKER_URL from the environment before its configuration, so the
    variable itself is changed for the test.
    """
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    _drop_broker_connections()
    with override_settings(CELERY_BROKER_URL=redis_server.url):
        assert celery_app.connection_for_write().as_uri().endswith(f":{redis_server.port}/0")
        yield redis_server
    monkeypatch.undo()
    _drop_broker_connections()


def _drop_broker_connections() -> None:
    # Celery caches its connection and producer pools; new ones pick up the new broker URL.
    # (Closing the old ones would close them in kombu's process-wide registry too, where a
    # later Redis on the same port would find them closed.)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def start_worker(tmp_path, smtp_server, redis_server):
    workers = []

    def start(*, beat: bool = True, name: str | None = None) -> CeleryWorker:
        worker = CeleryWorker(
            broker_url=redis_server.url,
            smtp_url=smtp_server.url,
            log_dir=tmp_path,
            beat=beat,
            name=name or f"worker{len(workers) + 1}",
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
