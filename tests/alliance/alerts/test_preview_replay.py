"""The preview replays a practice's histories through the evaluation core and counts."""

from alliance.alerts import preview
from alliance.alerts.defaults import merged_rules
from alliance.alerts.evaluation import Context
from tests.alliance.alerts.histories import CHECK, CONTEXT, answer, history


def test_only_answers_in_the_window_raise_and_earlier_ones_make_the_baseline():
    steps = history(46, 46, 46, 46, 35)
    quiet = preview.ClientHistory("c1", steps, window_start=5)
    dropped = preview.ClientHistory("c2", steps, window_start=4)

    figures = preview.replay_practice([quiet, dropped], CONTEXT, clinician_weeks=2)

    assert figures["by_kind"]["drop"] == {"prompt": 0, "amber": 0, "red": 1}
    [client] = figures["clients"]
    assert client["client"] == "c2"
    assert client["kinds"]["drop"] == {"raised": 1, "severity": "red"}
    assert (figures["emails"], figures["emails_per_clinician_week"]) == (1, 0.5)


def test_prompts_are_counted_apart_from_emails():
    steps = [answer(0, 44)]

    figures = preview.replay_practice(
        [preview.ClientHistory("c1", steps, 0)], CONTEXT, clinician_weeks=1
    )

    assert (figures["emails"], figures["prompts"]) == (0, 1)
    assert figures["by_kind"]["low_score"]["prompt"] == 1


def test_proposed_settings_change_what_the_same_answers_raise():
    steps = history(46, 46, 46, 46, 41)
    stricter = Context(
        rules=merged_rules({"drop": {"alert_at": 5.0}}), pooled_spreads={CHECK.scale: 1.5}
    )
    clients = [preview.ClientHistory("c1", steps, 4)]

    current = preview.replay_practice(clients, CONTEXT, clinician_weeks=1)
    proposed = preview.replay_practice(clients, stricter, clinician_weeks=1)

    assert current["by_kind"]["drop"]["amber"] == 1
    assert proposed["by_kind"]["drop"] == {"prompt": 1, "amber": 0, "red": 0}


def test_a_practice_without_history_gets_simulated_figures():
    definition = {
        "code": "alliance-check",
        "items": [{"code": c, "min": 0, "max": 10} for c in "abcde"],
        "scoring": {"method": "sum"},
        "threshold": 45,
        "item_threshold": 9,
    }

    figures = preview.simulated(definition, merged_rules({}))

    assert figures["instrument"] == "alliance-check"
    assert 0 < figures["emails_per_clinician_week"] < 5
    assert figures["prompts_per_clinician_week"] > figures["emails_per_clinician_week"]
