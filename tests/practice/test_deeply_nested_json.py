"""JSON nested deeper than any request of this API needs is refused with 400."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("depth", [100, 5000, 100_000])
def test_json_nested_thousands_deep_answers_400(api_a, depth):
    body = '{"name": ' + "[" * depth + "]" * depth + "}"

    response = api_a.post("/api/v1/clinicians/", body, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
