"""Personas: practice A with its owner and a clinician, and an outsider, practice B."""

import uuid

import pytest
from celery import signals
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from config.celery import app as celery_app
from practice.api_keys import forget_recent_api_keys
from practice.models import Membership
from practice.tenancy import practice_scope
from tests import factories
from tests.services import RedisServer, WebhookReceiver


def api_client_for(raw_key: str | None) -> APIClient:
    client = APIClient()
    if raw_key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


@pytest.fixture(autouse=True)
def tasks_run_in_process(request):
    """Tasks run where they are queued, unless a test is about real workers."""
    if request.node.get_closest_marker("real_worker"):
        yield
        return
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _is_an_id(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str | uuid.UUID)


@pytest.fixture(autouse=True)
def tasks_carry_ids_only():
    """Every task queued or run in any test takes ids only: no model, no personal data."""
    seen = []

    def published(sender=None, body=None, **_):
        args, kwargs, _embed = body
        seen.append((sender, args, kwargs))

    def ran(sender=None, args=None, kwargs=None, **_):
        seen.append((sender.name, args, kwargs))

    signals.before_task_publish.connect(published, weak=False)
    signals.task_prerun.connect(ran, weak=False)
    yield
    signals.before_task_publish.disconnect(published)
    signals.task_prerun.disconnect(ran)
    for name, args, kwargs in seen:
        assert all(_is_an_id(a) for a in args) and not kwargs, (name, args, kwargs)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttling and guessing counters start at zero in every test, and no key is remembered."""
    cache.clear()
    forget_recent_api_keys()


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of the test's own, which it may stop (the machine's shared one stays up)."""
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def cache_redis_stopped(redis_server):
    """The cache (rate-limit counters) in the test's own Redis, stopped."""
    cache_in_that_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    with override_settings(CACHES=cache_in_that_redis):
        redis_server.stop()
        yield


@pytest.fixture
def practice_a(db):
    return factories.make_practice("Practice A", timezone_name="Europe/Madrid")


@pytest.fixture
def practice_b(db):
    return factories.make_practice("Practice B")


@pytest.fixture
def owner_a(practice_a):
    with practice_scope(practice_a.practice):
        return Membership.objects.get(role=Membership.Role.OWNER)


@pytest.fixture
def clinician_a(practice_a):
    return factories.make_clinician(practice_a.practice, name="Dr. Alma Ortiz")


@pytest.fixture
def clinician_member_a(practice_a, clinician_a):
    """The person behind clinician_a, who sees clinician_a's clients only."""
    return factories.make_member(practice_a.practice, role="clinician", clinician=clinician_a)


@pytest.fixture
def colleague_a(practice_a):
    """Another clinician of practice A, who must not see clinician_a's clients."""
    clinician = factories.make_clinician(practice_a.practice, name="Dr. Bea Colleague")
    return factories.make_member(practice_a.practice, role="clinician", clinician=clinician)


@pytest.fixture
def outsider_b(practice_b):
    """The owner of practice B: a member, but of another practice."""
    with practice_scope(practice_b.practice):
        return Membership.objects.get(role=Membership.Role.OWNER)


@pytest.fixture
def client_a(practice_a, clinician_a):
    return factories.make_client(practice_a.practice, clinician=clinician_a)


@pytest.fixture
def session_a(practice_a, client_a):
    return factories.make_session(practice_a.practice, client=client_a)


@pytest.fixture
def api_a(practice_a) -> APIClient:
    return api_client_for(practice_a.api_key)


@pytest.fixture
def api_b(practice_b) -> APIClient:
    return api_client_for(practice_b.api_key)


@pytest.fixture
def anonymous_api() -> APIClient:
    return api_client_for(None)


@pytest.fixture
def platform_admin(client):
    """A signed-in superuser's browser: Django admin looks across practices."""
    admin = get_user_model().objects.create_superuser("platform", "ops@example.org", "pw-12345")
    client.force_login(admin)
    return client


@pytest.fixture
def webhook_receiver(settings):
    """An HTTP server on this machine standing in for a practice's system."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()
