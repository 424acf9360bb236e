"""The work calendar pages: admins only, the year view, editing a day, xlsx export and import
with row-level errors, the notice for an uncovered coming year, the menu entry."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.calendar import calendar_day_set, is_workday
from accounts.calendar_files import parse_rows
from accounts.models import CalendarDay

pytestmark = pytest.mark.django_db

D = dt.date
URL = "accounts:calendar"


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("cal.xlsx", out.getvalue())


@pytest.mark.parametrize("who", ["rep", "supervisor", "manager", "outsider"])
def test_only_admins_open_the_calendar_pages(org, client, who):
    client.force_login(getattr(org, who))
    assert client.get(reverse(URL)).status_code == 403
    assert client.get(reverse("accounts:calendar_export")).status_code == 403
    day = {"day": "2027-02-09", "is_workday": "0", "action": "save"}
    assert client.post(reverse("accounts:calendar_day"), day).status_code == 403
    assert not CalendarDay.objects.exists()


def test_admin_sees_the_year_and_the_menu_entry(org, client):
    calendar_day_set(by=org.admin, day=D(2027, 2, 9), is_workday=False, name="春节")
    client.force_login(org.admin)
    response = client.get(reverse(URL), {"year": "2027"})
    assert response.status_code == 200
    assert len(response.context["months"]) == 12
    assert response.context["entries"] == [
        {"day": D(2027, 2, 9), "is_workday": False, "name": "春节"}
    ]
    html = response.content.decode()
    assert 'data-day="2027-02-09" data-status="off"' in html
    assert 'data-day="2027-02-10" data-status="work"' in html  # 2027: Monday-Friday fallback
    assert reverse(URL) in [item["url"] for item in response.context["nav_items"]]
    client.force_login(org.supervisor)
    nav = client.get(reverse("journals:inbox")).context["nav_items"]
    assert reverse(URL) not in [item["url"] for item in nav]


@pytest.mark.parametrize(
    "params",
    [{"year": "abc"}, {"year": "99999"}, {"year": "2030", "day": "2030-02-30"}, {"day": "x"}],
)
def test_bad_year_or_day_falls_back_and_unknown_unit_is_404(org, client, params):
    client.force_login(org.admin)
    assert client.get(reverse(URL), params).status_code == 200
    assert client.get(reverse(URL), {"unit": "nope"}).status_code == 404
    assert client.get(reverse(URL), {"unit": org.company.code}).status_code == 404


def test_admin_marks_a_team_day_and_removes_it_again(org, client):
    client.force_login(org.admin)
    post = {"day": "2026-03-07", "is_workday": "1", "name": "客户日", "unit": "north-1"}
    response = client.post(reverse("accounts:calendar_day"), {**post, "action": "save"})
    assert response.status_code == 302
    assert "unit=north-1" in response["Location"]
    assert is_workday(D(2026, 3, 7), org.team_a)
    assert not is_workday(D(2026, 3, 7), org.team_b)
    page = client.get(response["Location"])
    assert page.context["selected"]["own_entry"]
    client.post(reverse("accounts:calendar_day"), {**post, "action": "clear"})
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize(
    "post",
    [
        {"day": "2026-02-30", "is_workday": "0"},
        {"day": "2026-03-03", "is_workday": "maybe"},
        {"day": "2026-03-03", "is_workday": "0", "name": "x" * 61},
    ],
)
def test_bad_day_input_is_a_400_with_the_form_not_a_crash(org, client, post):
    client.force_login(org.admin)
    response = client.post(reverse("accounts:calendar_day"), {**post, "action": "save"})
    assert response.status_code == 400
    assert not CalendarDay.objects.exists()


def test_export_then_import_round_trips_and_import_applies_a_holiday_file(org, client):
    calendar_day_set(by=org.admin, day=D(2027, 2, 9), is_workday=False, name="春节")
    client.force_login(org.admin)
    response = client.get(reverse("accounts:calendar_export"), {"year": "2027"})
    assert response["Content-Disposition"] == 'attachment; filename="work-calendar-2027.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 366  # header and 365 days
    feb9 = next(r for r in rows[1:] if r[0].date() == D(2027, 2, 9))
    assert feb9[3] == "春节"
    # the file as exported changes nothing
    upload = SimpleUploadedFile("cal.xlsx", response.content)
    back = client.post(reverse("accounts:calendar_import"), {"year": "2027", "file": upload})
    assert back.status_code == 302
    assert list(CalendarDay.objects.values_list("date", "is_workday", "name")) == [
        (D(2027, 2, 9), False, "春节")
    ]
    # a short Chinese file of holidays for a team
    upload = _xlsx(
        [
            ["日期", "工作日", "名称"],
            ["2027-02-10", "休息日", "春节"],
            [D(2027, 2, 13), "工作日", ""],
        ]
    )
    ok = client.post(
        reverse("accounts:calendar_import"), {"year": "2027", "unit": "north-2", "file": upload}
    )
    assert ok.status_code == 302
    assert not is_workday(D(2027, 2, 10), org.team_b)
    assert is_workday(D(2027, 2, 13), org.team_b)  # a Saturday worked
    assert is_workday(D(2027, 2, 10), org.team_a)
    assert CalendarDay.objects.filter(date=D(2027, 2, 9)).exists()  # dates not in the file stay


def test_import_lists_each_bad_row_and_saves_nothing(org, client):
    client.force_login(org.admin)
    upload = _xlsx(
        [
            ["Date", "Status", "Name"],
            ["2027-02-08", "day off", "Spring Festival"],
            ["2027-13-01", "day off", ""],
            ["2028-01-03", "work day", ""],
            ["2027-02-08", "day off", ""],
            ["2027-02-11", "maybe", ""],
            [None, None, None],
            ["=1+1", "off", "x" * 61],
        ]
    )
    response = client.post(
        reverse("accounts:calendar_import"),
        {"year": "2027", "file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.context["import_errors"]
    assert errors == [
        "Row 3, Date: “2027-13-01” is not a date.",
        "Row 4, Date: 2028-01-03 is not in 2027.",
        "Row 5, Date: 2027-02-08 is already in row 2.",
        "Row 6, Status: “maybe” is neither “work day” nor “day off”.",
        "Row 8, Date: the cell holds a formula without a saved value.",
        "Row 8, Name: The name is longer than 60 characters.",
    ]
    assert not CalendarDay.objects.exists()


def test_import_refuses_a_file_that_is_not_xlsx_or_lacks_the_headers(org, client):
    client.force_login(org.admin)
    junk = SimpleUploadedFile("cal.xlsx", b"PK\x03\x04 not really a zip")
    response = client.post(reverse("accounts:calendar_import"), {"year": "2027", "file": junk})
    assert response.status_code == 400
    assert len(response.context["import_errors"]) == 1
    pdf = SimpleUploadedFile("cal.xlsx", b"%PDF-1.4 a document")
    response = client.post(
        reverse("accounts:calendar_import"),
        {"year": "2027", "file": pdf},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["import_errors"] == [
        "The file cannot be imported: This is a PDF document, not a spreadsheet."
    ]
    no_header = _xlsx([["when", "what"], ["2027-02-08", "off"]])
    response = client.post(reverse("accounts:calendar_import"), {"year": "2027", "file": no_header})
    assert response.status_code == 400
    missing_file = client.post(reverse("accounts:calendar_import"), {"year": "2027"})
    assert missing_file.status_code == 400
    assert not CalendarDay.objects.exists()


def test_parse_rows_reads_typed_cells_and_both_languages():
    parsed = parse_rows(
        [
            ("日期", "状态", "名称"),
            (dt.datetime(2027, 2, 8), "休", "春节"),  # noqa: DTZ001 - an Excel date cell
            ("2027/02/20", 1, None),
            (20270221, True, ""),
        ],
        2027,
    )
    assert parsed.errors == []
    assert parsed.days == {
        D(2027, 2, 8): (False, "春节"),
        D(2027, 2, 20): (True, ""),
        D(2027, 2, 21): (True, ""),
    }


def test_admins_see_the_notice_from_december_first_until_the_year_is_entered(
    org, client, monkeypatch
):
    def notice(day, user):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        monkeypatch.setattr(timezone, "now", lambda: moment)
        client.force_login(user)
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 200
        html = response.content.decode()
        return 'data-testid="calendar-notice"' in html and "2027" in html

    assert not notice(D(2026, 11, 30), org.admin)
    assert notice(D(2026, 12, 1), org.admin)
    assert not notice(D(2026, 12, 1), org.supervisor)
    calendar_day_set(by=org.admin, day=D(2027, 2, 8), is_workday=False, name="春节")
    assert not notice(D(2026, 12, 1), org.admin)


def _zip_bomb() -> bytes:
    """A workbook whose sheet unpacks to far more than it weighs (the shared reader's guard)."""
    import zipfile

    out = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["Date", "Status"])
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</worksheet>", b"<!--" + b" " * (30 * 1024 * 1024) + b"--></worksheet>"
                )
            target.writestr(item, data)
    return bomb.getvalue()


