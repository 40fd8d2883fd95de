import pytest

pytestmark = pytest.mark.django_db

PROBLEM_FIELDS = {"type", "title", "status", "detail"}


def _assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) >= PROBLEM_FIELDS
    assert response.json()["status"] == status


def test_an_unknown_api_address_is_a_404_problem(api_a):
    _assert_problem(api_a.get("/api/v1/no-such-thing/"), 404)


def test_an_id_that_is_not_a_uuid_is_a_404_problem(api_a):
    _assert_problem(api_a.get("/api/v1/clients/42/"), 404)


def test_malformed_json_is_a_400_problem(api_a):
    response = api_a.post("/api/v1/clients/", "{not json", content_type="application/json")

    _assert_problem(response, 400)


def test_a_wrong_method_is_a_405_problem(api_a):
    _assert_problem(api_a.delete("/api/v1/clients/"), 405)


def test_validation_errors_list_each_field(api_a):
    response = api_a.post("/api/v1/clients/", {}, format="json")

    _assert_problem(response, 400)
    assert set(response.json()["errors"]) == {"name", "email", "clinician"}


def test_an_unexpected_failure_is_a_500_problem_without_a_traceback(api_a, monkeypatch):
    from practice import selectors

    def broken():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "client_list", broken)
    api_a.raise_request_exception = False

    response = api_a.get("/api/v1/clients/")

    _assert_problem(response, 500)
    assert "secret internals" not in response.content.decode()
