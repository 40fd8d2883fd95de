"""Data for the clinician's pages: an alert raised the way a client's answer raises one."""

from alliance.models import Alert
from tests import factories


def make_alert(practice, client, **answer) -> Alert:
    """The alert raised when `client` asks to talk about their session."""
    factories.make_response(practice, client, discuss_request=True, **answer)
    return Alert.across_practices_unsafe.filter(client=client).latest("created_at")
