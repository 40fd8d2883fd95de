import pytest
from django.core.mail import EmailMessage

from notifications.smtp import close_connection, send_over_kept_connection
from tests.services import SmtpServer


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    yield smtp_server
    close_connection()


def _email(n: int) -> EmailMessage:
    return EmailMessage(f"Message {n}", "Body", "sender@example.org", ["to@example.org"])


def test_messages_in_a_row_share_one_smtp_connection(smtp_settings):
    for n in range(3):
        send_over_kept_connection(_email(n))

    assert [m.subject for m in smtp_settings.received] == ["Message 0", "Message 1", "Message 2"]
    assert len({m.peer for m in smtp_settings.received}) == 1


def test_a_connection_the_server_dropped_is_opened_again_and_the_message_sent_once(
    smtp_settings,
):
    send_over_kept_connection(_email(1))
    smtp_settings.stop()
    restarted = SmtpServer(port=smtp_settings.port).start()
    try:
        send_over_kept_connection(_email(2))

        assert [m.subject for m in restarted.received] == ["Message 2"]
    finally:
        restarted.stop()
        smtp_settings.start()


def test_other_mail_settings_get_a_connection_of_their_own(smtp_settings, settings):
    send_over_kept_connection(_email(1))
    other = SmtpServer().start()
    try:
        settings.EMAIL_PORT = other.port
        send_over_kept_connection(_email(2))

        assert [m.subject for m in other.received] == ["Message 2"]
        assert [m.subject for m in smtp_settings.received] == ["Message 1"]
    finally:
        other.stop()
