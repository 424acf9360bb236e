"""Stage settings (stall days and required fields per funnel stage), read by the
selectors and the services alike (docs/domain, "Customers")."""

from __future__ import annotations

from .models import Stage, StageSetting

#: Default stage settings, created lazily by :func:`stage_settings`:
#: stage -> (stall after days, customer fields required to enter).
DEFAULT_STAGE_SETTINGS: dict[str, tuple[int | None, list[str]]] = {
    Stage.LEAD: (None, []),
    Stage.TARGET: (30, []),
    Stage.RELATIONSHIP: (30, []),
    Stage.INTENT: (21, ["needs"]),
    Stage.DEAL: (None, []),
    Stage.LOST: (None, []),
}


def stage_settings() -> dict[str, StageSetting]:
    """Every stage's :class:`StageSetting`, keyed by stage value.

    Rows missing from the database are created with :data:`DEFAULT_STAGE_SETTINGS`
    (so an admin edits real rows in the admin); one query once they exist.
    """
    rows = {row.stage: row for row in StageSetting.objects.all()}
    missing = [
        StageSetting(stage=stage, stall_days=days, required_fields=list(fields))
        for stage, (days, fields) in DEFAULT_STAGE_SETTINGS.items()
        if stage not in rows
    ]
    if missing:
        StageSetting.objects.bulk_create(missing, ignore_conflicts=True)
        rows = {row.stage: row for row in StageSetting.objects.all()}
    return rows
