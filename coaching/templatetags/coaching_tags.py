"""Template filters of the coaching pages: figures as counts or percentages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def figure(value: Any, fmt: str = "count") -> str:
    """A figure for display: "-" for no value, "42%" for a rate, "12" / "1.5" otherwise."""
    if value is None or value == "":
        return "-"
    number = float(value)
    if fmt == "rate":
        return f"{number:.0%}"
    return f"{number:g}" if number != int(number) else f"{int(number)}"


@register.filter
def signed(value: Any, fmt: str = "count") -> str:
    """A change with its sign: "+3", "-12%", "-" for no value."""
    if value is None:
        return "-"
    shown = figure(abs(float(value)), fmt)
    return ("+" if float(value) > 0 else "-" if float(value) < 0 else "±") + shown
