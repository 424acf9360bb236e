"""Import jobs through the API: admins upload, confirm and read the status and the
rejected rows; everyone else gets 404, as on the import pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from customers.models import Customer, ImportJob
from customers.tests.test_import_support import xlsx_bytes

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_an_admin_uploads_confirms_and_reads_the_status_of_an_import(
    org, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    admin = api(org.admin)
    data = xlsx_bytes([["客户名称"], ["甲公司"], ["乙公司"]])
    uploaded = admin.post(
        "/api/v1/import-jobs/",
        {
            "file": SimpleUploadedFile("list.xlsx", data),
            "kind": "customers",
            "team": org.team_a.pk,
        },
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    job_id = uploaded.json()["id"]
    assert uploaded.json()["status"] == "preview"
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin.post(f"/api/v1/import-jobs/{job_id}/confirm/")
    assert confirmed.status_code == 200
    status = admin.get(f"/api/v1/import-jobs/{job_id}/").json()
    assert status["status"] == "done"
    assert status["created_count"] == 2
    assert set(Customer.objects.values_list("name", flat=True)) == {"甲公司", "乙公司"}
    again = admin.post(f"/api/v1/import-jobs/{job_id}/confirm/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert ImportJob.objects.count() == 1


def test_a_file_that_cannot_be_read_is_a_field_error(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = api(org.admin).post(
        "/api/v1/import-jobs/",
        {"file": SimpleUploadedFile("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not a spreadsheet" in str(response.json())
    assert ImportJob.objects.count() == 0


def test_import_jobs_are_for_admins_only(org):
    for user in (org.rep, org.supervisor, org.manager):
        client = api(user)
        assert client.get("/api/v1/import-jobs/").status_code == 404
        upload = client.post(
            "/api/v1/import-jobs/",
            {"file": SimpleUploadedFile("a.csv", "客户名称\n甲公司\n".encode())},
            format="multipart",
        )
        assert upload.status_code == 404
    assert ImportJob.objects.count() == 0


def test_confirm_without_a_name_column_is_refused_with_the_reason(
    org, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    admin = api(org.admin)
    data = xlsx_bytes([["姓名", "电话"], ["王五", "13800138000"]])
    uploaded = admin.post(
        "/api/v1/import-jobs/",
        {"file": SimpleUploadedFile("people.xlsx", data), "kind": "customers"},
        format="multipart",
    )
    job_id = uploaded.json()["id"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refused = admin.post(f"/api/v1/import-jobs/{job_id}/confirm/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "No column is mapped to these required fields" in refused.content.decode()
    assert callbacks == []
    assert ImportJob.objects.get().status == ImportJob.Status.PREVIEW
