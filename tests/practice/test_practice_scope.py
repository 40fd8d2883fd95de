"""The scoping path fails closed, and the database keeps references inside one practice."""

import pytest
from django.db import IntegrityError, transaction

from practice.models import Client, Session
from practice.tenancy import CrossPracticeWrite, NoPracticeInScope, practice_scope
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def test_tenant_rows_cannot_be_read_without_a_practice_in_scope(client_a):
    with pytest.raises(NoPracticeInScope):
        list(Client.objects.all())


def test_a_scope_sees_only_its_own_practices_rows(practice_a, practice_b, client_a):
    make_client(practice_b.practice)

    with practice_scope(practice_a.practice):
        assert list(Client.objects.values_list("pk", flat=True)) == [client_a.pk]


def test_scopes_nest_and_restore(practice_a, practice_b, client_a):
    with practice_scope(practice_a.practice):
        with practice_scope(practice_b.practice):
            assert not Client.objects.exists()
        assert Client.objects.exists()


def test_saving_another_practices_row_inside_a_scope_is_refused(practice_b, client_a):
    with practice_scope(practice_b.practice), pytest.raises(CrossPracticeWrite):
        client_a.save()


def test_the_database_refuses_a_session_pointing_into_another_practice(practice_b, client_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.across_practices_unsafe.create(
            practice=practice_b.practice,
            client=client_a,
            clinician=client_a.clinician,
            starts_at="2026-05-04T13:00:00Z",
            sequence=1,
        )
        # The composite key is checked at commit; ask for it now.
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
