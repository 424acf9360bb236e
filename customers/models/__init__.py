"""Customer files (docs/domain, section 5): company data, contacts, products and needs, news,
contracts, monthly revenue, service evaluations, ownership and funnel-stage history, and
the import jobs that bring customer and revenue lists in from Excel.

History that KPIs depend on (stage changes, ownership) is stored as dated rows and never
overwritten (docs/architecture.md, Conventions, Models). Each stage change also records the
rep and team it is attributed to at its date (docs/domain, section 9, Attribution).

By purpose: ``customer`` (the file itself), ``revenue`` (after-sale records), ``history``
(ownership, stage changes, stage settings), ``imports`` (import jobs).
"""

from __future__ import annotations

from .customer import (
    FUNNEL,
    MONEY,
    STAGE_ORDER,
    Contact,
    Customer,
    CustomerNote,
    ProductUsage,
    Segment,
    Stage,
)
from .history import Ownership, StageChange, StageSetting
from .imports import ImportJob, ImportJobQuerySet
from .projects import (
    Competitor,
    ControlPoint,
    ControlPointDefinition,
    ControlPointUpdate,
    DecisionMember,
    DocumentVersion,
    Project,
    ProjectDocument,
    ProjectQuerySet,
    SupportRequest,
)
from .revenue import BillingMonth, Contract, RevenueRecord, ServiceEvaluation

__all__ = [
    "FUNNEL",
    "MONEY",
    "STAGE_ORDER",
    "BillingMonth",
    "Competitor",
    "ControlPoint",
    "ControlPointDefinition",
    "ControlPointUpdate",
    "DecisionMember",
    "DocumentVersion",
    "Project",
    "ProjectDocument",
    "ProjectQuerySet",
    "SupportRequest",
    "Contact",
    "Contract",
    "Customer",
    "CustomerNote",
    "ImportJob",
    "ImportJobQuerySet",
    "Ownership",
    "ProductUsage",
    "RevenueRecord",
    "Segment",
    "ServiceEvaluation",
    "Stage",
    "StageChange",
    "StageSetting",
]
