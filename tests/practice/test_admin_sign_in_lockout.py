"""Repeated wrong passwords on the admin sign-in lock the account out (django-axes)."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-platform-admin-password"


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("ops", "ops@example.org", PASSWORD)


def _sign_in(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "ops", "password": password})


def test_five_wrong_passwords_lock_out_even_the_right_one(client, superuser):
    for _ in range(5):
        _sign_in(client, "wrong")

    response = _sign_in(client, PASSWORD)

    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_right_password_signs_in_after_fewer_failures(client, superuser):
    for _ in range(3):
        _sign_in(client, "wrong")

    response = _sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
