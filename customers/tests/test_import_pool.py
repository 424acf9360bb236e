"""Importing straight into the public pool (公海): the page's option, the command's
``--pool``, the preview and the customers' timeline; and the preview predicting exactly
the counts of the import (docs/domain, section 5, Imports)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.scoping import scope_for
from customers.import_messages import translate_reason
from customers.import_service import import_job_create, import_job_execute, import_preview
from customers.models import Customer, ImportJob, Ownership, StageChange
from customers.selectors import customer_detail
from customers.tests.test_import_command import run
from customers.tests.test_import_support import (
    english,  # noqa: F401 - fixture
    media,  # noqa: F401 - fixture
    run_import,
    xlsx_bytes,
)
from customers.timeline import customer_timeline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english")]

HEAD = ["客户名称", "客户经理", "团队"]


def _file() -> bytes:
    return xlsx_bytes([HEAD, ["甲公司", "rep", ""], ["乙公司", "", "north-2"], ["丙公司", "", ""]])


def test_a_pool_import_gives_no_owner_and_puts_customers_in_their_teams_pool(org):
    job = run_import(_file(), team=org.team_a, to_pool=True)
    assert (job.created_count, job.rejected_count) == (3, 0)
    rows = {c.name: (c.owner_id, c.team_id, c.in_pool) for c in Customer.objects.all()}
    assert rows == {
        "甲公司": (None, org.team_a.pk, True),  # the file's owner is not used
        "乙公司": (None, org.team_b.pk, True),
        "丙公司": (None, org.team_a.pk, True),
    }
    assert all(c.pool_since is not None for c in Customer.objects.all())
    own = Ownership.objects.get(customer__name="甲公司")
    assert (own.owner_id, own.end, own.reason) == (None, None, "Imported into the public pool")


def test_without_a_team_a_pool_row_is_rejected_naming_the_team_field(org):
    job = run_import(_file(), to_pool=True)
    assert (job.created_count, job.rejected_count) == (1, 2)
    assert {e["field"] for e in job.errors} == {"team"}
    assert "needs a team" in job.errors[0]["reason"]
    assert Customer.objects.get().team == org.team_b


def test_the_timeline_says_the_customer_came_into_the_pool(org):
    run_import(_file(), team=org.team_a, to_pool=True)
    pk = Customer.objects.get(name="甲公司").pk
    customer = customer_detail(scope=scope_for(org.supervisor), pk=pk)
    titles = [str(e.title) for e in customer_timeline(customer)]
    assert "In the public pool" in titles


def test_the_preview_says_pool_and_shows_no_owner(org, client_for):
    client = client_for(org.admin)
    response = client.post(
        reverse("customers:import_new"),
        {
            "file": SimpleUploadedFile("pool.xlsx", _file()),
            "kind": "customers",
            "on_duplicate": "skip",
            "team": org.team_a.pk,
            "to_pool": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    job = ImportJob.objects.get()
    assert job.to_pool
    html = client.get(reverse("customers:import_preview", args=[job.pk])).content.decode()
    assert 'data-testid="pool-note"' in html
    assert "into the public pool of 北一组" in html
    first = import_preview(job).rows[0]
    owner = next(c for c in first.cells if c.field == "owner")
    assert (first.action, owner.value) == ("create", "Public pool")  # its rep is not used


def test_the_page_refuses_a_pool_import_with_an_owner(org, client_for):
    client = client_for(org.admin)
    response = client.post(
        reverse("customers:import_new"),
        {
            "file": SimpleUploadedFile("pool.xlsx", _file()),
            "kind": "customers",
            "on_duplicate": "skip",
            "owner": org.rep.pk,
            "to_pool": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner"] == [
        "Choose no owner to import into the public pool."
    ]
    assert not ImportJob.objects.exists()


def test_the_command_pool_option(org, tmp_path):
    path = tmp_path / "pool.xlsx"
    path.write_bytes(_file())
    code, out, _err = run(str(path), "--pool", "--team", org.team_a.code, "--lang", "en")
    assert (code, out.splitlines()[0]) == (0, "rows=3 created=3 updated=0 duplicates=0 rejected=0")
    assert not Customer.objects.filter(owner__isnull=False).exists()
    code, _out, err = run(str(path), "--pool", "--owner", "rep", "--lang", "en")
    assert code == 2
    assert "without an owner" in err


def test_a_pool_update_keeps_the_existing_owner(org):
    run_import(xlsx_bytes([HEAD, ["甲公司", "rep", ""]]), team=org.team_a)
    job = run_import(
        xlsx_bytes([["客户名称", "城市"], ["甲公司", "深圳"]]),
        team=org.team_a,
        to_pool=True,
        on_duplicate="update",
    )
    assert job.updated_count == 1
    customer = Customer.objects.get()
    assert (customer.owner, customer.city) == (org.rep, "深圳")


# --------------------------------------------------------------------------- preview = result
def _reimport_world(org):
    """Existing customers: 甲 (will change), 乙 (already up to date), 丙 (intent since
    June 2024, a row dates an earlier stage)."""
    run_import(
        xlsx_bytes(
            [
                ["客户名称", "城市", "客户经理"],
                ["甲公司", "北京", "rep"],
                ["乙公司", "上海", "rep"],
            ]
        )
    )
    third = Customer.objects.create(name="丙公司", name_key="丙公司", stage="intent")
    StageChange.objects.create(
        customer=third,
        from_stage="lead",
        to_stage="intent",
        at=timezone.make_aware(dt.datetime(2024, 6, 1)),
    )
    head = ["客户名称", "城市", "客户经理", "阶段", "阶段日期"]
    return xlsx_bytes(
        [
            head,
            ["甲公司", "深圳", "rep", "", ""],  # update (city)
            ["乙公司", "上海", "rep", "", ""],  # unchanged: a duplicate in the result
            ["丙公司", "", "", "目标客户", "2024-01-01"],  # update: stage dated at the import
            ["丁公司", "", "", "", ""],  # new
            ["丁 公司", "", "", "", ""],  # repeats row 5
            ["戊公司", "", "nobody", "", ""],  # rejected: unknown owner
        ]
    )


@pytest.mark.parametrize("mode", ["skip", "update", "create"])
def test_the_preview_predicts_exactly_the_counts_of_the_import(org, mode):
    data = _reimport_world(org)
    job = import_job_create(
        by=None,
        upload=ContentFile(data, name="again.xlsx"),
        kind="customers",
        options={"on_duplicate": mode, "team": org.team_a},
    )
    predicted = import_preview(job).counts
    done = import_job_execute(job=job)
    result = {
        "create": done.created_count,
        "update": done.updated_count,
        "duplicate": done.duplicate_count,
        "reject": done.rejected_count,
    }
    assert {k: predicted.get(k, 0) for k in result} == result
    expected = {
        "skip": {"create": 1, "update": 0, "duplicate": 4, "reject": 1},
        "update": {"create": 1, "update": 2, "duplicate": 2, "reject": 1},
        "create": {"create": 5, "update": 0, "duplicate": 0, "reject": 1},
    }[mode]
    assert result == expected


def test_a_new_customer_with_no_owner_and_no_team_anywhere_is_rejected(org):
    """Not a pool import and no team chosen: a row naming neither owner nor team would
    give a customer no team can see (docs/domain, section 5, public pool); it is
    refused with the row, the field and the reason, and the other rows are saved. The
    preview says the same before anything is written."""
    data = xlsx_bytes([HEAD, ["甲公司", "", ""], ["乙公司", "", "north-2"], ["丙公司", "rep", ""]])
    job = import_job_create(by=org.admin, upload=ContentFile(data, name="t.xlsx"), kind="customers")
    preview = import_preview(job)
    assert [r.action for r in preview.rows] == ["reject", "create", "create"]
    assert any("needs a team" in c.error for c in preview.rows[0].cells if c.field == "team")
    job = import_job_execute(job=job)
    assert (job.created_count, job.rejected_count) == (2, 1)
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "team")]
    assert job.errors[0]["reason"] == (
        "needs a team: choose a team for the import or give the row an owner or team"
    )
    assert not Customer.objects.filter(team__isnull=True).exists()


def test_the_needs_a_team_reason_is_said_in_chinese(org):
    job = run_import(xlsx_bytes([HEAD, ["甲公司", "", ""]]))
    assert job.rejected_count == 1
    with translation.override("zh-hans"):
        assert translate_reason(job.errors[0]) == (
            "需要所属团队：请为本次导入选择团队，或在该行填写客户经理或团队"
        )
