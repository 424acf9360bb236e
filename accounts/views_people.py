"""The people area (``/accounts/people/``): admins list, create, change, move and deactivate
people, create and change teams and import people from .xlsx; managers read the people of
the units they manage. Supervisors and reps get 403; a person outside a manager's units
answers 404 (docs/domain, section 1; the rules are in ``accounts/people.py``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import hooks
from .forms import add_service_errors
from .forms_people import (
    MoveForm,
    OffboardForm,
    PeopleFilterForm,
    PeopleImportForm,
    PersonCreateForm,
    PersonEditForm,
    TeamForm,
)
from .middleware import ScopedRequest
from .models import Membership, OrgUnit, User
from .people import (
    PAGE_SIZE,
    people_check_can_manage,
    people_check_can_read,
    people_filter,
    people_queryset,
    person_create,
    person_move,
    person_offboard,
    person_update,
    team_membership,
    team_save,
    team_supervisor,
)
from .people_import import people_import as import_people
from .people_import import read_people, template_xlsx
from .scoping import Scope, get_visible_or_404, local_today

_IMPORT_SALT = "accounts.people_import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _person(scope: Scope, pk: int) -> User:
    """The person ``pk`` if the viewer may see them in the people area, else 404."""
    return get_visible_or_404(people_queryset(scope), scope, pk=pk)


@login_required
@require_GET
def people_list(request: ScopedRequest) -> HttpResponse:
    """People with search and filters (team, role, status), 25 a page; admins see everyone,
    managers the people of their units. The query count does not grow with the page."""
    scope = request.scope
    people_check_can_read(scope)
    form = PeopleFilterForm(request.GET or None, scope=scope)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        for name in form.errors:
            messages.warning(
                request,
                _("The filter “%(field)s” was ignored: %(why)s")
                % {
                    "field": form.fields[name].label if name in form.fields else name,
                    "why": " ".join(str(e) for e in form.errors[name]),
                },
            )
    users = people_filter(
        people_queryset(scope),
        day=scope.day,
        q=data.get("q", ""),
        team=data.get("team"),
        role=data.get("role", ""),
        active=data.get("active", ""),
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: (v.code if isinstance(v, OrgUnit) else v) for k, v in data.items()}
    return render(
        request,
        "accounts/people_list.html",
        {
            "form": form,
            "page": page,
            "querystring": urlencode(query),
            "filtered": bool(data),
            "can_manage": scope.is_admin,
        },
    )


@login_required
def person_create_view(request: ScopedRequest) -> HttpResponse:
    """Create a person with their first membership; the page then shows the generated first
    password once (it is stored hashed)."""
    scope = request.scope
    people_check_can_manage(scope)
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = person_create(
                by=request.user,
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                employee_no=data["employee_no"],
                language=data["language"],
                role=data["role"],
                unit=data["unit"],
                start=data["start"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": user})
            return render(
                request,
                "accounts/person_created.html",
                {"person": user, "created": [(user, password)]},
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/person_form.html", {"form": form, "creating": True}, status=status
    )


def _render_detail(
    request: ScopedRequest,
    person: User,
    *,
    move_form: MoveForm | None = None,
    offboard_form: OffboardForm | None = None,
    reset_link: str = "",
    status: int = 200,
) -> HttpResponse:
    scope = request.scope
    history = list(
        Membership.objects.filter(user=person).select_related("unit").order_by("-start", "-id")
    )
    admin = scope.is_admin
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "history": history,
            "today": scope.day,
            "can_manage": admin,
            "move_form": move_form or (MoveForm() if admin else None),
            # only a rep or supervisor has a team to move from (docs/domain, section 9)
            "movable": admin and team_membership(person, scope.day) is not None,
            "offboard_form": offboard_form
            or (OffboardForm(leaver=person, day=scope.day) if admin else None),
            "owned": hooks.leaver_owned_count(person.pk) if admin else 0,
            "reset_link": reset_link,
        },
        status=status,
    )


@login_required
@require_GET
def person_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    """A person: details, today's memberships and their history; admins also move them,
    deactivate them as a leaver and make a password reset link."""
    scope = request.scope
    people_check_can_read(scope)
    return _render_detail(request, _person(scope, pk))


@login_required
def person_edit(request: ScopedRequest, pk: int) -> HttpResponse:
    """Change a person's name, e-mail, phone, employee number and language."""
    scope = request.scope
    people_check_can_manage(scope)
    person = _person(scope, pk)
    form = PersonEditForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person_update(
                user=person,
                display_name=data["display_name"],
                email=data["email"],
                phone=data["phone"],
                employee_no=data["employee_no"],
                language=data["language"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": person})
            return redirect("accounts:person_detail", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/person_form.html", {"form": form, "person": person}, status=status
    )


@login_required
@require_POST
def person_move_view(request: ScopedRequest, pk: int) -> HttpResponse:
    """Move a rep or supervisor to another team after their last day in the current one."""
    scope = request.scope
    people_check_can_manage(scope)
    person = _person(scope, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            new = person_move(
                user=person, team=form.cleaned_data["team"], last_day=form.cleaned_data["last_day"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s moves to %(team)s from %(day)s.")
                % {"name": person, "team": new.unit, "day": new.start.isoformat()},
            )
            return redirect("accounts:person_detail", pk=person.pk)
    return _render_detail(request, person, move_form=form, status=400)


@login_required
@require_POST
def person_deactivate(request: ScopedRequest, pk: int) -> HttpResponse:
    """Deactivate a leaver in one step: customers to a colleague (or the pool), memberships
    ended, login blocked, one audit log entry (``accounts.people.person_offboard``)."""
    scope = request.scope
    people_check_can_manage(scope)
    person = _person(scope, pk)
    form = OffboardForm(request.POST, leaver=person, day=scope.day)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = person_offboard(
                scope=scope,
                by=request.user,
                user=person,
                last_day=data["last_day"],
                colleague=data["colleague"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            target = done.colleague if done.colleague is not None else _("the public pool")
            messages.success(
                request,
                _("%(name)s was deactivated; %(n)d customers went to %(to)s.")
                % {"name": person, "n": done.customers, "to": target},
            )
            return redirect("accounts:person_detail", pk=person.pk)
    return _render_detail(request, person, offboard_form=form, status=400)


@login_required
@require_POST
def person_reset_link(request: ScopedRequest, pk: int) -> HttpResponse:
    """Make a password reset link for an active person, shown once on their page (valid
    as long as Django's PASSWORD_RESET_TIMEOUT and until the password changes)."""
    scope = request.scope
    people_check_can_manage(scope)
    person = _person(scope, pk)
    if not person.is_active:
        messages.error(request, _("%(name)s is deactivated.") % {"name": person})
        return _render_detail(request, person, status=400)
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    return _render_detail(request, person, reset_link=request.build_absolute_uri(path))


@login_required
def team_create(request: ScopedRequest) -> HttpResponse:
    """Create a team (name, code, branch, segment, supervisor)."""
    return _team_form(request, None)


@login_required
def team_edit(request: ScopedRequest, code: str) -> HttpResponse:
    """Change a team; a new supervisor takes over from today."""
    team = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, code=code).first()
    people_check_can_manage(request.scope)
    if team is None:
        raise Http404
    return _team_form(request, team)


def _team_form(request: ScopedRequest, team: OrgUnit | None) -> HttpResponse:
    scope = request.scope
    people_check_can_manage(scope)
    initial: dict[str, Any] = {}
    if team is not None:
        initial = {
            "name": team.name,
            "code": team.code,
            "branch": team.parent,
            "segment": team.segment,
            "supervisor": team_supervisor(team, scope.day),
        }
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = team_save(
                team=team,
                name=data["name"],
                code=data["code"],
                branch=data["branch"],
                segment=data["segment"],
                supervisor=data["supervisor"],
                day=scope.day,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Team %(name)s was saved.") % {"name": saved})
            return redirect("accounts:team_detail", code=saved.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/team_form.html", {"form": form, "team": team}, status=status)


@login_required
def people_import_view(request: ScopedRequest) -> HttpResponse:
    """Import people from .xlsx: upload -> preview (good rows, problems by row and field)
    -> confirm (the good rows are created; first passwords shown once)."""
    scope = request.scope
    people_check_can_manage(scope)
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is too large."))
            return render(request, "accounts/people_import.html", context, status=400)
        parsed = read_people(upload.read())
        context.update(
            parsed=parsed,
            payload=signing.dumps(
                [r.as_dict() for r in parsed.rows], salt=_IMPORT_SALT, compress=True
            ),
        )
        return render(request, "accounts/people_import.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/people_import.html", context, status=status)


@login_required
@require_POST
def people_import_confirm(request: ScopedRequest) -> HttpResponse:
    """Create the rows of a preview (signed, so they are the rows checked; checked again
    while saving). A stale or changed preview asks for the file again."""
    scope = request.scope
    people_check_can_manage(scope)
    form = PeopleImportForm()
    try:
        rows = signing.loads(request.POST.get("rows", ""), salt=_IMPORT_SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, _("The preview expired or was changed; upload the file again."))
        return render(request, "accounts/people_import.html", {"form": form}, status=400)
    if not rows:
        messages.error(request, _("No row can be imported."))
        return render(request, "accounts/people_import.html", {"form": form}, status=400)
    try:
        created = import_people(by=request.user, rows=rows)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return render(request, "accounts/people_import.html", {"form": form}, status=400)
    messages.success(request, _("%(n)d people were created.") % {"n": len(created)})
    return render(request, "accounts/person_created.html", {"created": created})


@login_required
@require_GET
def people_import_template(request: ScopedRequest) -> HttpResponse:
    """The people import template (.xlsx) in the page's language."""
    people_check_can_manage(request.scope)
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    stamp = local_today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="people-template-{stamp}.xlsx"'
    return response
