"""The declared answer of every URL for every persona (see test_access_matrix.py).

One row per URL name: for GET and for POST (with an empty form), the answers of the
personas in this order:

    anonymous  rep  teammate  supervisor  supervisor_b  manager_south  former  admin

``rep`` owns every object the URL points at (a customer, journal, plan, report, ... of
team_a); ``supervisor`` supervises team_a; ``supervisor_b`` another team of the same
branch; ``manager_south`` the other branch; ``former`` supervised team_a until 60 days
ago. Answers: ok, login, 400, 403, 404, 405 (a 500 is never right). Objects outside a
persona's scope answer 404; visible but not theirs to change answers 403.

A new URL must get a row here, or test_every_url_is_declared fails.
"""

from __future__ import annotations

EXPECTED: dict[str, dict[str, str]] = {
    "home": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "healthz": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok ok ok",
    },
    "readyz": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok ok ok",
    },
    "set_language": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok ok ok",
    },
    "search": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "search_suggest": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "javascript-catalog": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "405 405 405 405 405 405 405 405",
    },
    "accounts:login": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok ok ok",
    },
    "accounts:logout": {
        "GET": "405 405 405 405 405 405 405 405",
        "POST": "login login login login login login login login",
    },
    "accounts:profile": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "accounts:password_change": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "accounts:password_change_done": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "accounts:password_reset": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok ok ok",
    },
    "accounts:password_reset_done": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "405 405 405 405 405 405 405 405",
    },
    "accounts:password_reset_confirm": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok ok ok",
    },
    "accounts:password_reset_complete": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "405 405 405 405 405 405 405 405",
    },
    "accounts:team_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "accounts:team_detail": {
        "GET": "login ok ok ok 404 404 404 ok",
        "POST": "login ok ok ok 404 404 404 ok",
    },
    "accounts:team_channels": {
        "GET": "login 403 403 ok 404 404 404 ok",
        "POST": "login 403 403 ok 404 404 404 ok",
    },
    "accounts:team_channel_test": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 404 404 404 404 404",
    },
    "accounts:team_channel_delete": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 404 404 404 404 404",
    },
    "accounts:notification_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "accounts:audit_log": {
        "GET": "login 404 404 404 404 404 404 ok",
        "POST": "login 404 404 404 404 404 404 ok",
    },
    "accounts:pool_rules": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:calendar": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 403 403 403 403 403 403 ok",
    },
    "accounts:calendar_day": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:calendar_export": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 403 403 403 403 403 403 ok",
    },
    "accounts:calendar_import": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:people_list": {
        "GET": "login 403 403 403 403 ok 403 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "accounts:person_create": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:people_import": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:people_import_confirm": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:people_import_template": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "accounts:team_create": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:team_edit": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:person_detail": {
        "GET": "login 403 403 403 403 404 403 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "accounts:person_edit": {
        "GET": "login 403 403 403 403 403 403 ok",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:person_move": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:person_deactivate": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 403 403 403 403 400",
    },
    "accounts:person_reset_link": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 403 403 403 403 ok",
    },
    "accounts:notification_read": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:today": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:day_autosave": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok 403 ok 403",
    },
    "journals:day_plan": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok 403 ok 403",
    },
    "journals:day_visit": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok 403 ok 403",
    },
    "journals:day_submit": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok 403 ok 403",
    },
    "journals:journal_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:journal_create": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:calendar": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:export_month": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:inbox": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "journals:submission_stats": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "journals:morning_meeting": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "journals:journal_chase": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 ok ok 403 403 ok",
    },
    "journals:follow_ups": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "journals:calendar_feed_manage": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:calendar_feed": {
        "GET": "404 404 404 404 404 404 404 404",
        "POST": "404 404 404 404 404 404 404 404",
    },
    "journals:mention_candidates": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "journals:minutes_detail": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "journals:minutes_export": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "journals:meeting_attendance": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "journals:minutes_post": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 ok ok 403 403 ok",
    },
    "journals:minutes_save": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "journals:meeting_item_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "journals:meeting_item_done": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 404 404 404 403 404",
    },
    "journals:exemption_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:customer_search": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "journals:history_import": {
        "GET": "login 404 404 ok ok 404 404 ok",
        "POST": "login 404 404 ok ok 404 404 ok",
    },
    "journals:history_import_confirm": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 400 400 404 404 400",
    },
    "journals:contact_add": {
        "GET": "login ok ok ok 404 404 404 403",
        "POST": "login ok ok ok 404 404 404 403",
    },
    "journals:customer_create": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "journals:journal_detail": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "journals:journal_edit": {
        "GET": "login ok 404 403 404 404 404 403",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:journal_work": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "journals:journal_autosave": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:plan_item_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:visit_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:journal_submit": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:journal_amend": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 403 404 404 404 403",
    },
    "journals:journal_evaluate": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "journals:journal_review": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "journals:comment_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "journals:plan_item_remove": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:visit_from_plan": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:visit_edit": {
        "GET": "login ok 404 403 404 404 404 403",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:visit_delete": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:visit_checkin": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:visit_case": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "journals:visit_photo": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    # The deal forecast: the viewer's own scope by default (docs/domain, section 7).
    "kpi:forecast": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    # Big-account projects (docs/domain, section 7): the team's, read-only above it.
    "projects:project_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "projects:project_board": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "projects:project_create": {
        "GET": "login ok ok ok ok 403 ok ok",
        "POST": "login ok ok ok ok 403 ok ok",
    },
    "projects:project_detail": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "projects:project_status": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "projects:point_update": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "projects:chain_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "projects:chain_remove": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "projects:document_upload": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "projects:competitor_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "projects:support_ask": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "projects:document_download": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "projects:support_answer": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "customers:customer_bulk": {
        "GET": "login 403 403 ok ok 403 403 ok",
        "POST": "login 403 403 ok ok 403 403 ok",
    },
    "customers:customer_handover": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 ok ok 403 403 ok",
    },
    "customers:customer_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "customers:customer_create": {
        "GET": "login ok ok ok ok 403 ok ok",
        "POST": "login ok ok ok ok 403 ok ok",
    },
    "customers:customer_export": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "customers:customer_search": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "customers:pool": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "customers:pool_release": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 ok ok 403 403 ok",
    },
    "customers:customer_detail": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "customers:customer_update": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "customers:customer_stage": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "customers:customer_reassign": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "customers:customer_claim": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "customers:customer_release": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "customers:contact_create": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "customers:product_create": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "customers:note_create": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "customers:contract_create": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "customers:evaluation_create": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "customers:import_list": {
        "GET": "login 404 404 404 404 404 404 ok",
        "POST": "login 404 404 404 404 404 404 ok",
    },
    "customers:import_new": {
        "GET": "login 404 404 404 404 404 404 ok",
        "POST": "login 404 404 404 404 404 404 ok",
    },
    "customers:import_preview": {
        "GET": "login 404 404 404 404 404 404 ok",
        "POST": "login 404 404 404 404 404 404 ok",
    },
    "customers:import_confirm": {
        "GET": "login 404 404 404 404 404 404 405",
        "POST": "login 404 404 404 404 404 404 ok",
    },
    "customers:import_retry": {
        "GET": "login 404 404 404 404 404 404 405",
        "POST": "login 404 404 404 404 404 404 ok",
    },
    "customers:import_detail": {
        "GET": "login 404 404 404 404 404 404 ok",
        "POST": "login 404 404 404 404 404 404 ok",
    },
    "customers:import_errors": {
        "GET": "login 404 404 404 404 404 404 404",
        "POST": "login 404 404 404 404 404 404 404",
    },
    "customers:billing_month_close": {
        "GET": "login 404 404 404 404 404 404 405",
        "POST": "login 404 404 404 404 404 404 ok",
    },
    "coaching:plan_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "coaching:plan_create": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "coaching:plan_detail": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "coaching:plan_acknowledge": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "coaching:plan_status": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "coaching:measure_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 400 404 404 404 400",
    },
    "coaching:goal_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 400 404 404 404 400",
    },
    "coaching:session_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 400 404 404 404 400",
    },
    "coaching:finding_detail": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "coaching:finding_dismiss": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "coaching:heatmap": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "coaching:findings_recompute": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 ok ok ok 404 ok",
    },
    "coaching:rep_findings": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login ok 404 ok 404 404 404 ok",
    },
    "coaching:talk_create": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "coaching:recognition_board": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "coaching:recognition_give": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 403 ok ok ok 403 ok",
    },
    "kpi:dashboard": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:team_dashboard": {
        "GET": "login 404 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:rep_dashboard": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:branch_dashboard": {
        "GET": "login 404 404 404 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:drilldown": {
        "GET": "login 404 404 404 404 404 404 404",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:dashboard_export": {
        "GET": "login 404 404 404 404 404 404 404",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:recompute": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 404 404 404 404 404",
    },
    "kpi:run_status": {
        "GET": "login 404 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:target_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:target_ack": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "kpi:target_export": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:target_import": {
        "GET": "login 404 404 ok ok ok 404 ok",
        "POST": "login 404 404 ok ok ok 404 ok",
    },
    "kpi:target_edit": {
        "GET": "login 404 404 ok 404 404 404 ok",
        "POST": "login 404 404 ok 404 404 404 ok",
    },
    "kpi:analysis_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:analysis_start": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok ok ok ok ok ok ok",
    },
    "kpi:analysis_detail": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "kpi:analysis_edit": {
        "GET": "login ok 404 403 404 404 404 403",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "kpi:analysis_submit": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "kpi:analysis_comment": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "kpi:analysis_review": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 403 404 404 404 403",
    },
    "weekly:report_list": {
        "GET": "login ok ok ok ok ok ok ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "weekly:report_current": {
        "GET": "login ok ok ok ok ok ok ok",
        # The first save of the unsaved draft creates the report (a GET writes nothing).
        "POST": "login ok ok ok ok ok ok ok",
    },
    "weekly:owed": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "weekly:meeting": {
        "GET": "login 403 403 ok ok ok 403 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "weekly:report_detail": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "weekly:report_edit": {
        "GET": "login ok 404 403 404 404 404 403",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "weekly:report_submit": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "weekly:report_amend": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 403 404 404 404 403",
    },
    "weekly:report_review": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 403 404 ok 404 404 404 ok",
    },
    "weekly:report_comment": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 400 404 400 404 404 404 400",
    },
    "weekly:report_export": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "weekly:key_customer_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 400 404 403 404 404 404 403",
    },
    "weekly:key_customer_remove": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "weekly:team_report": {
        "GET": "login 404 404 ok 404 404 404 ok",
        "POST": "login 404 404 ok 404 404 404 ok",
    },
    "weekly:team_chase": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 ok 404 404 404 ok",
    },
    "weekly:team_report_export": {
        "GET": "login 404 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "weekly:team_report_reopen": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 ok 404 404 404 ok",
    },
    "weekly:team_report_review": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 403 404 404 404 ok",
    },
    "weekly:team_report_comment": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 ok 404 404 404 ok",
    },
    "weekly:team_key_customer_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 400 404 404 404 400",
    },
    "weekly:team_key_customer_remove": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 ok 404 404 404 ok",
    },
    "weekly:key_coachee_add": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 400 404 404 404 400",
    },
    "weekly:key_coachee_edit": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 ok 404 404 404 ok",
    },
    "weekly:key_coachee_remove": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 ok 404 404 404 ok",
    },
    # API tokens on the profile page: one's own only (another key is 404).
    "accounts:token_create": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 400 400 400 400 400 400 400",
    },
    "accounts:token_revoke": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 404 404 404 404 404",
    },
    # The REST API: 401 without a session or token; other teams' objects 404.
    "api:project-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 400 400 400 400 403 400 400",
    },
    "api:project-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:project-set-status": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:project-point": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:project-chain": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:project-chain-remove": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:project-documents": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:project-competitors": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:project-support": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:project-support-answer": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 403 404 400 404 404 404 400",
    },
    "api:me": {"GET": "401 ok ok ok ok ok ok ok", "POST": "401 405 405 405 405 405 405 405"},
    "api:user-list": {"GET": "401 ok ok ok ok ok ok ok", "POST": "401 403 403 403 403 403 403 400"},
    "api:user-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 403 403 403 403 403 403 405",
    },
    "api:user-deactivate": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 403 403 403 403 403 403 ok",
    },
    "api:unit-list": {"GET": "401 ok ok ok ok ok ok ok", "POST": "401 405 405 405 405 405 405 405"},
    "api:unit-detail": {
        "GET": "401 ok ok ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:membership-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 403 403 403 403 403 403 400",
    },
    "api:membership-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 403 403 403 403 403 403 405",
    },
    "api:membership-end": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 403 403 403 403 403 403 ok",
    },
    "api:token-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 400 400 400 400 400 400 400",
    },
    "api:token-detail": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:notification-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:notification-read": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 ok ok ok ok ok ok ok",
    },
    "api:notification-detail": {
        "GET": "401 ok 404 404 404 404 404 404",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:customer-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 400 400 400 400 403 400 400",
    },
    "api:customer-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:customer-contacts": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:customer-revenue": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:customer-stage": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:customer-stage-changes": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:import-job-list": {
        "GET": "401 404 404 404 404 404 404 ok",
        "POST": "401 404 404 404 404 404 404 400",
    },
    "api:import-job-detail": {
        "GET": "401 404 404 404 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:import-job-confirm": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 404 404 404 404 404 404 ok",
    },
    "api:import-job-error-workbook": {
        "GET": "401 404 404 404 404 404 404 404",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:import-job-retry": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 404 404 404 404 404 404 400",
    },
    "api:journal-list": {"GET": "401 ok ok ok ok ok ok ok", "POST": "401 ok ok ok ok 400 ok 400"},
    "api:journal-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:journal-amend": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 403 404 403 404 404 404 403",
    },
    "api:journal-comments": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 400 404 400 404 404 404 400",
    },
    "api:journal-review": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 403 404 400 404 404 404 400",
    },
    "api:journal-submit": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 ok 404 403 404 404 404 403",
    },
    "api:plan-item-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 400 400 400 400 400 400 400",
    },
    "api:plan-item-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:visit-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 400 400 400 400 400 400 400",
    },
    "api:visit-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:kpi-figures": {
        "GET": "401 400 400 400 400 400 400 400",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:target-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 400 400 400 400 400 400 400",
    },
    "api:target-acknowledge": {
        "GET": "401 405 405 405 405 405 405 405",
        "POST": "401 400 400 400 400 400 400 400",
    },
    "api:target-detail": {
        "GET": "401 404 404 404 404 404 404 404",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:weekly-report-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:weekly-report-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:team-weekly-report-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:team-weekly-report-detail": {
        "GET": "401 404 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:finding-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:finding-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:coaching-plan-list": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api:coaching-plan-detail": {
        "GET": "401 ok 404 ok 404 404 404 ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api_schema": {"GET": "401 ok ok ok ok ok ok ok", "POST": "401 405 405 405 405 405 405 405"},
    "favicon": {"GET": "ok ok ok ok ok ok ok ok", "POST": "ok ok ok ok ok ok ok ok"},
    "api_index": {"GET": "ok ok ok ok ok ok ok ok", "POST": "ok ok ok ok ok ok ok ok"},
    "api:api-root": {
        "GET": "401 ok ok ok ok ok ok ok",
        "POST": "401 405 405 405 405 405 405 405",
    },
    "api_docs": {"GET": "login ok ok ok ok ok ok ok", "POST": "login 405 405 405 405 405 405 405"},
    "journals:comment_edit": {
        "GET": "login ok 404 403 404 404 404 403",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "journals:comment_delete": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "weekly:comment_edit": {
        "GET": "login ok 404 403 404 404 404 403",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "weekly:comment_delete": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "weekly:team_comment_edit": {
        "GET": "login 404 404 ok 404 404 404 403",
        "POST": "login 404 404 ok 404 404 404 403",
    },
    "weekly:team_comment_delete": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login 404 404 ok 404 404 404 403",
    },
    "kpi:analysis_comment_edit": {
        "GET": "login ok 404 403 404 404 404 403",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "kpi:analysis_comment_delete": {
        "GET": "login 405 405 405 405 405 405 405",
        "POST": "login ok 404 403 404 404 404 403",
    },
    "weekly:report_mentions": {
        "GET": "login ok 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
    "weekly:team_report_mentions": {
        "GET": "login 404 404 ok 404 404 404 ok",
        "POST": "login 405 405 405 405 405 405 405",
    },
}

#: Every page of the Django admin: staff only; everyone else is sent to the admin's login.
#: (POST as admin is left to the admin's own tests: its forms need real data.)
ADMIN_EXPECTED: dict[str, str] = {
    "GET": "login login login login login login login ok",
    "POST": "login login login login login login login -",
}

#: Admin pages that answer otherwise (read-only models have no add page, the catch-all and
#: view-on-site need a real object, autocomplete needs its parameters).
ADMIN_OVERRIDES: dict[str, dict[str, str]] = {
    "admin:login": {
        "GET": "ok ok ok ok ok ok ok ok",
        "POST": "ok ok ok ok ok ok ok -",
    },
    "admin:logout": {
        "GET": "ok ok ok ok ok ok ok 405",
        "POST": "ok ok ok ok ok ok ok -",
    },
    **{
        name: {
            "GET": "login login login login login login login 403",
            "POST": "login login login login login login login -",
        }
        for name in (
            "admin:autocomplete",
            "admin:axes_accessattempt_add",
            "admin:axes_accesslog_add",
            "admin:axes_accessfailurelog_add",
            "admin:kpi_kpirun_add",
            "admin:kpi_kpisnapshot_add",
            "admin:kpi_kpidirty_add",
            "admin:auditlog_logentry_add",
            "admin:auditlog_logentry_delete",
        )
    },
    **{
        name: {
            "GET": "login login login login login login login 404",
            "POST": "login login login login login login login -",
        }
        for name in ("admin:view_on_site", "admin:<unnamed admin/(?P<url>.*)$>")
    },
    # The audit log's own admin pages for an entry that may not exist (ids differ by
    # database): a redirect to the list, or 404.
    **{
        name: {
            "GET": "login login login login login login login ok|404",
            "POST": "login login login login login login login -",
        }
        for name in ("admin:auditlog_logentry_change", "admin:auditlog_logentry_history")
    },
}
