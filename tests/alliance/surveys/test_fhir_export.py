"""FHIR exports, validated by an independent implementation (fhir.resources, R4B models)."""

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from tests.factories import make_response, set_survey_policy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["alliance-check", "srs", "wai-sr"])
def test_each_built_in_instrument_is_a_valid_questionnaire(api_a, code):
    body = api_a.get(f"/api/v1/instruments/{code}/fhir/").json()

    questionnaire = Questionnaire.model_validate(body)

    assert questionnaire.status == "active"
    assert len(questionnaire.item) == {"alliance-check": 5, "srs": 4, "wai-sr": 12}[code]


def test_decimal_items_export_as_decimal(api_a):
    body = api_a.get("/api/v1/instruments/srs/fhir/").json()

    assert {item["type"] for item in body["item"]} == {"decimal"}


def test_a_response_is_a_valid_questionnaire_response(api_a, practice_a, client_a):
    response = make_response(practice_a.practice, client_a)

    body = api_a.get(f"/api/v1/responses/{response.pk}/fhir/").json()
    resource = QuestionnaireResponse.model_validate(body)

    assert resource.status == "completed"
    assert resource.subject.reference == f"Patient/{client_a.pk}"
    assert resource.encounter.reference == f"Encounter/{response.session_id}"
    assert resource.questionnaire.endswith("/api/v1/instruments/alliance-check/fhir/|1")
    assert {i.linkId: i.answer[0].valueInteger for i in resource.item}["progress"] == 10


def test_a_decimal_answer_exports_as_value_decimal(api_a, practice_a, client_a):
    set_survey_policy(practice_a.practice, instrument_code="srs")
    answers = {"relationship": 9.5, "goals_topics": 9, "approach": 8.8, "overall": 9.1}
    response = make_response(practice_a.practice, client_a, answers=answers)

    body = api_a.get(f"/api/v1/responses/{response.pk}/fhir/").json()
    resource = QuestionnaireResponse.model_validate(body)

    assert {float(i.answer[0].valueDecimal) for i in resource.item} == {9.5, 9.0, 8.8, 9.1}
