"""The first platform admin is made as README says: `manage.py createsuperuser`, with the
deployment's settings (DEBUG off), not only in development."""

import subprocess

import pytest
from django.contrib.auth import get_user_model

from tests.services import current_database_url
from tests.support import PROJECT_ROOT, VENV_PYTHON, environment_without

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_createsuperuser_makes_a_platform_admin_with_debug_off():
    env = environment_without(
        "DEBUG",
        DATABASE_URL=current_database_url(),
        SECRET_KEY="a-long-random-deployment-secret-0123456789-abcdefghijklmnop",
        EMAIL_URL="smtp://mail.example.org:587",
        DJANGO_SUPERUSER_PASSWORD="a-long-platform-admin-password",
    )

    result = subprocess.run(
        [
            str(VENV_PYTHON),
            "manage.py",
            "createsuperuser",
            "--no-input",
            "--username",
            "ops",
            "--email",
            "ops@example.org",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert get_user_model().objects.get(username="ops").is_superuser
