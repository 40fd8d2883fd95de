"""A pagination cursor is the server's own; a forged or altered one answers 400, never 500."""

import base64
import json

import pytest

pytestmark = pytest.mark.django_db

AN_ID = "0b9c6a3e-7d0f-4a53-9d8e-2f1f5f6b8c11"


def _cursor(token) -> str:
    return base64.urlsafe_b64encode(json.dumps(token).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor({"v": ["not-a-time", AN_ID], "b": False}),
        _cursor({"v": ["2026-13-45T99:99:99+00:00", AN_ID], "b": False}),
        _cursor({"v": ["\u0000", AN_ID], "b": False}),
        _cursor({"v": ["2026-01-01T00:00:00+00:00", "not-an-id"], "b": False}),
        _cursor({"v": [1e308, AN_ID], "b": True}),
        _cursor({"v": [], "b": False}),
        _cursor([1, 2]),
        "!!not base64!!",
    ],
)
def test_a_forged_cursor_answers_a_problem_not_a_server_error(api_a, session_a, cursor):
    response = api_a.get("/api/v1/sessions/", {"cursor": cursor})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
