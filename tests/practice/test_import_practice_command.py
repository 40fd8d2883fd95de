"""`manage.py import_practice PRACTICE FILE`: the same import, here and now, with progress."""

import io

import pytest
from django.core.management import CommandError, call_command

from practice.models import BulkImport, Clinician

pytestmark = pytest.mark.django_db

CLINICIANS = "external_id,name,email\nC-1,Dr. Ruiz,ruiz@example.org\nC-2,Dr. Lee,lee@example.org\n"


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_practice", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def clinicians_csv(tmp_path):
    path = tmp_path / "clinicians.csv"
    path.write_text(CLINICIANS)
    return path


def test_it_imports_the_file_into_the_practice_named_by_slug_and_reports_counts(
    practice_a, clinicians_csv
):
    out, err = _run(practice_a.practice.slug, str(clinicians_csv), "--type", "clinician")

    assert "2 created, 0 updated, 0 refused, 0 skipped" in out
    assert "2/2" in err  # the progress bar, finished
    assert Clinician.across_practices_unsafe.filter(practice=practice_a.practice).count() == 2


def test_a_dry_run_writes_nothing(practice_a, clinicians_csv):
    out, _ = _run(
        str(practice_a.practice.pk), str(clinicians_csv), "--type", "clinician", "--dry-run"
    )

    assert "dry run: nothing written" in out
    assert not Clinician.across_practices_unsafe.exists()


def test_refused_rows_are_listed_and_make_it_fail(practice_a, tmp_path):
    path = tmp_path / "clinicians.csv"
    path.write_text(CLINICIANS + "C-3,No Email,\n")

    with pytest.raises(CommandError, match="1 rows were refused"):
        _run(practice_a.practice.slug, str(path), "--type", "clinician")

    assert BulkImport.across_practices_unsafe.get().errors[0]["row"] == 4


def test_a_file_over_the_import_limit_is_refused(practice_a, clinicians_csv, settings):
    settings.MAX_IMPORT_BODY_BYTES = 20

    with pytest.raises(CommandError, match="at most 20 bytes"):
        _run(practice_a.practice.slug, str(clinicians_csv), "--type", "clinician")


def test_an_unknown_practice_is_refused(db, clinicians_csv):
    with pytest.raises(CommandError, match="No practice"):
        _run("no-such-practice", str(clinicians_csv))
