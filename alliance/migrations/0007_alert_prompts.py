"""Prompts, the lowest severity; and every practice moved to the validated rule defaults.

A practice's override that only restates an old default is dropped, so the practice follows
the new default. Other overrides of settings the new rules still have are kept (the preview
shows what they cost). Settings the new rules no longer have (the old fixed-threshold drop,
the old severities of `low_score` and `drop`) mean nothing now and are dropped with them.
"""

from django.db import migrations, models

OLD_DEFAULTS = {
    "low_score": {"enabled": True, "severity": "amber", "red_after_consecutive": 2},
    "drop": {
        "enabled": True,
        "severity": "amber",
        "share_of_range": 0.10,
        "red_multiple": 2.0,
        "baseline_answers": 3,
    },
    "no_progress": {
        "enabled": True,
        "severity": "amber",
        "window_days": 183,
        "min_answers": 3,
        "min_span_days": 150,
        "below_share_of_range": 0.7,
    },
    "discuss_request": {"enabled": True, "severity": "red"},
    "non_response": {"enabled": True, "severity": "amber", "consecutive_expired": 3},
    "escalation": {"red_unacknowledged_hours": 48},
}

# The settings the new rules have, as of this migration.
NEW_FIELDS = {
    "low_score": {"enabled", "alert_below_share", "alert_after_consecutive"},
    "drop": {
        "enabled",
        "prompt_at",
        "alert_at",
        "red_multiple",
        "allowance",
        "baseline_answers",
        "min_baseline_answers",
        "prior_weight",
        "min_spread_share",
        "further_fall_spreads",
    },
    "no_progress": {
        "enabled",
        "severity",
        "window_days",
        "min_answers",
        "min_span_days",
        "below_share_of_range",
    },
    "discuss_request": {"enabled", "severity"},
    "non_response": {"enabled", "severity", "consecutive_expired"},
    "escalation": {"red_unacknowledged_hours"},
}


def kept_overrides(settings: dict) -> dict:
    kept = {}
    for rule, fields in settings.items():
        if not isinstance(fields, dict) or rule not in NEW_FIELDS:
            continue
        old = OLD_DEFAULTS.get(rule, {})
        own = {
            field: value
            for field, value in fields.items()
            if field in NEW_FIELDS[rule] and not (field in old and old[field] == value)
        }
        if own:
            kept[rule] = own
    return kept


def move_to_new_defaults(apps, schema_editor):
    AlertRules = apps.get_model("alliance", "AlertRules")
    for rules in AlertRules.objects.all():
        kept = kept_overrides(rules.settings or {})
        if kept != rules.settings:
            AlertRules.objects.filter(pk=rules.pk).update(settings=kept)


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0006_updated_at_everywhere"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="severity",
            field=models.CharField(
                choices=[("prompt", "Prompt"), ("amber", "Amber"), ("red", "Red")], max_length=10
            ),
        ),
        migrations.RunPython(move_to_new_defaults, migrations.RunPython.noop),
    ]
