"""Instruments as FHIR R4 `Questionnaire` and responses as `QuestionnaireResponse` (JSON)."""

import re

from django.conf import settings

from alliance.models import Instrument, SurveyResponse

ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
SLIDER_STEP = "http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue"


def questionnaire_url(instrument: Instrument) -> str:
    return f"{settings.SITE_URL}/api/v1/instruments/{instrument.code}/fhir/"


def _is_integer_item(item: dict) -> bool:
    return all(float(item[k]).is_integer() for k in ("min", "max", "step"))


def _value(item: dict, key: str) -> dict:
    if _is_integer_item(item):
        return {"valueInteger": int(item[key])}
    return {"valueDecimal": float(item[key])}


def _questionnaire_item(item: dict) -> dict:
    extensions = [
        {
            "url": ITEM_CONTROL,
            "valueCodeableConcept": {
                "coding": [
                    {"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "slider"}
                ]
            },
        },
        {"url": MIN_VALUE, **_value(item, "min")},
        {"url": MAX_VALUE, **_value(item, "max")},
    ]
    if _is_integer_item(item):
        extensions.append({"url": SLIDER_STEP, "valueInteger": int(item["step"])})
    return {
        "linkId": item["code"],
        "text": item["text"],
        "type": "integer" if _is_integer_item(item) else "decimal",
        "required": True,
        "extension": extensions,
    }


def questionnaire(instrument: Instrument) -> dict:
    computable_name = re.sub(r"[^A-Za-z0-9]", "", instrument.code.title()) or "Instrument"
    return {
        "resourceType": "Questionnaire",
        "id": f"{instrument.code}-v{instrument.version}",
        "url": questionnaire_url(instrument),
        "version": str(instrument.version),
        "name": computable_name,
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "item": [_questionnaire_item(item) for item in instrument.items],
    }


def questionnaire_response(response: SurveyResponse) -> dict:
    instrument = response.instrument
    items_by_code = {item["code"]: item for item in instrument.items}
    # A survey of the time-based cadence belongs to no session: no `encounter` then.
    encounter = (
        {"encounter": {"reference": f"Encounter/{response.session_id}"}}
        if response.session_id
        else {}
    )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.id),
        "questionnaire": f"{questionnaire_url(instrument)}|{instrument.version}",
        "status": "completed",
        "subject": {"reference": f"Patient/{response.client_id}"},
        **encounter,
        "authored": response.answered_at.isoformat(),
        "item": [
            {
                "linkId": code,
                "answer": [
                    {"valueInteger": int(value)}
                    if _is_integer_item(items_by_code[code])
                    else {"valueDecimal": float(value)}
                ],
            }
            for code, value in response.answers.items()
        ],
    }
