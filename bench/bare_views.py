"""The reference the API is measured against: plain Django views over the same SQL.

Each view authenticates exactly as the API does (the same authentication class), enters the
same practice scope, runs the query the API runs for that path (a page fetches one row more
than it shows, as cursor pagination does) and answers `JsonResponse` over `.values()`: what
bare Django costs for the same work, without DRF's machinery or serializers. The write views
write the same rows as the API and the survey page.
"""

import json
from datetime import timedelta

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed

from alliance.models import Alert, AlertAction, SurveyInvitation, SurveyResponse
from alliance.surveys.selectors import survey_link_for_token
from practice.auth import APIKeyAuthentication
from practice.models import Client, Session
from practice.tenancy import current_practice, practice_scope

PAGE_SIZE = 50
CLIENT_FIELDS = (
    "id",
    "name",
    "email",
    "clinician_id",
    "survey_consent",
    "timezone",
    "language",
    "status",
    "created_at",
    "updated_at",
)
SESSION_FIELDS = (
    "id",
    "client_id",
    "clinician_id",
    "starts_at",
    "duration_minutes",
    "status",
    "completed_at",
    "sequence",
    "created_at",
    "updated_at",
)
POINT_FIELDS = ("id", "session_id", "answered_at", "instrument__code", "total", "answers")
ALERT_FIELDS = (
    "id",
    "client_id",
    "clinician_id",
    "session_id",
    "kind",
    "severity",
    "status",
    "evidence",
    "created_at",
    "updated_at",
    "escalated_at",
    "acknowledged_at",
    "acknowledged_by",
    "acknowledged_note",
    "resolved_at",
    "resolved_by",
    "resolved_note",
)
ACTION_FIELDS = (
    "alert_id",
    "kind",
    "actor_type",
    "member_id",
    "api_key_id",
    "by",
    "note",
    "session_id",
    "created_at",
)


def _scoped(view):
    @csrf_exempt
    def wrapped(request, **kwargs):
        try:
            authenticated = APIKeyAuthentication().authenticate(request)
        except AuthenticationFailed:
            authenticated = None
        if authenticated is None:
            return JsonResponse({"detail": "unauthorized"}, status=401)
        with practice_scope(authenticated[1].practice):
            return view(request, **kwargs)

    return wrapped


def _rows(queryset, fields) -> list[dict]:
    return list(queryset.order_by("-created_at", "-id").values(*fields)[: PAGE_SIZE + 1])


def _page_of(rows) -> JsonResponse:
    return JsonResponse({"results": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE})


def _page(queryset, fields) -> JsonResponse:
    return _page_of(_rows(queryset, fields))


@_scoped
def client_detail(request, client_id):
    row = Client.objects.filter(pk=client_id).values(*CLIENT_FIELDS).first()
    return JsonResponse(row) if row else JsonResponse({}, status=404)


@_scoped
def client_page(request):
    return _page(Client.objects.all(), CLIENT_FIELDS)


@_scoped
def session_page(request):
    sessions = Session.objects.all()
    if "client" in request.GET:
        sessions = sessions.filter(client_id=request.GET["client"])
    return _page(sessions, SESSION_FIELDS)


@_scoped
def alliance_series(request, client_id):
    # As the API: the client is looked up only when it has no answers.
    points = SurveyResponse.objects.filter(client_id=client_id).order_by("answered_at", "id")
    rows = list(points.values(*POINT_FIELDS))
    if not rows and not Client.objects.filter(pk=client_id).exists():
        return JsonResponse({}, status=404)
    return JsonResponse({"client": client_id, "points": rows})


@_scoped
def alert_page(request):
    # As the API: the page's alerts, then their actions in a second query.
    rows = _rows(Alert.objects.all(), ALERT_FIELDS)
    actions = AlertAction.objects.filter(alert_id__in=[row["id"] for row in rows[:PAGE_SIZE]])
    by_alert = {}
    for action in actions.values(*ACTION_FIELDS):
        by_alert.setdefault(action["alert_id"], []).append(action)
    for row in rows:
        row["actions"] = by_alert.get(row["id"], [])
    return _page_of(rows)


# Writes: the same rows written as the API and the survey page write them, without the
# framework, the validation, the policy or the templates.


@_scoped
def session_create(request):
    body = json.loads(request.body)
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=body["client"])
        last = client.sessions.order_by("-sequence").values_list("sequence", flat=True).first()
        session = Session.objects.create(
            practice=current_practice(),
            client=client,
            clinician_id=client.clinician_id,
            starts_at=parse_datetime(body["starts_at"]),
            sequence=(last or 0) + 1,
        )
    return JsonResponse({field: getattr(session, field) for field in SESSION_FIELDS}, status=201)


@_scoped
def session_complete(request, session_id):
    now = timezone.now()
    with transaction.atomic():
        Session.objects.filter(pk=session_id, status=Session.Status.SCHEDULED).update(
            status=Session.Status.COMPLETED, completed_at=now, updated_at=now
        )
        session = Session.objects.get(pk=session_id)
        SurveyInvitation.objects.create(
            practice=current_practice(),
            client_id=session.client_id,
            session=session,
            instrument_id=request.GET["instrument"],
            send_at=now + timedelta(minutes=60),
        )
    return JsonResponse({field: getattr(session, field) for field in SESSION_FIELDS})


def _form(items) -> str:
    fields = "".join(
        f'<label>{item["text"]}<input type="range" name="{item["code"]}" '
        f'min="{item["min"]}" max="{item["max"]}"></label>'
        for item in items
    )
    return f'<form method="post">{fields}<button>Send</button></form>'


@csrf_exempt
def survey(request, token):
    link = survey_link_for_token(token)
    if link is None:
        return HttpResponse(status=404)
    invitation = link.invitation
    items = invitation.instrument.items
    if request.method == "GET":
        return HttpResponse(_form(items))
    answers = {item["code"]: int(request.POST[item["code"]]) for item in items}
    now = timezone.now()
    with practice_scope(link.practice), transaction.atomic():
        SurveyInvitation.objects.filter(
            pk=invitation.pk, status__in=SurveyInvitation.ANSWERABLE, expires_at__gt=now
        ).update(status=SurveyInvitation.Status.COMPLETED, completed_at=now, updated_at=now)
        SurveyResponse.objects.create(
            practice=link.practice,
            invitation=invitation,
            client_id=invitation.client_id,
            session_id=invitation.session_id,
            instrument=invitation.instrument,
            answers=answers,
            total=sum(answers.values()),
            mean=sum(answers.values()) / len(answers),
            answered_at=now,
        )
    return HttpResponse("<p>Thank you.</p>")
