"""The admins' page of the public pool rules (``accounts/pool_settings.py``): escalation
days, automatic release, claim limit and cooldown, with every problem shown at its field
(docs/domain, section 5)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .middleware import ScopedRequest
from .models import OrgSettings
from .pool_settings import RULES, pool_rules_save


class PoolRulesForm(forms.Form):
    """One whole number per rule; the rules between them are checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, help_text in RULES:
            self.fields[name] = forms.IntegerField(
                label=label,
                help_text=help_text,
                min_value=0,
                max_value=32767,
                error_messages={
                    "required": _("Enter a number of days (0 turns it off)."),
                    "invalid": _("Enter a whole number, such as 7."),
                },
            )


@login_required
def pool_rules(request: ScopedRequest) -> HttpResponse:
    """GET: the organisation's rules in a form; POST: save them (admins only, 403 for
    everyone else), or show the form again with a message at each refused field."""
    if not request.scope.is_admin:
        raise PermissionDenied(_("Only admins set the public pool rules."))
    current = OrgSettings.load()
    initial = {name: getattr(current, name) for name, _label, _help in RULES}
    form = PoolRulesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                pool_rules_save(by=request.user, values=form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field, error)
            else:
                messages.success(request, _("Public pool rules saved."))
                return redirect("accounts:pool_rules")
        status = 400
    return render(request, "accounts/pool_rules.html", {"form": form}, status=status)
