"""Memberships become the practice's own (address, role, active flag, clinician), sign-in
links, clinicians' time zones and the practice's brief hour.

Existing memberships take their user's address; a clinician record linked to a membership
becomes that membership's clinician. A clinician-role membership with no clinician record of
the same address could never see a client, and the new rule (a clinician member is a
clinician) cannot hold for it: it is removed, and a practice adds it again with its clinician.
"""

import datetime
import uuid

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

import practice.models
from practice.db import AddSamePracticeForeignKey


def copy_addresses_and_clinicians(apps, schema_editor):
    Membership = apps.get_model("practice", "Membership")
    Clinician = apps.get_model("practice", "Clinician")
    for clinician in Clinician.objects.select_related("practice"):
        clinician.timezone = clinician.practice.timezone
        clinician.save(update_fields=["timezone"])
    linked = {
        member_id: clinician_id
        for clinician_id, member_id in Clinician.objects.exclude(member=None).values_list(
            "id", "member_id"
        )
    }
    for membership in Membership.objects.select_related("user"):
        membership.email = (membership.user.email or membership.user.username).lower()
        membership.clinician_id = linked.get(membership.pk)
        if membership.role == "clinician" and membership.clinician_id is None:
            membership.clinician = Clinician.objects.filter(
                practice_id=membership.practice_id, email__iexact=membership.email
            ).first()
        if membership.role == "clinician" and membership.clinician_id is None:
            membership.delete()
            continue
        membership.save(update_fields=["email", "clinician"])


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0007_bulk_import_record_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="email",
            field=models.EmailField(default="", max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="membership",
            name="clinician",
            field=models.ForeignKey(
                blank=True,
                help_text="Required for the clinician role: the clinician this member is.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memberships",
                to="practice.clinician",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="active",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="membership",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="clinician",
            name="timezone",
            field=models.CharField(
                default="UTC", max_length=64, validators=[practice.models.validate_timezone]
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="practice",
            name="brief_hour",
            field=models.TimeField(default=datetime.time(7, 30)),
        ),
        migrations.RunPython(copy_addresses_and_clinicians, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="membership", name="membership_one_per_user"),
        migrations.RemoveField(model_name="clinician", name="member"),
        migrations.RemoveField(model_name="membership", name="user"),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                models.F("practice"),
                django.db.models.functions.text.Lower("email"),
                name="membership_one_per_address",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                fields=("practice", "clinician"), name="membership_one_per_clinician"
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role", "clinician"), _negated=True),
                    ("clinician__isnull", False),
                    _connector="OR",
                ),
                name="membership_clinician_role_has_clinician",
            ),
        ),
        AddSamePracticeForeignKey("membership", "clinician"),
        migrations.CreateModel(
            name="SignInLink",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "token_hash",
                    models.CharField(editable=False, max_length=64, null=True, unique=True),
                ),
                ("next_path", models.CharField(blank=True, max_length=200)),
                ("language", models.CharField(default="en", max_length=8)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="practice.membership",
                    ),
                ),
                (
                    "practice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="practice.practice",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["expires_at"], name="signinlink_expires")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("practice", "id"), name="signinlink_practice_id"
                    )
                ],
            },
        ),
        AddSamePracticeForeignKey("signinlink", "member"),
    ]
