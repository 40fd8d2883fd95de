"""`EMAIL_URL` picks SMTP (the default) or an email provider's API through django-anymail."""

import json
import subprocess

from tests.support import PROJECT_ROOT, VENV_PYTHON, environment_without

PRINT_EMAIL_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'backend': s.EMAIL_BACKEND, 'anymail': s.ANYMAIL, "
    "'host': getattr(s, 'EMAIL_HOST', None)}))"
)


def _email_settings(**env) -> dict:
    result = subprocess.run(
        [str(VENV_PYTHON), "-c", PRINT_EMAIL_SETTINGS],
        cwd=PROJECT_ROOT,
        env=environment_without(
            "EMAIL_URL",
            "ANYMAIL_WEBHOOK_SECRET",
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="true",
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_smtp_stays_the_default_for_an_smtp_url():
    loaded = _email_settings(EMAIL_URL="smtp://mail.example.org:2525")

    assert loaded["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["host"] == "mail.example.org"
    assert loaded["anymail"] == {}


def test_a_provider_url_selects_its_anymail_backend_and_settings():
    loaded = _email_settings(
        EMAIL_URL="mailgun://key-123@mg.example.org?webhook_signing_key=sign-456",
        ANYMAIL_WEBHOOK_SECRET="provider:s3cret",
    )

    assert loaded["backend"] == "anymail.backends.mailgun.EmailBackend"
    assert loaded["anymail"] == {
        "MAILGUN_API_KEY": "key-123",
        "MAILGUN_SENDER_DOMAIN": "mg.example.org",
        "MAILGUN_WEBHOOK_SIGNING_KEY": "sign-456",
        "WEBHOOK_SECRET": "provider:s3cret",
    }


def test_postmark_takes_its_server_token():
    loaded = _email_settings(EMAIL_URL="postmark://server-token@")

    assert loaded["backend"] == "anymail.backends.postmark.EmailBackend"
    assert loaded["anymail"] == {"POSTMARK_SERVER_TOKEN": "server-token"}
