"""Settings come from the environment, and unsafe combinations refuse to start."""

import json
import subprocess

from tests.support import PROJECT_ROOT, VENV_PYTHON, environment_without

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in "
    "['DEBUG', 'SESSION_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'CELERY_TASK_ALWAYS_EAGER', 'EMAIL_BACKEND']}))"
)
CONFIG_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "SITE_URL",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
)


def _settings_with(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_PYTHON), "-c", PRINT_SETTINGS],
        cwd=PROJECT_ROOT,
        env=environment_without(*CONFIG_VARIABLES, DJANGO_SETTINGS_MODULE="config.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_debug_on_the_development_secret():
    result = _settings_with()

    assert result.returncode != 0
    assert "SECRET_KEY is the development key while DEBUG is false" in result.stderr


def test_the_embedded_default_runs_tasks_in_process_and_prints_email():
    result = _settings_with(DEBUG="true")

    loaded = json.loads(result.stdout)
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["SESSION_COOKIE_SECURE"] is False


def test_an_https_site_gets_secure_cookies_hsts_and_redirects():
    result = _settings_with(
        SECRET_KEY="x" * 50, SITE_URL="https://alliance.example.org", EMAIL_URL="smtp://mail:25"
    )

    loaded = json.loads(result.stdout)
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_HSTS_SECONDS"] > 0


def test_it_refuses_to_start_without_debug_and_without_an_email_server():
    result = _settings_with(SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "EMAIL_URL is not set while DEBUG is false" in result.stderr
