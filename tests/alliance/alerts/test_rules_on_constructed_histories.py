"""Each rule of the evaluation core on constructed histories, with the default settings."""

from dataclasses import replace

from alliance.alerts import evaluation, rules
from alliance.alerts.rules import Instrument, Scale
from tests.alliance.alerts.histories import CHECK, CONTEXT, answer, history

RULES = CONTEXT.rules


def drop(answers):
    return rules.drop(answers, RULES["drop"], CONTEXT.pooled_spread(CHECK.scale))


# low_score


def test_a_total_at_the_cut_off_with_no_low_item_is_not_low():
    assert (
        rules.low_score([answer(0, 45, items=dict.fromkeys("abcde", 9))], RULES["low_score"])
        is None
    )


def test_a_total_below_the_cut_off_is_a_prompt():
    finding = rules.low_score([answer(0, 44)], RULES["low_score"])

    assert (finding.kind, finding.severity, finding.evidence["threshold"]) == (
        "low_score",
        "prompt",
        45,
    )


def test_one_item_below_9_is_a_prompt_naming_the_item():
    items = {"comfort": 8, "respect": 10, "heard": 10, "goals": 10, "progress": 10}

    finding = rules.low_score([answer(0, 48, items=items)], RULES["low_score"])

    assert finding.severity == "prompt"
    assert finding.evidence["low_items"] == {"comfort": 8}


def test_one_answer_far_below_the_cut_off_is_still_a_prompt():
    finding = rules.low_score(history(48, 30), RULES["low_score"])

    assert finding.severity == "prompt"


def test_two_answers_in_a_row_far_below_the_cut_off_are_an_alert():
    finding = rules.low_score(history(48, 34, 34), RULES["low_score"])

    assert finding.severity == "amber"
    assert finding.evidence["consecutive"] == 2


def test_two_answers_in_a_row_twice_as_far_below_are_red():
    finding = rules.low_score(history(48, 20, 20), RULES["low_score"])

    assert finding.severity == "red"


# drop


def test_an_answer_within_the_usual_variation_raises_nothing():
    assert drop(history(46, 46, 46, 46, 45)) is None


def test_a_small_fall_is_a_prompt():
    finding = drop(history(46, 46, 46, 46, 43))

    assert finding.severity == "prompt"


def test_a_fall_sustained_over_two_sessions_is_an_alert_in_plain_numbers():
    finding = drop(history(46, 46, 46, 46, 43, 42))

    assert finding.severity == "amber"
    assert finding.evidence["baseline_mean"] == 46
    assert finding.evidence["total"] == 42
    assert finding.evidence["since"] == "r4"


def test_a_fall_of_about_twice_the_alert_is_red():
    assert drop(history(46, 46, 46, 46, 35)).severity == "red"


def test_the_previous_comparable_answer_may_lie_beyond_the_previous_answer():
    other = Instrument(scale=Scale("srs", "sum", (("a", 0, 10),) * 4), threshold=36)
    answers = history(46, 46, 46, 46)
    answers.append(answer(4, 20, instrument=other))
    answers.append(answer(5, 35))

    finding = drop(answers)

    assert finding.evidence["baseline_mean"] == 46
    assert finding.evidence["baseline_answers"] == 4


def test_a_new_version_with_the_same_scale_keeps_the_baseline():
    version_2 = replace(CHECK, version=2)
    answers = history(46, 46, 46, 46)
    answers.append(answer(4, 35, instrument=version_2))

    assert drop(answers).evidence["baseline_answers"] == 4


def test_a_changed_scale_starts_a_new_baseline():
    wider = Instrument(
        scale=Scale("alliance-check", "sum", tuple((c, 0, 20) for c, _, _ in CHECK.scale.items)),
        version=2,
        threshold=90,
    )
    answers = history(46, 46, 46, 46)
    answers.append(answer(4, 35, instrument=wider))

    assert drop(answers) is None


def test_where_the_instrument_declares_reliability_a_fall_of_4_80_on_sd_5_r_88_is_no_alert():
    normed = replace(CHECK, standard_deviation=5, reliability=0.88)

    finding = drop(history(40.0, 40.0, 40.0, 40.0, 35.2, 35.2, instrument=normed))

    assert finding.severity == "prompt"
    assert finding.evidence["reliable_change"] > 4.80


def test_where_the_instrument_declares_reliability_a_fall_of_4_81_may_alert():
    normed = replace(CHECK, standard_deviation=5, reliability=0.88)

    finding = drop(history(40.0, 40.0, 40.0, 40.0, 35.19, 35.19, instrument=normed))

    assert finding.severity in ("amber", "red")


# no_progress


def progress_answers(*days, progress=5):
    items = {"comfort": 10, "respect": 10, "heard": 10, "goals": 10, "progress": progress}
    return [answer(n, 45, items=items, days=day) for n, day in enumerate(days)]


def test_no_progress_over_152_days_is_amber():
    finding = rules.no_progress(progress_answers(0, 70, 152), RULES["no_progress"])

    assert (finding.severity, finding.evidence["span_days"]) == ("amber", 152)


def test_no_progress_over_151_days_is_not_enough():
    assert rules.no_progress(progress_answers(0, 70, 151), RULES["no_progress"]) is None


def test_progress_at_7_of_10_in_one_answer_is_progress():
    answers = progress_answers(0, 70, 160)
    answers[1] = answer(1, 45, items=answers[1].items | {"progress": 7}, days=70)

    assert rules.no_progress(answers, RULES["no_progress"]) is None


# discuss_request and non_response


def test_asking_to_talk_is_red():
    finding = rules.discuss_request([answer(0, 50, discuss=True)], RULES["discuss_request"])

    assert finding.severity == "red"


def test_three_expired_invitations_in_a_row_are_amber():
    statuses = [("i3", "expired"), ("i2", "expired"), ("i1", "expired"), ("i0", "completed")]

    finding = rules.non_response(statuses, RULES["non_response"])

    assert (finding.severity, finding.evidence["since"]) == ("amber", "i1")


def test_an_answer_between_expiries_breaks_the_streak():
    statuses = [("i3", "expired"), ("i2", "completed"), ("i1", "expired"), ("i0", "expired")]

    assert rules.non_response(statuses, RULES["non_response"]) is None


def test_a_disabled_rule_finds_nothing():
    context = replace(
        CONTEXT, rules=RULES | {"discuss_request": RULES["discuss_request"] | {"enabled": False}}
    )

    findings = evaluation.findings_for_answer([answer(0, 50, discuss=True)], context)

    assert findings == []
