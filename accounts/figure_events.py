"""The domain events a direct write of a membership or of the organisation settings means
for the figures.

Used by the Django admin (``accounts.admin_changes.AnnouncingAdmin``), which writes rows
past ``accounts.people`` (that publishes the same ``MembershipChanged``;
docs/architecture.md, "Events"). Every rep's and team's figures follow the dated
memberships, and ``OrgSettings.new_revenue_months`` is read by every team's figures. No
queries.
"""

from __future__ import annotations

from django.utils import timezone

from salesops.events import MembershipChanged, SharedInputsChanged

from .models import Membership, OrgSettings


def membership_events(row: Membership) -> list[MembershipChanged]:
    """A membership row: its person, in its unit (a team, or a branch the kpi app resolves
    to its teams)."""
    return [MembershipChanged(user_id=row.user_id, team_ids=(row.unit_id,))]


def settings_events(row: OrgSettings) -> list[SharedInputsChanged]:
    """The organisation settings: every team's current figures."""
    return [SharedInputsChanged(day=timezone.localdate(), reason="settings")]
