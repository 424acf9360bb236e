"""Shared helpers and fixtures of the import tests (imported by the test_import_* modules).

Holds no tests itself. ``media`` keeps uploaded and error files in a temporary folder;
``english`` runs the test in English so messages can be asserted whatever the catalogue.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from customers.import_service import import_job_create, import_job_execute
from customers.models import ImportJob

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# What each real file holds (read from the files; see fixtures/SOURCES.md):
# file -> (data rows, created into an empty database, rejected).
REAL_FILES: dict[str, tuple[int, int, int]] = {
    "szse_a_share_companies_2025.xlsx": (2875, 2875, 0),
    "szse_listed_companies_2014.csv": (1589, 1589, 0),
    "tushare_stock_basic.csv": (5448, 5448, 0),
    "jshERP_customer_template.xls": (2, 2, 0),
}
NO_NAME_FILES: dict[str, int] = {
    # Lists of people (姓名/性别/年龄), not companies: no column gives a customer name,
    # so the file is refused once (the preview says so and Confirm is refused) instead
    # of rejecting every row with "name: required". Value: data rows.
    "hutool_aaa.xls": 4,
    "hutool_merge_test.xlsx": 3,
    # A cosmetics formula sheet: no customer columns at all.
    "easyexcel_t02_merged_title.xlsx": 1,
}


def xlsx_bytes(rows: Sequence[Sequence[object]], title: str = "Sheet1") -> bytes:
    """A small .xlsx made in the test (first row = headers)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run_import(
    data: bytes,
    *,
    name: str = "test.xlsx",
    kind: str = "customers",
    by: object = None,
    **options: object,
) -> ImportJob:
    """Create and execute a job in one go (what the command does)."""
    job = import_job_create(by=by, upload=ContentFile(data, name=name), kind=kind, options=options)  # type: ignore[arg-type]
    return import_job_execute(job=job)


def last_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month before ``today`` (default: local today)."""
    from accounts.scoping import local_today

    today = today or local_today()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files and error workbooks go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english(settings: Any) -> Iterator[None]:
    """English messages (the default language is zh-hans)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def import_team() -> Any:
    """A team for imports made without the persona organisation: a new customer needs a
    team (docs/domain, section 5, Public pool)."""
    from accounts.models import OrgUnit

    team, _ = OrgUnit.objects.get_or_create(
        code="import-team", defaults={"name": "导入组", "kind": OrgUnit.Kind.TEAM}
    )
    return team
