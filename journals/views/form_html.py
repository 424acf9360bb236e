"""The fields of the editor's new-plan-item and new-visit forms as HTML, rendered once per
process for each language and set of initial values (docs/deploy.md, "Load").

Every Today page and every visit recorded answers the work panel with both forms empty:
about 20 widgets, a sixth of the page's CPU, and the same HTML each time for the same
language and initial values (the visit time is the minute the page is opened). The HTML
of an unbound form depends on nothing else: its fields, labels, choices and help texts
come from the code and the active language's catalogue, neither of which changes while a
process runs; no row of the database is read (the customer is a hidden input filled by
the picker, empty in a new form). A bound form (the rep's input, with its errors) is
rendered every time.
"""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

#: Rendered fields by (template, language, form class, auto_id, field names, initial
#: values). At most a few thousand keys (two languages, the minutes of a day, two forms);
#: emptied when full rather than grown.
_RENDERED: dict[tuple[object, ...], SafeString] = {}
MAX_ENTRIES = 4096


def form_fields_html(template: str, form: forms.Form, name: str) -> SafeString:
    """The HTML of ``template`` rendered with ``form`` as the variable ``name`` (the
    partials end without a newline: the panel places them on a line of their own).

    Unbound forms are rendered once per key (see the module docstring) and then served
    from memory; a bound form is rendered each time. The template must read nothing but
    the form (no request, no csrf token, no user). Raises what the template raises."""
    if form.is_bound:
        return _render(template, form, name)
    key = (
        template,
        get_language(),
        type(form).__qualname__,
        form.auto_id,
        tuple(form.fields),
        tuple(sorted((field, repr(value)) for field, value in form.initial.items())),
    )
    html = _RENDERED.get(key)
    if html is None:
        if len(_RENDERED) >= MAX_ENTRIES:
            _RENDERED.clear()
        html = _RENDERED[key] = _render(template, form, name)
    return html


def _render(template: str, form: forms.Form, name: str) -> SafeString:
    return mark_safe(render_to_string(template, {name: form}))  # noqa: S308 - template output
