"""SalesOps domain rules as plain Python (layer 0).

Periods, work days, funnel stages and the "reached at" rule, visit purposes/outcomes and the
effective-visit rule, the metric registry and diagnosis symptom codes: each rule in one place,
importable by models, services and the pure KPI engine alike. Nothing here imports Django or
any app; see docs/architecture.md (layers) and docs/domain (the rules).
"""
