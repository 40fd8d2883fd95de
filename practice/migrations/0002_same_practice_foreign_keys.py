from django.db import migrations

from practice.db import AddSamePracticeForeignKey


class Migration(migrations.Migration):
    dependencies = [("practice", "0001_initial")]

    operations = [
        AddSamePracticeForeignKey("clinician", "member"),
        AddSamePracticeForeignKey("client", "clinician"),
        AddSamePracticeForeignKey("session", "client"),
        AddSamePracticeForeignKey("session", "clinician"),
    ]
