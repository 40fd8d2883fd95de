import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from practice.renderers import FastJSONRenderer

DOCUMENT = {
    "id": uuid.UUID("5f0c6f52-6f4c-4f43-9d4e-3f1f0c2a9b10"),
    "at": datetime(2026, 5, 4, 13, 0, 0, 123456, tzinfo=UTC),
    "local": datetime(2026, 5, 4, 15, 0, tzinfo=timezone(timedelta(hours=2))),
    "title": gettext_lazy("Not found."),
    "amount": Decimal("1.5"),
    "values": [1, 2.5, None, True, "héllo ✓"],
    "nested": {"empty": {}, "list": []},
}


def test_it_writes_the_bytes_drfs_renderer_writes():
    assert FastJSONRenderer().render(DOCUMENT) == JSONRenderer().render(DOCUMENT)


def test_it_indents_when_the_client_asks():
    rendered = FastJSONRenderer().render({"a": [1]}, "application/json; indent=2")

    assert rendered == b'{\n  "a": [\n    1\n  ]\n}'


def test_it_writes_nothing_for_no_content():
    assert FastJSONRenderer().render(None) == b""
