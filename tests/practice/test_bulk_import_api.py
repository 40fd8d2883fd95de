"""Bulk imports over HTTP, their worker run in-process: files, counts, row errors, dry runs."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.models import SurveyInvitation
from practice import imports
from practice.models import BulkImport, BulkImportFile, Client, Clinician, Session
from tests.factories import make_clinician, make_session

pytestmark = pytest.mark.django_db

CLINICIANS_CSV = (
    "external_id,name,email\nC-1,Dr. Ruiz,ruiz@example.org\nC-2,Dr. Lee,lee@example.org\n"
)


@pytest.fixture
def upload(api_a, django_capture_on_commit_callbacks):
    def post(content: str, name: str = "rows.csv", **fields):
        file = SimpleUploadedFile(name, content.encode())
        with django_capture_on_commit_callbacks(execute=True):
            response = api_a.post("/api/v1/imports/", {"file": file, **fields})
        return response

    return post


def _jsonl(*rows) -> str:
    return "\n".join(json.dumps(row) for row in rows) + "\n"


def _finished(api, response) -> dict:
    assert response.status_code == 202, response.json()
    return api.get(f"/api/v1/imports/{response.json()['id']}/").json()


def test_a_csv_of_clinicians_is_imported_and_counted(api_a, upload):
    result = _finished(api_a, upload(CLINICIANS_CSV, type="clinician"))

    assert result["status"] == "completed"
    assert result["counts"] == {"created": 2, "updated": 0, "failed": 0, "skipped": 0}
    assert result["errors"] == []
    assert set(Clinician.across_practices_unsafe.values_list("external_id", flat=True)) == {
        "C-1",
        "C-2",
    }


def test_importing_the_same_file_again_updates_instead_of_duplicating(api_a, upload):
    upload(CLINICIANS_CSV, type="clinician")

    result = _finished(api_a, upload(CLINICIANS_CSV, type="clinician"))

    assert result["counts"]["updated"] == 2
    assert Clinician.across_practices_unsafe.count() == 2


def test_json_lines_hold_clinicians_clients_and_sessions_by_external_id(api_a, upload):
    content = _jsonl(
        {"type": "clinician", "external_id": "C-1", "name": "Dr. Ruiz", "email": "r@example.org"},
        {
            "type": "client",
            "external_id": "P-1",
            "name": "Lena",
            "email": "lena@example.org",
            "clinician_external_id": "C-1",
            "survey_consent": True,
        },
        {
            "type": "session",
            "external_id": "S-1",
            "client_external_id": "P-1",
            "starts_at": "2026-05-04T15:00:00+02:00",
            "status": "completed",
        },
    )

    result = _finished(api_a, upload(content, name="rows.jsonl"))

    assert result["counts"]["created"] == 3
    session = Session.across_practices_unsafe.get()
    assert (session.client.external_id, session.clinician.external_id) == ("P-1", "C-1")
    assert session.status == "completed"
    assert not SurveyInvitation.across_practices_unsafe.exists()


def test_an_imported_completion_of_a_known_session_plans_no_survey(
    api_a, upload, practice_a, client_a
):
    Client.across_practices_unsafe.filter(pk=client_a.pk).update(external_id="P-1")
    booked = {
        "external_id": "S-1",
        "client_external_id": "P-1",
        "starts_at": "2026-05-04T15:00:00+02:00",
    }
    upload(_jsonl(booked), name="rows.jsonl", type="session")

    completed = _jsonl({"external_id": "S-1", "status": "completed"})
    result = _finished(api_a, upload(completed, name="rows.jsonl", type="session"))

    assert result["counts"]["updated"] == 1
    assert Session.across_practices_unsafe.get().status == "completed"
    assert not SurveyInvitation.across_practices_unsafe.exists()


def test_a_refused_row_is_reported_by_line_and_its_chunk_is_not_written(api_a, upload):
    content = CLINICIANS_CSV + "C-3,No Email,\n"

    result = _finished(api_a, upload(content, type="clinician"))

    assert result["status"] == "completed"
    assert result["counts"] == {"created": 0, "updated": 0, "failed": 1, "skipped": 2}
    assert result["errors"] == [
        {"row": 4, "external_id": "C-3", "errors": {"email": ["This field is required."]}}
    ]
    assert not Clinician.across_practices_unsafe.exists()


def test_only_the_chunk_with_a_refused_row_is_left_out(api_a, upload, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    content = CLINICIANS_CSV + "C-3,Dr. Kim,kim@example.org\nC-4,No Email,\n"

    result = _finished(api_a, upload(content, type="clinician"))

    assert result["counts"] == {"created": 2, "updated": 0, "failed": 1, "skipped": 1}
    assert set(Clinician.across_practices_unsafe.values_list("external_id", flat=True)) == {
        "C-1",
        "C-2",
    }


def test_a_conflict_in_a_row_names_the_record_in_the_way(api_a, upload, clinician_a):
    content = f"external_id,name,email\nC-1,Twin,{clinician_a.email}\n"

    result = _finished(api_a, upload(content, type="clinician"))

    (error,) = result["errors"]
    assert error["existing_id"] == str(clinician_a.pk)


def test_a_dry_run_checks_every_row_and_writes_nothing(api_a, upload, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    content = _jsonl(
        {"type": "clinician", "external_id": "C-1", "name": "Dr. Ruiz", "email": "r@example.org"},
        {
            "type": "client",
            "external_id": "P-1",
            "name": "Lena",
            "email": "lena@example.org",
            "clinician_external_id": "C-1",
        },
        {"type": "client", "external_id": "P-2", "name": "No clinician", "email": "x@example.org"},
    )

    result = _finished(api_a, upload(content, name="rows.jsonl", dry_run="true"))

    assert result["dry_run"] is True
    assert result["counts"] == {"created": 2, "updated": 0, "failed": 1, "skipped": 0}
    assert [error["row"] for error in result["errors"]] == [3]
    assert not Clinician.across_practices_unsafe.exists()
    assert not Client.across_practices_unsafe.exists()


def test_the_file_is_dropped_once_the_import_has_finished(api_a, upload):
    _finished(api_a, upload(CLINICIANS_CSV, type="clinician"))

    assert not BulkImportFile.across_practices_unsafe.exists()


@pytest.mark.parametrize(
    ("content", "fields"),
    [
        ("external_id,name,shoe_size\nC-1,Dr. Ruiz,44\n", {"type": "clinician"}),
        ("external_id,name,email\nC-1,Dr. Ruiz,r@example.org\n", {}),
        ("external_id,name,email\n", {"type": "clinician"}),
    ],
    ids=["unknown column", "no type", "no rows"],
)
def test_a_file_that_cannot_be_imported_is_refused_at_once(upload, content, fields):
    response = upload(content, **fields)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"file"}
    assert not BulkImport.across_practices_unsafe.exists()


def test_a_file_that_is_not_utf8_is_refused_at_once(api_a):
    file = SimpleUploadedFile("rows.csv", "external_id,name\nC-1,Dr. Peña\n".encode("latin-1"))

    response = api_a.post("/api/v1/imports/", {"file": file, "type": "clinician"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"file"}


def test_a_request_over_the_import_limit_is_refused_before_it_is_read(upload, settings):
    settings.MAX_IMPORT_BODY_BYTES = 50

    response = upload(CLINICIANS_CSV * 2, type="clinician")

    assert response.status_code == 413
    assert not BulkImport.across_practices_unsafe.exists()


def test_imports_are_listed_newest_first(api_a, upload):
    first = upload(CLINICIANS_CSV, type="clinician").json()
    second = upload(CLINICIANS_CSV, type="clinician").json()

    listed = api_a.get("/api/v1/imports/").json()["results"]

    assert [row["id"] for row in listed] == [second["id"], first["id"]]


def test_a_new_client_refused_by_a_rule_of_creation_is_reported_on_its_own_line(
    api_a, upload, practice_a
):
    make_clinician(practice_a.practice, external_id="C-1")
    make_clinician(practice_a.practice, external_id="C-OFF", active=False)
    content = (
        "external_id,name,email,clinician_external_id\n"
        "P-1,Lena,lena@example.org,C-1\n"
        "P-2,Omar,omar@example.org,C-OFF\n"
        "P-3,Iris,iris@example.org,C-1\n"
    )

    result = _finished(api_a, upload(content, type="client"))

    assert result["counts"] == {"created": 0, "updated": 0, "failed": 1, "skipped": 2}
    assert result["errors"] == [
        {"row": 3, "external_id": "P-2", "errors": {"clinician": ["This clinician is not active."]}}
    ]


def test_new_sessions_are_numbered_after_each_clients_earlier_ones(
    api_a, upload, practice_a, client_a
):
    Client.across_practices_unsafe.filter(pk=client_a.pk).update(external_id="P-1")
    make_session(practice_a.practice, client=client_a)
    content = _jsonl(
        *(
            {
                "external_id": f"S-{n}",
                "client_external_id": "P-1",
                "starts_at": f"2026-05-0{n}T15:00:00Z",
            }
            for n in range(1, 4)
        )
    )

    _finished(api_a, upload(content, name="rows.jsonl", type="session"))

    numbered = Session.across_practices_unsafe.order_by("sequence")
    assert [(s.external_id, s.sequence) for s in numbered] == [
        (None, 1),
        ("S-1", 2),
        ("S-2", 3),
        ("S-3", 4),
    ]
