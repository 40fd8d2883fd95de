"""`manage.py check --deploy` and `manage.py spectacular --validate` pass, as a deployment with
DEBUG off behind HTTPS runs them."""

import subprocess

import pytest

from tests.services import current_database_url
from tests.support import PROJECT_ROOT, VENV_PYTHON, environment_without

pytestmark = pytest.mark.django_db

DEPLOYED = {
    "SECRET_KEY": "a-long-random-deployment-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "SITE_URL": "https://alliance.example.org",
    "ALLOWED_HOSTS": "alliance.example.org",
    "EMAIL_URL": "smtp://mail.example.org:587",
}


def _manage(*args: str) -> subprocess.CompletedProcess:
    env = environment_without("DEBUG", DATABASE_URL=current_database_url(), **DEPLOYED)
    return subprocess.run(
        [str(VENV_PYTHON), "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_without_a_security_warning():
    result = _manage("check", "--deploy")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "(security." not in result.stdout + result.stderr


def test_the_schema_validates(tmp_path):
    result = _manage("spectacular", "--validate", "--file", str(tmp_path / "schema.yaml"))

    assert result.returncode == 0, result.stdout + result.stderr
