"""An alert's evidence, stored as numbers, read in plain words in the reader's language."""

from django.utils import translation

from alliance.alerts.wording import evidence_in_words

DROP = {"baseline_mean": 38.2, "total": 32.0, "spread": 1.6, "run_answers": 1}


def test_a_drop_reads_as_the_fall_and_the_clients_usual_variation():
    with translation.override("en"):
        words = evidence_in_words("drop", DROP)

    assert words == (
        "fell from an average of 38.2 to 32.0; this client's answers usually vary by ±1.6"
    )


def test_a_drop_reads_in_spanish_with_spanish_decimals():
    with translation.override("es"):
        words = evidence_in_words("drop", DROP | {"run_answers": 2})

    assert words == (
        "bajó de un promedio de 38,2 a 32,0; las respuestas de este cliente suelen variar "
        "±1,6; baja en 2 respuestas seguidas"
    )


def test_a_low_score_names_the_cut_off_and_the_low_items():
    evidence = {
        "total": 33.5,
        "threshold": 36,
        "item_threshold": 9,
        "low_items": {"overall": 7.5},
        "alert_below": 28.0,
        "consecutive": 1,
    }

    with translation.override("en"):
        words = evidence_in_words("low_score", evidence)

    assert words == "total 33.5, below the cut-off of 36.0; items below 9.0: overall 7.5"


def test_non_response_counts_the_expired_surveys_in_spanish():
    with translation.override("es"):
        words = evidence_in_words("non_response", {"expired_in_a_row": 3})

    assert words == "3 encuestas seguidas caducaron sin respuesta"


def test_evidence_without_the_numbers_reads_as_nothing_rather_than_failing():
    assert evidence_in_words("drop", {"rule": "drop"}) == ""
