"""A PATCH that read a client before they opted out must not opt them back in."""

import pytest

from alliance.surveys.services import client_opt_out_of_surveys
from practice import api as practice_api
from practice import services
from practice.models import Client
from practice.tenancy import practice_scope
from tests.support import run_in_another_connection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_patch_racing_an_opt_out_keeps_the_client_opted_out(
    api_a, practice_a, client_a, monkeypatch
):
    real_update = services.client_update

    def update_after_a_concurrent_opt_out(*, client, **changes):
        run_in_another_connection(
            practice_a.practice, lambda: client_opt_out_of_surveys(client=client)
        )
        return real_update(client=client, **changes)

    monkeypatch.setattr(practice_api.services, "client_update", update_after_a_concurrent_opt_out)

    response = api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"name": "New Name"}, format="json")

    assert response.status_code == 200
    with practice_scope(practice_a.practice):
        client = Client.objects.get(pk=client_a.pk)
    assert client.name == "New Name"
    assert client.survey_consent is False
