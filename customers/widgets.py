"""Form helpers shared by the forms and the list filter (kept apart from forms.py so that
selectors can use them without importing the forms, which import the services)."""

from __future__ import annotations

from typing import Any

from django import forms


def bootstrap(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class CustomerFilterForm(forms.Form):
    """Base form of :class:`customers.selectors.CustomerFilter`: Bootstrap widgets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
