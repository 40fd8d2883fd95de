"""One active alert per client and kind; what is emailed, updated, reopened and closed."""

from alliance.alerts import evaluation
from alliance.alerts.evaluation import ActiveAlert
from alliance.alerts.rules import Finding
from tests.alliance.alerts.histories import CONTEXT, history

RULES = CONTEXT.rules


def drop_finding(severity, *, since="r4", fall=4.0, spread=1.5):
    return Finding("drop", severity, {"since": since, "fall": fall, "spread": spread})


def active(severity, status="open", **evidence):
    evidence = {"since": "r4", "fall": 4.0, "spread": 1.5} | evidence
    return {"drop": ActiveAlert("drop", severity, status, evidence, alert_id="a1")}


def decide(finding, current=None):
    return evaluation.decide([finding], current or {}, RULES)


def test_a_new_prompt_is_created_and_not_emailed():
    [decision] = decide(drop_finding("prompt"))

    assert (decision.action, decision.email) == ("create", False)


def test_a_new_alert_is_created_and_emailed():
    [decision] = decide(drop_finding("amber"))

    assert (decision.action, decision.email) == ("create", True)


def test_new_evidence_on_an_open_alert_updates_it_without_email():
    [decision] = decide(drop_finding("amber", fall=5), active("amber"))

    assert (decision.action, decision.email, decision.alert_id) == ("update", False, "a1")


def test_a_rise_from_prompt_to_alert_emails():
    [decision] = decide(drop_finding("amber"), active("prompt"))

    assert (decision.action, decision.severity, decision.email) == ("update", "amber", True)


def test_a_rise_from_amber_to_red_emails():
    [decision] = decide(drop_finding("red"), active("amber"))

    assert (decision.severity, decision.email) == ("red", True)


def test_severity_never_falls_with_weaker_evidence():
    [decision] = decide(drop_finding("prompt"), active("red"))

    assert (decision.severity, decision.email) == ("red", False)


def test_the_same_evidence_after_an_acknowledgement_changes_nothing():
    assert decide(drop_finding("amber", fall=4.5), active("amber", "acknowledged")) == []


def test_a_new_fall_after_recovery_reopens_an_acknowledged_alert_and_emails():
    [decision] = decide(drop_finding("amber", since="r9"), active("amber", "acknowledged"))

    assert (decision.action, decision.email) == ("reopen", True)


def test_a_further_fall_after_an_acknowledgement_reopens_and_emails():
    [decision] = decide(drop_finding("amber", fall=7.0), active("amber", "acknowledged"))

    assert (decision.action, decision.email) == ("reopen", True)


def test_new_evidence_on_an_acknowledged_prompt_reopens_it_without_email():
    [decision] = decide(drop_finding("prompt", since="r9"), active("prompt", "acknowledged"))

    assert (decision.action, decision.email) == ("reopen", False)


def test_a_resolved_alert_is_no_longer_active_so_the_rule_fires_again():
    [decision] = decide(drop_finding("amber"), {})

    assert decision.action == "create"


def test_the_next_session_closes_prompts_and_keeps_alerts():
    alerts = {
        "low_score": ActiveAlert("low_score", "prompt", "open", {}),
        "drop": ActiveAlert("drop", "amber", "acknowledged", {}),
    }

    assert [a.kind for a in evaluation.prompts_closed_by_session(alerts)] == ["low_score"]


def test_a_sustained_rupture_after_an_acknowledged_one_is_not_swallowed():
    answers = history(46, 47, 45, 46, 38, 38, 46, 47, 46, 46, 38, 38)

    emails = [(index, d.kind) for index, d in evaluation.replay(answers, CONTEXT) if d.email]

    assert [kind for _, kind in emails].count("drop") == 2
    assert emails[-1] in ((10, "drop"), (11, "drop"))


def test_an_expiry_streak_after_answers_raises_non_response_once():
    steps = history(46, 46) + [evaluation.Expiry(f"i{n}") for n in range(5)]

    decided = [(index, d.kind, d.action) for index, d in evaluation.replay(steps, CONTEXT)]

    assert decided == [(4, "non_response", "create")]
