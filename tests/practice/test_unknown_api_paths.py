"""Any method on an unknown /api/ address answers a problem document 404, never a CSRF page."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_unknown_api_path_answers_problem_404(method):
    browser = Client(enforce_csrf_checks=True)

    response = getattr(browser, method)("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
