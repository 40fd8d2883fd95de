"""Platform-wide outbox counts are for platform admins; the public probe shows none."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_sent_invitation

pytestmark = pytest.mark.django_db


def test_readyz_shows_no_outbox_counts(client, practice_a, client_a):
    make_sent_invitation(practice_a.practice, client_a)

    body = client.get("/readyz").json()

    assert "outbox" not in body


def test_an_anonymous_visitor_is_sent_to_the_admin_sign_in(client):
    response = client.get("/admin/outbox-counts/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_platform_admin_reads_the_counts(client, practice_a, client_a):
    make_sent_invitation(practice_a.practice, client_a)
    admin = get_user_model().objects.create_superuser("ops", "ops@example.org", "pw-12345")
    client.force_login(admin)

    counts = client.get("/admin/outbox-counts/").json()["outbox"]

    assert sum(counts.values()) >= 1
