"""Session times with offsets no place on Earth has, or years far from now, answer 400."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "starts_at",
    [
        "2026-05-04T15:00:00+23:59",
        "2026-05-04T15:00:00-14:01",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "1000-01-01T00:00:00+00:00",
        "2026-13-45T10:00:00+00:00",
    ],
)
def test_an_unreasonable_start_answers_400(api_a, client_a, starts_at):
    response = api_a.post(
        "/api/v1/sessions/", {"client": str(client_a.pk), "starts_at": starts_at}, format="json"
    )

    assert response.status_code == 400
    assert "starts_at" in response.json()["errors"]


@pytest.mark.parametrize("starts_at", ["2026-05-04T15:00:00+14:00", "2026-05-04T15:00:00-12:00"])
def test_the_farthest_real_offsets_are_accepted(api_a, client_a, starts_at):
    response = api_a.post(
        "/api/v1/sessions/", {"client": str(client_a.pk), "starts_at": starts_at}, format="json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize("bound", ["starts_after", "starts_before", "updated_since"])
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "2026-13-45T10:00:00+00:00"])
def test_an_unreasonable_filter_time_answers_400(api_a, bound, moment):
    response = api_a.get("/api/v1/sessions/", {bound: moment})

    assert response.status_code == 400
