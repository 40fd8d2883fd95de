"""OPTIONS answers on every route, never a server error."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/survey-policy/", "/api/v1/alert-rules/", "/api/v1/clients/", "/api/v1/sessions/"],
)
def test_options_answers_200(api_a, path):
    response = api_a.options(path)

    assert response.status_code == 200
