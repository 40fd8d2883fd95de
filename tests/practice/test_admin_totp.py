"""A platform admin with a TOTP device signs in with its code too (django-otp)."""

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-platform-admin-password"


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("ops", "ops@example.org", PASSWORD)


@pytest.fixture
def device(superuser):
    return TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def _sign_in(client, **fields):
    data = {"username": "ops", "password": PASSWORD} | fields
    return client.post("/admin/login/?next=/admin/", data)


def test_the_password_alone_is_refused_once_a_device_is_set_up(client, device):
    _sign_in(client)

    assert client.get("/admin/").status_code == 302


def test_the_password_and_the_current_code_sign_in(client, device):
    _sign_in(client, otp_device=device.persistent_id, otp_token=_code(device))

    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused(client, device):
    wrong = str((int(_code(device)) + 1) % 1_000_000).zfill(6)

    _sign_in(client, otp_device=device.persistent_id, otp_token=wrong)

    assert client.get("/admin/").status_code == 302


def test_an_admin_without_a_device_signs_in_with_the_password(client, superuser):
    _sign_in(client)

    assert client.get("/admin/").status_code == 200
