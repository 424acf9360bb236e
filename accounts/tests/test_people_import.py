"""Importing people from .xlsx: the template reads back, every problem names its row, field
and why, the preview creates nothing, the confirmation creates the good rows with their
memberships and shows first passwords once, and a changed preview is refused."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import Membership, User
from accounts.people_import import read_people
from accounts.scoping import team_of

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HEADER = ["Name", "User name", "E-mail", "Team code", "Role", "Start date", "Language"]


def _xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, **extra):
    file = SimpleUploadedFile("people.xlsx", data)
    return client.post(reverse("accounts:people_import"), {"file": file}, **extra)


def test_the_template_downloads_in_the_pages_language_and_reads_back(client, org):
    client.force_login(org.admin)
    response = client.get(
        reverse("accounts:people_import_template"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "姓名",
        "用户名",
        "邮箱",
        "小组代码",
        "角色",
        "开始日期",
        "语言",
    ]
    parsed = read_people(response.content)
    assert parsed.errors == []
    assert [(r.username, r.team, r.role, r.start) for r in parsed.rows] == [
        ("zhangwei", "north-1", "rep", "2027-01-04")
    ]


def test_every_bad_row_names_row_field_and_why_and_the_preview_creates_nothing(client, org):
    client.force_login(org.admin)
    data = _xlsx(
        [
            [
                "孙丽",
                "sunli",
                "sunli@example.com",
                "north-1",
                "rep",
                dt.date(2027, 1, 4),
                "zh-hans",
            ],
            ["钱多", "REP", "", "north-1", "rep", "2027-01-04", ""],
            ["周全", "zhouquan", "not-mail", "north-9", "boss", "someday", "fr"],
            ["吴用", "sunli", "", "north", "supervisor", "2027-01-04", "en"],
        ]
    )
    response = _upload(client, data, **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Row 3, User name: “REP” is taken already." in page
    assert "Row 4, E-mail: “not-mail” is not an e-mail address." in page
    assert "Row 4, Team code: no active team has the code “north-9”." in page
    assert "Row 4, Role: “boss” is not a role (rep, supervisor, manager or admin)." in page
    assert "Row 4, Start date: “someday” is not a date." in page
    assert "Row 4, Language: “fr” is not zh-hans or en." in page
    assert "Row 5, User name: “sunli” is already in row 2." in page
    assert "Row 5, Team code: “north” is a branch; reps and supervisors belong to a team." in page
    assert response.context["parsed"].total == 4
    assert [r.username for r in response.context["parsed"].rows] == ["sunli"]
    assert not User.objects.filter(username="sunli").exists()


def test_confirm_creates_the_good_rows_with_their_team_and_shows_passwords(client, org):
    client.force_login(org.admin)
    data = _xlsx(
        [
            ["孙丽", "sunli", "sunli@example.com", "north-1", "销售人员", "2027-01-04", "中文"],
            ["周经理", "zhou", "", "north", "manager", "2026-12-01", "en"],
        ]
    )
    preview = _upload(client, data)
    payload = preview.context["payload"]
    done = client.post(reverse("accounts:people_import_confirm"), {"rows": payload})
    assert done.status_code == 200
    created = dict((u.username, p) for u, p in done.context["created"])
    sunli = User.objects.get(username="sunli")
    assert sunli.check_password(created["sunli"])
    assert sunli.language == "zh-hans"
    assert team_of(sunli, dt.date(2027, 1, 4)) == org.team_a
    assert Membership.objects.get(user__username="zhou").unit == org.north
    # the same preview again: the user names are taken now, nothing more is created
    again = client.post(reverse("accounts:people_import_confirm"), {"rows": payload}, **EN)
    assert again.status_code == 400
    assert "Row 2: This user name is taken." in again.content.decode()
    assert User.objects.filter(username__in=["sunli", "zhou"]).count() == 2


def test_a_changed_preview_or_a_non_workbook_is_refused_with_a_message(client, org):
    client.force_login(org.admin)
    forged = client.post(reverse("accounts:people_import_confirm"), {"rows": "[]:forged"}, **EN)
    assert forged.status_code == 400
    assert "The preview expired or was changed" in forged.content.decode()
    junk = _upload(client, b"\x00\x01 not a spreadsheet at all", **EN)
    assert "The file cannot be imported" in junk.content.decode()
    headless = _upload(client, _xlsx([["x"]], header=["whatever"]), **EN)
    assert "The first row must name the columns" in headless.content.decode()


def test_a_file_over_the_import_limit_is_refused_before_reading(client, org, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(org.admin)
    response = _upload(
        client, _xlsx([["孙丽", "sunli", "", "north-1", "rep", "2027-01-04", ""]]), **EN
    )
    assert response.status_code == 400
    assert "The file is too large." in response.content.decode()


def test_a_text_file_named_xlsx_is_refused_as_not_a_workbook(client, org):
    client.force_login(org.admin)
    page = _upload(client, b"just some notes\nnot a workbook\n", **EN).content.decode()
    assert "not a readable .xlsx workbook" in page
    assert "The first row must name the columns" not in page
    assert "Preview: 0 of 0" not in page


def test_row_problems_are_listed_in_row_order_with_formula_cells(org):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    good = ["张三", "zs{}", "", "north-1", "rep", "2027-01-04", "zh-hans"]
    for i in range(2, 9):
        row = [v.format(i) if isinstance(v, str) else v for v in good]
        if i == 8:
            row[4] = "nonsense-role"
        if i == 7:
            row[0] = "=A2"  # a formula without a saved value
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_people(buffer.getvalue())
    rows = [int(e.split(",")[0].split()[-1]) for e in parsed.errors if e.startswith("Row")]
    assert rows == sorted(rows)
    assert 7 in rows
    assert 8 in rows
