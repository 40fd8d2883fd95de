"""The clinician's pages about alerts: *Today*, a client's alliance, and an alert.

Server-rendered, no JavaScript, for signed-in members (`practice.pages.member_page`). A clinician
sees their own clients only; owners and admins the whole practice. Anything else, another
clinician's client or another practice's alert, is answered exactly as an unknown id.
"""

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from alliance.alerts import selectors, services
from alliance.alerts.evidence import alert_in_words
from alliance.surveys.charts import client_alliance_chart
from alliance.surveys.selectors import answers_for_page
from practice.actors import Actor
from practice.errors import ApplicationError
from practice.pages import member_page
from practice.selectors import (
    client_for_member,
    member_timezone,
    member_today,
    sessions_for_member,
)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DiscussedForm(NoteForm):
    session = forms.ChoiceField(label=_("In which session?"))
    field_order = ["session", "note"]

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = {str(session.pk): session for session in sessions}
        self.fields["session"].choices = [(str(session.pk), session.label) for session in sessions]


@require_GET
@member_page
def today_page(request):
    member = request.member
    day = member_today(member)
    sessions = selectors.sessions_to_discuss(
        day=day, tz=member_timezone(member), sessions=sessions_for_member(member)
    )
    context = {
        "nav": "today",
        "day": day,
        "sessions": [
            {
                "session": row.session,
                "local_start": row.local_start,
                "alerts": [alert_in_words(alert) for alert in row.alerts],
            }
            for row in sessions
        ],
        "alerts": [alert_in_words(alert) for alert in selectors.open_alerts_for_member(member)],
    }
    return render(request, "alliance/pages/today.html", context)


@require_GET
@member_page
def client_page(request, client_id):
    client = client_for_member(request.member, client_id)
    if client is None:
        raise Http404
    alerts = selectors.alerts_of_client(client=client)
    context = {
        "client": client,
        "chart": client_alliance_chart(client),
        "answers": answers_for_page(client=client),
        "alerts": [alert_in_words(alert) for alert in alerts],
    }
    return render(request, "alliance/pages/client.html", context)


def _alert_or_404(request, alert_id):
    alert = selectors.alert_for_member(request.member, alert_id)
    if alert is None:
        raise Http404
    return alert


def _alert_page(request, alert, *, status: int = 200, **forms_):
    sessions = selectors.sessions_to_link(client=alert.client)
    context = {
        "alert": alert_in_words(alert),
        "acknowledge_form": forms_.get("acknowledge_form") or NoteForm(prefix="acknowledge"),
        "resolve_form": forms_.get("resolve_form") or NoteForm(prefix="resolve"),
        "discussed_form": forms_.get("discussed_form")
        or DiscussedForm(prefix="discussed", sessions=sessions),
        "refusal": forms_.get("refusal"),
    }
    return render(request, "alliance/pages/alert.html", context, status=status)


@require_GET
@member_page
def alert_page(request, alert_id):
    return _alert_page(request, _alert_or_404(request, alert_id))


def _act(request, alert, act, **forms_):
    """Run `act`, then back to the alert page; a refusal is shown on it."""
    try:
        act()
    except ApplicationError as refused:
        return _alert_page(request, alert, status=409, refusal=refused.detail, **forms_)
    return HttpResponseRedirect(f"/app/alerts/{alert.pk}/", status=303)


def _act_with_note(request, alert_id, *, prefix: str, service):
    """An action whose form is one optional note, prefixed as its form on the alert page."""
    alert = _alert_or_404(request, alert_id)
    form = NoteForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _alert_page(request, alert, status=400, **{f"{prefix}_form": form})
    actor = Actor(member=request.member)
    return _act(request, alert, lambda: service(alert=alert, actor=actor, **form.cleaned_data))


@require_POST
@member_page
def acknowledge_page(request, alert_id):
    return _act_with_note(
        request, alert_id, prefix="acknowledge", service=services.alert_acknowledge
    )


@require_POST
@member_page
def resolve_page(request, alert_id):
    return _act_with_note(request, alert_id, prefix="resolve", service=services.alert_resolve)


@require_POST
@member_page
def discussed_page(request, alert_id):
    alert = _alert_or_404(request, alert_id)
    form = DiscussedForm(
        request.POST, prefix="discussed", sessions=selectors.sessions_to_link(client=alert.client)
    )
    if not form.is_valid():
        return _alert_page(request, alert, status=400, discussed_form=form)
    actor = Actor(member=request.member)
    return _act(
        request,
        alert,
        lambda: services.alert_mark_discussed(
            alert=alert,
            actor=actor,
            session=form.sessions[form.cleaned_data["session"]],
            note=form.cleaned_data["note"],
        ),
    )


@require_POST
@member_page
def new_episode_page(request, alert_id):
    alert = _alert_or_404(request, alert_id)
    actor = Actor(member=request.member)
    return _act(request, alert, lambda: services.alert_start_new_episode(alert=alert, actor=actor))
