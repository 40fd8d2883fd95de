"""The reference the API is measured against: plain Django views over the same SQL.

Each view authenticates exactly as the API does (the same authentication class), enters the
same practice scope, runs the query the API runs for that path (a page fetches one row more
than it shows, as cursor pagination does) and answers `JsonResponse` over `.values()`: what
bare Django costs for the same work, without DRF's machinery or serializers.
"""

from django.http import JsonResponse
from rest_framework.exceptions import AuthenticationFailed

from alliance.models import Alert, SurveyResponse
from practice.auth import APIKeyAuthentication
from practice.models import Client, Session
from practice.tenancy import practice_scope

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
)


def _scoped(view):
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


def _page(queryset, fields) -> JsonResponse:
    rows = list(queryset.order_by("-created_at", "-id").values(*fields)[: PAGE_SIZE + 1])
    return JsonResponse({"results": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE})


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
    if not Client.objects.filter(pk=client_id).exists():
        return JsonResponse({}, status=404)
    points = SurveyResponse.objects.filter(client_id=client_id).order_by("answered_at", "id")
    return JsonResponse({"client": client_id, "points": list(points.values(*POINT_FIELDS))})


@_scoped
def alert_page(request):
    return _page(Alert.objects.all(), ALERT_FIELDS)
