"""The plain read path gives exactly the JSON that DRF's own serializers give."""

import pytest
from rest_framework import serializers

from alliance.alerts.api import AlertSerializer
from alliance.models import Alert, SurveyInvitation, SurveyResponse
from alliance.surveys.api import AlliancePointSerializer, InvitationSerializer, ResponseSerializer
from notifications.api import MessageSerializer
from notifications.models import OutboxMessage
from practice.api import ClientSerializer, ClinicianSerializer, SessionSerializer
from practice.models import Client, Clinician, Session
from practice.serializers import PlainRepresentation
from practice.tenancy import practice_scope
from tests.factories import make_client, make_response, make_session

pytestmark = pytest.mark.django_db

SERIALIZERS = [
    (ClinicianSerializer, Clinician),
    (ClientSerializer, Client),
    (SessionSerializer, Session),
    (InvitationSerializer, SurveyInvitation),
    (ResponseSerializer, SurveyResponse),
    (AlliancePointSerializer, SurveyResponse),
    (AlertSerializer, Alert),
    (MessageSerializer, OutboxMessage),
]


@pytest.fixture
def records(practice_a):
    practice = practice_a.practice
    low = make_client(practice, survey_consent=True)
    make_response(
        practice,
        client=low,
        answers=dict.fromkeys(["comfort", "respect", "heard", "goals", "progress"], 2),
        discuss_request=True,
    )
    make_session(practice, client=low)
    make_client(practice)
    return practice


@pytest.mark.parametrize(("serializer_class", "model"), SERIALIZERS)
def test_it_represents_records_as_drf_does(records, serializer_class, model):
    with practice_scope(records):
        instances = list(model.objects.all())
        assert instances
        serializer = serializer_class()
        for instance in instances:
            drf = super(PlainRepresentation, serializer).to_representation(instance)

            assert serializer.to_representation(instance) == drf


@pytest.mark.parametrize(("serializer_class", "_"), SERIALIZERS)
def test_every_read_serializer_takes_the_plain_path(serializer_class, _):
    assert issubclass(serializer_class, serializers.ModelSerializer)
    assert serializer_class._read_plan() is not None