def test_import_reads_through_the_shared_reader_csv_and_its_guards(org, client, settings):
    """The calendar import reads like every other import (``spreadsheets/reading.py``): a CSV
    file with Chinese headers works, a zip bomb and a file over the size limit are refused
    with one message each, and nothing is saved."""
    client.force_login(org.admin)
    url = reverse("accounts:calendar_import")
    csv = "日期,状态,名称\n2027-02-08,休息日,春节\n2027-02-09,休息日,春节\n".encode("gb18030")
    upload = SimpleUploadedFile("cal.csv", csv)
    assert client.post(url, {"year": "2027", "file": upload}).status_code == 302
    assert set(CalendarDay.objects.values_list("date", "name")) == {
        (D(2027, 2, 8), "春节"),
        (D(2027, 2, 9), "春节"),
    }
    CalendarDay.objects.all().delete()
    bomb = SimpleUploadedFile("cal.xlsx", _zip_bomb())
    response = client.post(url, {"year": "2027", "file": bomb}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    [error] = response.context["import_errors"]
    assert error.startswith("The file cannot be imported: ")
    settings.IMPORT_MAX_BYTES = 100
    big = SimpleUploadedFile("cal.csv", b"Date,Status\n" + b"2027-02-08,off\n" * 20)
    response = client.post(url, {"year": "2027", "file": big})
    assert response.status_code == 400
    assert len(response.context["import_errors"]) == 1
    assert not CalendarDay.objects.exists()


def test_import_error_rows_are_the_rows_excel_shows(org, client):
    """Blank rows above the header and between days keep Excel's row numbers in the errors."""
    client.force_login(org.admin)
    upload = _xlsx(
        [
            [None, None],
            ["Date", "Status"],
            ["2027-02-08", "off"],
            [None, None],
            ["2027-02-31", "off"],
        ]
    )
    response = client.post(
        reverse("accounts:calendar_import"),
        {"year": "2027", "file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["import_errors"] == ["Row 5, Date: “2027-02-31” is not a date."]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "en",
            "The file holds days of 2026, none of 2027: open the calendar of 2026 to import "
            "it there, or import a file of 2027.",
        ),
        (
            "zh-hans",
            "文件中的日期属于 2026 年，没有 2027 年的日期："
            "请打开 2026 年的日历导入，或导入 2027 年的文件。",
        ),
    ],
)
def test_a_file_of_another_year_is_refused_once_not_row_by_row(org, client, lang, message):
    client.force_login(org.admin)
    days = [D(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    upload = _xlsx([["Date", "Status", "Name"], *[[d.isoformat(), "work day", ""] for d in days]])
    response = client.post(
        reverse("accounts:calendar_import"),
        {"year": "2027", "file": upload},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 400
    assert response.context["import_errors"] == [message]
    assert response.content.decode().count(message) == 1
    assert not CalendarDay.objects.exists()


def test_an_object_name_is_名称_in_chinese_and_a_persons_name_stays_姓名(org, client):
    """ "Name" of a thing (a calendar day, an API token) reads 名称 in zh-hans (msgctxt "object
    name"); a person's name keeps 姓名. An old export whose header says 姓名 still imports."""
    client.force_login(org.admin)
    upload = _xlsx([["日期", "状态", "名称"], ["2027-02-08", "休息日", "x" * 61]])
    response = client.post(
        reverse("accounts:calendar_import"),
        {"year": "2027", "file": upload},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert any(e.startswith("第 2 行，名称：") for e in response.context["import_errors"])
    assert not any("姓名" in e for e in response.context["import_errors"])
    old = _xlsx([["日期", "状态", "姓名"], ["2027-02-08", "休息日", "春节"]])
    back = client.post(reverse("accounts:calendar_import"), {"year": "2027", "file": old})
    assert back.status_code == 302
    assert CalendarDay.objects.get(date=D(2027, 2, 8)).name == "春节"
    client.post(reverse("accounts:token_create"), {"name": "HR sync"})
    profile = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "<th>名称</th>" in profile.content.decode()
    people = client.get(reverse("accounts:people_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "<th>姓名</th>" in people.content.decode()
