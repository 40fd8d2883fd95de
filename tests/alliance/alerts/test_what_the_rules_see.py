"""What the rules see of a long episode: its latest answers and the no-progress window, so
that an evaluation costs the same after 60 answers or 600."""

from datetime import timedelta

from alliance.alerts import evaluation
from tests.alliance.alerts.histories import CONTEXT, answer, history

RULES = CONTEXT.rules
IN_VIEW = evaluation.answers_in_view(RULES)


def _finding(answers, kind):
    return {f.kind: f for f in evaluation.findings_for_answer(answers, CONTEXT)}.get(kind)


def test_the_rules_see_a_year_of_weekly_answers_after_the_baseline():
    assert IN_VIEW == 8 + 52


def test_the_rules_see_a_long_episodes_latest_answers():
    seen = evaluation.in_view(history(*[46] * 300), RULES)

    assert [a.response_id for a in seen] == [f"r{week}" for week in range(300 - IN_VIEW, 300)]


def test_the_rules_see_every_answer_of_the_no_progress_window_however_many():
    daily = [answer(day, 46, days=day) for day in range(300)]

    seen = evaluation.in_view(daily, RULES)

    assert len(seen) == 184
    assert seen[0].answered_at == daily[-1].answered_at - timedelta(days=183)


def test_a_fall_against_the_earlier_level_still_alerts_after_a_long_history():
    drop = _finding(history(*[46] * 300, 40, 40), "drop")

    assert (drop.severity, drop.evidence["baseline_mean"], drop.evidence["since"]) == (
        "red",
        46,
        "r300",
    )


def test_a_fall_sustained_for_longer_than_the_rules_see_has_become_the_clients_level():
    assert _finding(history(*[46] * 20, *[40] * IN_VIEW, 40), "drop") is None


def test_a_further_fall_is_measured_against_that_level():
    drop = _finding(history(*[46] * 20, *[40] * IN_VIEW, 34, 34), "drop")

    assert (drop.severity, drop.evidence["baseline_mean"]) == ("red", 40)


def test_an_acknowledged_low_streak_longer_than_the_rules_see_is_emailed_once():
    answers = history(*[30] * 300)  # far below the cut-off of 45, every week

    emails = [d for _, d in evaluation.replay(answers, CONTEXT) if d.email]

    assert [(d.kind, d.severity) for d in emails] == [("low_score", "amber")]


def test_an_acknowledged_expiry_streak_longer_than_the_rules_see_is_emailed_once():
    unanswered_for_two_years = [evaluation.Expiry(f"i{week}") for week in range(104)]
    steps = history(46, 46) + unanswered_for_two_years

    emails = [d for _, d in evaluation.replay(steps, CONTEXT) if d.email]

    assert [(d.kind, d.action) for d in emails] == [("non_response", "create")]
