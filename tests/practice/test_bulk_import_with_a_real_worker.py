"""A bulk import end to end: HTTP, PostgreSQL, Redis, a Celery worker, the webhook it sends."""

import json

import pytest
import standardwebhooks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient

from practice.models import BulkImport, BulkImportFile, Clinician
from tests.factories import make_practice
from tests.services import WebhookReceiver
from tests.support import kill_process_group, wait_for

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(300),
]

ROWS = 1_200  # three chunks


@pytest.fixture
def receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


def _clinicians_csv(count: int) -> bytes:
    lines = ["external_id,name,email"]
    lines += [f"C-{n},Clinician {n},clinician{n}@example.org" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def test_an_import_posted_over_http_is_done_by_a_worker_and_announced_by_webhook(
    publish_to, start_worker, receiver
):
    practice = make_practice()
    api = BrowserClient(HTTP_AUTHORIZATION=f"Bearer {practice.api_key}")
    subscribed = api.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["import.completed"]},
        content_type="application/json",
    ).json()
    start_worker()

    posted = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("clinicians.csv", _clinicians_csv(ROWS)), "type": "clinician"},
    )
    import_url = f"/api/v1/imports/{posted.json()['id']}/"
    finished = wait_for(
        lambda: (body := api.get(import_url).json())["status"] == "completed" and body,
        timeout=180,
        what="the worker to finish the import",
    )
    wait_for(lambda: receiver.requests, timeout=60, what="the import.completed webhook")

    assert posted.status_code == 202
    assert posted.json()["status"] == "pending"
    assert finished["counts"] == {"created": ROWS, "updated": 0, "failed": 0, "skipped": 0}
    assert finished["rows_done"] == ROWS
    assert Clinician.across_practices_unsafe.filter(practice=practice.practice).count() == ROWS
    assert not BulkImportFile.across_practices_unsafe.exists()
    request = receiver.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    event = standardwebhooks.Webhook(subscribed["secret"]).verify(request["body"], headers)
    assert event["type"] == "import.completed"
    assert event["data"]["id"] == posted.json()["id"]
    assert event["data"]["counts"]["created"] == ROWS
    assert "Clinician 0" not in json.dumps(event)
    assert BulkImport.across_practices_unsafe.get().status == "completed"


def test_an_import_whose_worker_dies_is_finished_by_another_without_losing_or_doubling_rows(
    publish_to, start_worker
):
    practice = make_practice()
    api = BrowserClient(HTTP_AUTHORIZATION=f"Bearer {practice.api_key}")
    doomed = start_worker(name="doomed", beat=False)
    rows = 4_000
    posted = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("clinicians.csv", _clinicians_csv(rows)), "type": "clinician"},
    )
    import_url = f"/api/v1/imports/{posted.json()['id']}/"
    wait_for(
        lambda: 0 < api.get(import_url).json()["rows_done"] < rows,
        timeout=120,
        what="the first chunks to commit",
        interval=0.05,
    )

    kill_process_group(doomed.process)
    start_worker(name="survivor")  # its beat finds the stalled import and queues it again
    finished = wait_for(
        lambda: (body := api.get(import_url).json())["status"] == "completed" and body,
        timeout=240,
        what="another worker to finish the import",
    )

    assert finished["counts"] == {"created": rows, "updated": 0, "failed": 0, "skipped": 0}
    assert Clinician.across_practices_unsafe.filter(practice=practice.practice).count() == rows
