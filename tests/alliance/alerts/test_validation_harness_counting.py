"""The validation harness counts false alerts and detections as defined, on constructed cases."""

from alliance.alerts import validation
from alliance.alerts.defaults import merged_rules
from alliance.alerts.simulation import SimulatedClient, Week
from alliance.alerts.validation import Event, Tally


def week(index, *, total=40.0, rupture=False, low=False, decline=False):
    return Week(
        index,
        total,
        {"a": total} if total is not None else None,
        False,
        40.0,
        rupture,
        low,
        decline,
    )


def tally_of(client, events, width=40):
    tally = Tally("srs", seed=1, noise=1.0)
    validation.count(tally, client, events, width)
    return tally


def stable_client(weeks=25):
    return SimulatedClient("c1", "stable", tuple(week(i) for i in range(weeks)))


def test_an_emailed_alert_in_a_week_without_rupture_is_false():
    tally = tally_of(stable_client(), [Event(3, "drop", "amber", "create", True)])

    assert tally.false_emails["drop"] == 1
    assert tally.per_clinician_week(tally.false_emails) == 1.0
    assert tally.precision == 0


def test_a_prompt_is_never_a_false_alert():
    tally = tally_of(stable_client(), [Event(3, "low_score", "prompt", "create", False)])

    assert sum(tally.false_emails.values()) == 0
    assert tally.prompts["low_score"] == 1


def test_emails_in_rupture_low_or_decline_weeks_are_not_false():
    weeks = (week(0, rupture=True), week(1, low=True), week(2, decline=True), week(3))
    client = SimulatedClient("c1", "stable", weeks)
    events = [Event(i, "drop", "amber", "create", True) for i in range(3)]

    tally = tally_of(client, events)

    assert (sum(tally.emails.values()), sum(tally.false_emails.values())) == (3, 0)
    assert tally.alerts_per_100_answers == 75


def rupture_client(size, missed=()):
    weeks = tuple(week(i, total=None if i in missed else 40.0, rupture=i >= 4) for i in range(10))
    return SimulatedClient("c1", "rupture", weeks, rupture_onset=4, rupture_size=size)


def test_a_rupture_alerted_at_its_second_answer_counts_within_2_not_within_1():
    tally = tally_of(rupture_client(6), [Event(5, "drop", "amber", "create", True)])

    large = tally.large_ruptures
    assert (large.count, large.alerted_within_1, large.alerted_within_2) == (1, 0, 1)


def test_answers_are_counted_not_weeks_when_a_survey_is_missed():
    tally = tally_of(rupture_client(6, missed=(5,)), [Event(6, "drop", "amber", "create", True)])

    assert tally.large_ruptures.alerted_within_2 == 1


def test_an_alert_at_the_third_answer_is_not_a_detection():
    tally = tally_of(rupture_client(6), [Event(6, "drop", "amber", "create", True)])

    assert tally.large_ruptures.alerted_within_2 == 0


def test_a_small_rupture_prompted_counts_as_prompted_only():
    tally = tally_of(rupture_client(4), [Event(4, "drop", "prompt", "create", False)])

    small = tally.small_ruptures
    assert (small.count, small.alerted_within_2, small.prompted_within_2) == (1, 0, 1)
    assert tally.large_ruptures.count == 0


def test_five_srs_points_is_a_large_rupture():
    tally = tally_of(rupture_client(5), [])

    assert tally.large_ruptures.count == 1


def test_a_decline_counts_when_prompted_by_its_second_answer_after_reaching_10_percent():
    weeks = tuple(week(i, decline=i >= 6) for i in range(10))
    client = SimulatedClient("c1", "slow_decline", weeks, decline_onset=2, decline_reached_at=6)

    caught = tally_of(client, [Event(7, "low_score", "prompt", "create", False)])
    late = tally_of(client, [Event(8, "low_score", "prompt", "create", False)])

    assert caught.declines.prompted_within_2 == 1
    assert late.declines.prompted_within_2 == 0


def test_a_cohort_missing_a_target_is_named():
    tally = tally_of(stable_client(), [Event(i, "drop", "amber", "create", True) for i in range(3)])

    assert validation.targets_missed(tally) == ["false alerts per clinician-week"]


def test_a_small_run_of_the_harness_prints_every_table():
    definition = {
        "code": "srs",
        "items": [{"code": c, "min": 0, "max": 10, "step": 0.1} for c in "abcd"],
        "scoring": {"method": "sum"},
        "threshold": 36,
        "item_threshold": 9,
    }
    tallies = validation.validate(
        [definition], rules=merged_rules({}), clients=40, seeds=(1,), noise_levels=(1.0, 1.3)
    )
    table = validation.report(tallies)

    assert [t.noise for t in tallies] == [1.0, 1.3]
    assert all(t.client_weeks >= 40 * 8 for t in tallies)
    assert "| srs | 1x | 1 |" in table and "| srs | 1.3x | 1 |" in table
    assert "Per rule" in table and "Ruptures by size" in table
