"""The history import page and command: preview then import, scoped, errors by row."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from customers.tests.test_import_support import english, media  # noqa: F401 - fixtures
from journals.models import Visit
from journals.tests.test_history_import import customers, history_file  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english", "customers")]

PAGE = reverse("journals:history_import")
CONFIRM = reverse("journals:history_import_confirm")


def upload(client, org) -> Any:
    data = history_file(org)
    return client.post(PAGE, {"file": SimpleUploadedFile("history.xlsx", data)})


def test_supervisor_previews_where_each_row_goes_then_imports(client_for, org):
    client = client_for(org.supervisor)
    response = upload(client, org)
    assert response.status_code == 200
    page = response.content.decode()
    assert "甲科技有限公司" in page
    assert "no customer H999 among the customers you may see" in page
    assert "3 visits and follow-ups and 2 stage changes will be attached" in page
    assert Visit.objects.count() == 0
    token = response.context["token"]
    done = client.post(CONFIRM, {"token": token})
    assert done.status_code == 200
    assert "Imported 3 visits and follow-ups and 2 stage changes" in done.content.decode()
    assert Visit.objects.count() == 3
    # The token was used up: its file is gone.
    assert client.post(CONFIRM, {"token": token}).status_code == 400


def test_a_token_of_someone_else_is_refused(client_for, org):
    token = upload(client_for(org.supervisor), org).context["token"]
    other = client_for(org.supervisor_b)
    assert other.post(CONFIRM, {"token": token}).status_code == 400
    assert other.post(CONFIRM, {"token": token + "x"}).status_code == 400
    assert Visit.objects.count() == 0


def test_another_branchs_supervisor_cannot_attach_to_this_teams_customers(client_for, org):
    response = upload(client_for(org.outsider_supervisor), org)
    rows = {r["number"]: r for r in response.context["rows"]}
    assert rows[2]["action"] == "reject"
    assert rows[3]["customer"] is None
    assert response.context["counts"]["visits"] == 1  # their own team's row only


@pytest.mark.parametrize("who", ["rep", "teammate", "manager"])
def test_reps_and_managers_get_404(client_for, org, who):
    client = client_for(getattr(org, who))
    assert client.get(PAGE).status_code == 404
    assert client.post(CONFIRM, {"token": "x"}).status_code == 404


def _command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_history", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_dry_run_lists_rows_and_errors_and_writes_nothing(org, tmp_path):
    path = tmp_path / "history.xlsx"
    path.write_bytes(history_file(org))
    code, out, _ = _command(str(path), "--by", "admin", "--dry-run", "--lang", "en")
    assert code == 1
    assert "Row 7: Customer: no customer H999 among the customers you may see" in out
    assert "Row 9: Purpose: required for a visit or follow-up" in out
    assert (
        "Row 8: Attach, Visit or follow-up First visit, 2026-10-09 12:00, 杨帆 -> 丙物流有限公司"
    ) in out
    assert out.strip().endswith(
        "4 visits and follow-ups and 2 stage changes will be attached; 0 rows are already "
        "there; 3 rows are refused."
    )
    assert Visit.objects.count() == 0
    code, out, _ = _command(str(path), "--by", "admin", "--lang", "en")
    assert code == 1
    assert Visit.objects.count() == 4
    assert out.strip().endswith(
        "Imported 4 visits and follow-ups and 2 stage changes; 0 rows were already there, "
        "3 were refused."
    )


def test_command_speaks_chinese_with_column_labels_not_field_codes(org, tmp_path):
    """--lang zh-hans: rows and summary from the page's message templates, columns by their
    Chinese labels (the command printed field codes such as 'customer:' and 'purpose:')."""
    path = tmp_path / "history.xlsx"
    path.write_bytes(history_file(org))
    code, out, _ = _command(str(path), "--by", "admin", "--dry-run", "--lang", "zh-hans")
    assert code == 1
    assert "第 7 行：客户：" in out
    assert "第 9 行：拜访目的：" in out
    assert "第 8 行：挂接，拜访或跟进 初访，2026-10-09 12:00，杨帆 -> 丙物流有限公司" in out
    assert out.strip().endswith("将挂接 4 条拜访和跟进、2 条阶段变更；0 行已存在；3 行被拒绝。")
    for code_word in ("customer:", "purpose:", "attach", "visit ", "rows="):
        assert code_word not in out
    code, _, err = _command(str(path), "--by", "nobody", "--lang", "zh-hans")
    assert code == 2
    assert "没有用户 nobody。" in err


def test_command_refuses_a_rep_once(org, tmp_path):
    path = tmp_path / "history.xlsx"
    path.write_bytes(history_file(org))
    code, out, err = _command(str(path), "--by", "rep", "--lang", "en")
    assert code == 2
    assert "Only an admin or a supervisor can import history." in err
    assert out == ""
