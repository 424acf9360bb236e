"""Importing people from an .xlsx file: a template, reading and checking the rows for a
preview, and creating the people the admin confirms (docs/domain, section 1).

The file is read through ``spreadsheets/reading.py`` like every other import (python-calamine;
.xlsx, .xls or CSV told from the bytes; size, zip-bomb and XML guards), so a refused file gives
one message, never an exception. The first non-blank row names the columns, in English or
Chinese (name, username, e-mail, team code, role, start date, language); each later row is one
person. Each problem names the row Excel shows, the field and why ("Row 5, Role: ..."). Rows
with problems are left out; the preview shows them, and the confirmation creates the others,
each through ``accounts.people.person_create`` (so the rules are the form's), all or nothing.
The template is written with openpyxl through the safe cell writer.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from spreadsheets.reading import FileRefused, cell_date, cell_text, open_sheet
from spreadsheets.writing import safe_cell

from .models import Membership, OrgUnit, User
from .people import ROLE_ADMIN, person_create

#: At most this many people per file.
MAX_ROWS = 500

#: Column key -> its header (translated) as the template writes it.
COLUMNS: dict[str, Any] = {
    "display_name": gettext_lazy("Name"),
    "username": gettext_lazy("User name"),
    "email": gettext_lazy("E-mail"),
    "team": gettext_lazy("Team code"),
    "role": gettext_lazy("Role"),
    "start": gettext_lazy("Start date"),
    "language": gettext_lazy("Language"),
}
REQUIRED = ("display_name", "username", "role", "start")
_SYNONYMS: dict[str, set[str]] = {
    "display_name": {"name", "姓名", "名字", "display name"},
    "username": {"username", "user name", "login", "用户名", "登录名", "账号"},
    "email": {"email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱"},
    "team": {"team", "team code", "code", "小组代码", "团队代码", "小组", "部门代码"},
    "role": {"role", "角色"},
    "start": {"start", "start date", "开始日期", "入职日期", "日期"},
    "language": {"language", "lang", "语言"},
}
_ROLES = {
    "rep": Membership.Role.REP,
    "sales rep": Membership.Role.REP,
    "销售人员": Membership.Role.REP,
    "销售": Membership.Role.REP,
    "客户经理": Membership.Role.REP,
    "supervisor": Membership.Role.SUPERVISOR,
    "主管": Membership.Role.SUPERVISOR,
    "组长": Membership.Role.SUPERVISOR,
    "manager": Membership.Role.MANAGER,
    "经理": Membership.Role.MANAGER,
    "admin": ROLE_ADMIN,
    "管理员": ROLE_ADMIN,
}
_LANGUAGES = {
    "": "",
    "zh-hans": "zh-hans",
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "中文": "zh-hans",
    "简体中文": "zh-hans",
    "chinese": "zh-hans",
    "en": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
}


@dataclass
class PersonRow:
    """One good row: the values ``person_create`` takes (the unit by code, the date ISO)."""

    row: int
    display_name: str
    username: str
    email: str
    team: str
    role: str
    start: str
    language: str

    def as_dict(self) -> dict[str, Any]:
        """The row as plain values (signed into the confirmation form)."""
        return self.__dict__.copy()


@dataclass
class ParsedPeople:
    """The good rows and the problems ("Row N, Field: why") of a file."""

    rows: list[PersonRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    total: int = 0


def template_xlsx() -> bytes:
    """The import template in the active language: the header row (bold) and one example
    row, written through the safe cell writer."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("People")
    example = [
        "张伟",
        "zhangwei",
        "zhangwei@example.com",
        "north-1",
        "rep",
        "2027-01-04",
        "zh-hans",
    ]
    for column, (header, value) in enumerate(zip(COLUMNS.values(), example, strict=True), 1):
        head = safe_cell(sheet.cell(row=1, column=column), str(header))
        head.font = Font(bold=True)
        safe_cell(sheet.cell(row=2, column=column), value)
        sheet.column_dimensions[head.column_letter].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    return cell_text(value).strip()


def _header_names() -> dict[str, set[str]]:
    names = {key: set(values) for key, values in _SYNONYMS.items()}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            for key, header in COLUMNS.items():
                names[key].add(str(header).lower())
    return names


