from django.db import migrations

from practice.db import AddSamePracticeForeignKey


def add_built_in_instruments(apps, schema_editor):
    # Version 1 of each built-in as shipped; a later change to one ships as a new version.
    from alliance.surveys.builtin_instruments import BUILT_IN_INSTRUMENTS

    instrument_model = apps.get_model("alliance", "Instrument")
    for definition in BUILT_IN_INSTRUMENTS:
        instrument_model.objects.get_or_create(
            practice=None, code=definition["code"], version=1, defaults=definition
        )


class Migration(migrations.Migration):
    dependencies = [("alliance", "0001_initial"), ("practice", "0002_same_practice_foreign_keys")]

    operations = [
        migrations.RunPython(add_built_in_instruments, migrations.RunPython.noop),
        AddSamePracticeForeignKey("surveyinvitation", "client"),
        AddSamePracticeForeignKey("surveyinvitation", "session"),
        AddSamePracticeForeignKey("surveylink", "invitation"),
        AddSamePracticeForeignKey("surveyresponse", "invitation"),
        AddSamePracticeForeignKey("surveyresponse", "client"),
        AddSamePracticeForeignKey("surveyresponse", "session"),
    ]
