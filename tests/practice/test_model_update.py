"""`model_update`: only whitelisted fields, validated, and only what changed is written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practice.errors import InvalidInput
from practice.tenancy import practice_scope
from practice.updates import model_update

pytestmark = pytest.mark.django_db


def test_it_writes_only_the_changed_fields_and_updated_at(practice_a, client_a):
    before = client_a.updated_at
    with practice_scope(practice_a.practice), CaptureQueriesContext(connection) as queries:
        _, changed = model_update(
            instance=client_a, fields=("name", "language"), data={"name": "Ana", "language": "en"}
        )

    assert changed == ["name"]
    (update,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert update.split(" WHERE ")[0].count("=") == 2
    assert '"name" =' in update and '"updated_at" =' in update
    assert client_a.updated_at > before


def test_it_writes_nothing_when_nothing_changed(practice_a, client_a):
    with practice_scope(practice_a.practice), CaptureQueriesContext(connection) as queries:
        _, changed = model_update(instance=client_a, fields=("name",), data={"name": client_a.name})

    assert changed == []
    assert queries.captured_queries == []


def test_it_rejects_a_field_outside_the_whitelist(practice_a, client_a):
    with practice_scope(practice_a.practice), pytest.raises(InvalidInput) as raised:
        model_update(instance=client_a, fields=("name",), data={"survey_consent": False})

    assert raised.value.errors == {"survey_consent": ["This field cannot be changed."]}


def test_it_rejects_an_invalid_value_as_a_field_error(practice_a, client_a):
    with practice_scope(practice_a.practice), pytest.raises(InvalidInput) as raised:
        model_update(instance=client_a, fields=("timezone",), data={"timezone": "Mars/Base"})

    assert list(raised.value.errors) == ["timezone"]