def _columns(header: Sequence[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    accepted = _header_names()
    for index, value in enumerate(header):
        label = _text(value).lower().rstrip("*").strip()
        for key, names in accepted.items():
            if label in names and key not in columns:
                columns[key] = index
    return columns


def _check_row(
    cells: dict[str, Any],
    *,
    units: dict[str, OrgUnit],
    taken: set[str],
    seen: dict[str, int],
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Check one row's cells; returns (clean values, [(field, why), ...])."""
    problems: list[tuple[str, str]] = []
    values = {key: _text(cells.get(key)) for key in COLUMNS}
    for key in REQUIRED:
        if not values[key] and key != "start":
            problems.append((key, _("this column is required.")))
    name, username = values["display_name"], values["username"]
    if len(name) > 60:
        problems.append(("display_name", _("longer than %(n)d characters.") % {"n": 60}))
    if username:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            problems.append(("username", _("only letters, digits and @.+-_ are allowed.")))
        if len(username) > 150:
            problems.append(("username", _("longer than %(n)d characters.") % {"n": 150}))
        elif username.lower() in taken:
            problems.append(("username", _("“%(v)s” is taken already.") % {"v": username}))
        elif username.lower() in seen:
            problems.append(
                (
                    "username",
                    _("“%(v)s” is already in row %(row)d.")
                    % {"v": username, "row": seen[username.lower()]},
                )
            )
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            problems.append(
                ("email", _("“%(v)s” is not an e-mail address.") % {"v": values["email"][:60]})
            )
    role = _ROLES.get(values["role"].lower(), "") if values["role"] else ""
    if values["role"] and not role:
        problems.append(
            (
                "role",
                _("“%(v)s” is not a role (rep, supervisor, manager or admin).")
                % {"v": values["role"][:40]},
            )
        )
    unit = units.get(values["team"].lower()) if values["team"] else None
    if values["team"] and unit is None:
        problems.append(
            ("team", _("no active team has the code “%(v)s”.") % {"v": values["team"][:40]})
        )
    elif unit is None and role and role != ROLE_ADMIN:
        problems.append(("team", _("a %(role)s needs a team code.") % {"role": _role_label(role)}))
    elif (
        unit is not None
        and role in {Membership.Role.REP, Membership.Role.SUPERVISOR}
        and unit.kind != OrgUnit.Kind.TEAM
    ):
        problems.append(
            (
                "team",
                _("“%(v)s” is a branch; reps and supervisors belong to a team.") % {"v": unit.code},
            )
        )
    raw_start = cells.get("start")
    start = cell_date(raw_start)
    if start is None:
        text = _text(raw_start)
        problems.append(
            ("start", _("“%(v)s” is not a date.") % {"v": text[:40]})
            if text
            else ("start", _("this column is required."))
        )
    language = _LANGUAGES.get(values["language"].lower())
    if language is None:
        problems.append(
            ("language", _("“%(v)s” is not zh-hans or en.") % {"v": values["language"][:40]})
        )
    clean = {
        "display_name": name,
        "username": username,
        "email": values["email"],
        "team": unit.code if unit else "",
        "role": role,
        "start": start.isoformat() if start else "",
        "language": language or "",
    }
    return clean, problems


def _role_label(role: str) -> str:
    return str(dict(Membership.Role.choices).get(role, role))


def parse_people(
    rows: Iterable[Sequence[Any]],
    *,
    numbers: Iterable[int] | None = None,
    formulas: Iterable[tuple[int, int]] = (),
) -> ParsedPeople:
    """Check spreadsheet rows (the first row holds the headers) against the organisation:
    user names free and not repeated, team codes of active units, roles, dates, languages.
    ``numbers`` are the rows' numbers as Excel shows them (default 1, 2, ...). Every problem
    is a message "Row N, Field: why", in row order; a file without the required columns
    gives one message. ``formulas``: (row number, column index) of formula cells without a
    saved value, each a problem of its row.
    """
    parsed = ParsedPeople()
    pairs = list(zip(numbers if numbers is not None else range(1, 10**9), rows, strict=False))
    if not pairs:
        parsed.errors.append(_("The file is empty."))
        return parsed
    columns = _columns(pairs[0][1])
    missing = [str(COLUMNS[key]) for key in REQUIRED if key not in columns]
    if missing:
        parsed.errors.append(
            _("The first row must name the columns %(names)s (see the template).")
            % {"names": ", ".join(missing)}
        )
        return parsed
    body = pairs[1:]
    if len(body) > MAX_ROWS:
        parsed.errors.append(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
        return parsed
    usernames = {
        _text(r[columns["username"]]).lower() for _n, r in body if columns["username"] < len(r)
    }
    taken = set(
        User.objects.annotate(key=Lower("username"))
        .filter(key__in=sorted(usernames))
        .values_list("key", flat=True)
    )
    units = {
        u.code.lower(): u
        for u in OrgUnit.objects.filter(is_active=True).exclude(kind=OrgUnit.Kind.COMPANY)
    }
    seen: dict[str, int] = {}
    pending = sorted(formulas)
    for number, row in body:
        while pending and pending[0][0] <= number:
            parsed.errors.append(_formula_problem(*pending.pop(0)))
        if all(_text(v) == "" for v in row):
            continue
        parsed.total += 1
        cells = {key: row[index] if index < len(row) else None for key, index in columns.items()}
        clean, problems = _check_row(cells, units=units, taken=taken, seen=seen)
        if clean["username"]:
            seen.setdefault(clean["username"].lower(), number)
        if problems:
            for key, why in problems:
                parsed.errors.append(
                    _("Row %(row)d, %(field)s: %(problem)s")
                    % {"row": number, "field": COLUMNS[key], "problem": why}
                )
            continue
        parsed.rows.append(PersonRow(row=number, **clean))
    parsed.errors.extend(_formula_problem(*cell) for cell in pending)
    return parsed


def _formula_problem(number: int, index: int) -> str:
    return _("Row %(row)d, column %(col)d: the cell holds a formula without a saved value.") % {
        "row": number,
        "col": index + 1,
    }


def read_people(data: bytes) -> ParsedPeople:
    """Parse an uploaded file's first visible sheet (see :func:`parse_people`); a refused
    file (size ``IMPORT_MAX_BYTES``, format, zip bomb, XML) gives one message naming why."""
    try:
        sheet = open_sheet(data, max_bytes=settings.IMPORT_MAX_BYTES)
        if sheet.format == "csv":
            # A text (CSV) file renamed .xlsx: say so, not "columns missing".
            return ParsedPeople(
                errors=[
                    _(
                        "The file is not a readable .xlsx workbook. Open it in Excel and save "
                        "it again as an .xlsx workbook (or start from the template)."
                    )
                ]
            )
        pairs = []
        for number, row in sheet.rows:
            pairs.append((number, row))
            if len(pairs) > MAX_ROWS + 1:
                break
        return parse_people(
            [row for _n, row in pairs],
            numbers=[n for n, _row in pairs],
            formulas=sheet.formula_cells,
        )
    except FileRefused as exc:
        reason = _(exc.message) % dict(exc.params) if exc.params else _(exc.message)
        return ParsedPeople(
            errors=[_("The file cannot be imported: %(reason)s") % {"reason": reason}]
        )


@transaction.atomic
def people_import(*, by: User, rows: Sequence[dict[str, Any]]) -> list[tuple[User, str]]:
    """Create the confirmed rows (as :meth:`PersonRow.as_dict`), each through
    ``person_create``; returns [(user, first password), ...]. All or nothing: a row that
    became invalid since the preview (a user name taken meanwhile) raises ValidationError
    with "Row N, ..." and nothing is created."""
    created: list[tuple[User, str]] = []
    units = {
        u.code: u for u in OrgUnit.objects.filter(code__in=[r["team"] for r in rows if r["team"]])
    }
    for row in rows:
        try:
            created.append(
                person_create(
                    by=by,
                    username=row["username"],
                    display_name=row["display_name"],
                    email=row["email"],
                    language=row["language"],
                    role=row["role"],
                    unit=units.get(row["team"]),
                    start=dt.date.fromisoformat(row["start"]),
                )
            )
        except ValidationError as exc:
            raise ValidationError(
                _("Row %(row)d: %(problem)s")
                % {"row": row["row"], "problem": " ".join(exc.messages)}
            ) from exc
    return created
