"""Existing practices move to the new defaults: restated old defaults are dropped."""

import importlib

migration = importlib.import_module("alliance.migrations.0007_alert_prompts")


def test_an_override_that_restates_an_old_default_is_dropped():
    assert (
        migration.kept_overrides({"no_progress": {"min_span_days": 150, "window_days": 183}}) == {}
    )


def test_an_override_of_a_setting_the_new_rules_keep_is_kept():
    settings = {
        "non_response": {"consecutive_expired": 4},
        "escalation": {"red_unacknowledged_hours": 24},
    }

    assert migration.kept_overrides(settings) == settings


def test_a_disabled_rule_stays_disabled():
    assert migration.kept_overrides({"drop": {"enabled": False}}) == {"drop": {"enabled": False}}


def test_settings_the_new_rules_no_longer_have_are_dropped():
    settings = {
        "drop": {"share_of_range": 0.15, "red_multiple": 3.0},
        "low_score": {"severity": "red"},
    }

    assert migration.kept_overrides(settings) == {"drop": {"red_multiple": 3.0}}
