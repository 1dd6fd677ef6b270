"""Tenancy proof over the Reflex states: every event handler under snapleads_app/state is classified.

The same world as tests/api/test_tenancy_proof.py: workspace A holds one of everything (lead, tag,
pipeline + stage, agent, invitation, import job), named with the canary `CANARY-A`; workspace B has the
same. A user of B then drives B's own states:
- `foreign`: the handler gets A's ids as arguments — or finds them in state vars the browser can set
  (every public var is writable from the client with Reflex's `setvar`): A's data reads the same
  afterwards, and neither B's state nor the events the handler returns contain A's markers;
- `listing`: handlers that load data from ids held nowhere else (load, search, export …): B's state
  never shows A's markers (and A's own call does, so the check can fail);
- `ui`: handlers that touch no workspace data, with the reason.
A new handler without a case fails `test_every_state_handler_has_a_tenancy_case`.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pytest

import snapleads_app.state as state_package
from tests.api.test_tenancy_proof import CANARY, World, _seed, _snapshot
from tests.factories import Member, add_member, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie

Ids = dict[str, int]
Args = Callable[[Ids, Ids], tuple[Any, ...]]  # (A's ids, B's ids) → handler arguments
Preset = Callable[[Ids, Ids], dict[str, Any]]  # state vars set first, as the browser could


@dataclass(frozen=True)
class Call:
    args: Args = lambda a, b: ()
    preset: Preset = lambda a, b: {}


@dataclass(frozen=True)
class Case:
    kind: Literal["foreign", "listing", "ui"]
    calls: tuple[Call, ...] = ()
    why: str = ""
    path: str = "/"
    # listing: A's own call shows one of A's markers (proves the negative check can fail).
    shows_markers: bool = False


def foreign(*calls: Call, path: str = "/") -> Case:
    return Case("foreign", calls=calls, path=path)


def listing(path: str = "/", *, shows_markers: bool = False, preset: Preset | None = None) -> Case:
    return Case(
        "listing", calls=(Call(preset=preset or (lambda a, b: {})),), path=path, shows_markers=shows_markers
    )


def ui(why: str) -> Case:
    return Case("ui", why=why)


def s(value: int) -> str:
    return str(value)


_SETVAR = "Reflex's generic setter: writes a var of the caller's own state; every var that holds an id is set to A's ids by a `preset` below"
_FORM = "keeps form/UI input in the caller's own state; no service call"
_AUTH = "credentials or a secret token, no workspace ids (tests/state/test_auth_state.py)"
_LIVE = "link() joins the caller's own channel, resolved from the session (no argument): test_live_joins_only_the_callers_own_channels"

CASES: dict[str, Case] = {
    # --- auth, language, session, presence ------------------------------------------------------------
    "AuthFormState.setvar": ui(_SETVAR),
    "AuthFormState.load_login": ui("reads only the login page's query"),
    "AuthFormState.login": ui(_AUTH),
    "AuthFormState.register": ui(_AUTH),
    "AuthFormState.load_invite": ui(_AUTH),
    "AuthFormState.accept_invite": ui(_AUTH),
    "LangState.setvar": ui(_SETVAR),
    "LangState.init_lang": ui("browser language only"),
    "LangState.set_ui_language": ui("browser language only"),
    "SessionState.setvar": ui(_SETVAR),
    "SessionState.load_shell": listing(shows_markers=True),
    "SessionState.set_language": ui("the caller's own user (from the session)"),
    "SessionState.switch_workspace": foreign(Call(args=lambda a, b: (s(a["workspace"]),))),
    "PresenceState.setvar": ui(_SETVAR),
    "PresenceState.go_online": ui("announces the caller in its own workspace (from the session)"),
    "PresenceState.logout": ui("ends the caller's own session"),
    "PresenceState.heartbeat_loop": ui("background refresh of the caller's own presence"),
    "WorkspaceShared.setvar": ui(_SETVAR),
    "LeadsShared.setvar": ui(_SETVAR),
    "LeadsLiveState.setvar": ui(_SETVAR),
    "LeadsLiveState.link": ui(_LIVE),
    "ImportsShared.setvar": ui(_SETVAR),
    "ImportsLiveState.setvar": ui(_SETVAR),
    "ImportsLiveState.link": ui(_LIVE),
    # --- leads table ------------------------------------------------------------------------------------
    "LeadsState.setvar": ui(_SETVAR),
    "LeadsState.load": listing("/leads", shows_markers=True),
    "LeadsState.live_changed": listing("/leads"),
    "LeadsState.set_search": ui(_FORM + " (then the scoped listing reloads: covered by LeadsState.load)"),
    "LeadsState.toggle_platform": ui(_FORM),
    "LeadsState.toggle_status": ui(_FORM),
    "LeadsState.toggle_tag_filter": foreign(Call(args=lambda a, b: (s(a["tag"]),)), path="/leads"),
    "LeadsState.set_tags_mode": ui(_FORM),
    "LeadsState.set_assignee_filter": foreign(Call(args=lambda a, b: (s(a["user"]),)), path="/leads"),
    "LeadsState.set_score_min": ui(_FORM),
    "LeadsState.set_score_max": ui(_FORM),
    "LeadsState.clear_filters": ui(_FORM),
    "LeadsState.sort_by": ui(_FORM),
    "LeadsState.next_page": ui(_FORM + " (cursor pages of the scoped listing)"),
    "LeadsState.prev_page": ui(_FORM + " (cursor pages of the scoped listing)"),
    "LeadsState.toggle_select": foreign(Call(args=lambda a, b: (s(a["lead"]),)), path="/leads"),
    "LeadsState.toggle_select_page": ui(_FORM),
    "LeadsState.select_all_matching": ui(_FORM),
    "LeadsState.clear_selection": ui(_FORM),
    "LeadsState.open_bulk": ui(_FORM),
    "LeadsState.close_bulk": ui(_FORM),
    "LeadsState.set_bulk_value": ui(_FORM),
    "LeadsState.apply_bulk": foreign(
        *(
            Call(
                preset=lambda a, b, action=action, value=value: {
                    "selected": [s(a["lead"])],
                    "bulk_action": action,
                    "bulk_value": value(a, b),
                }
            )
            for action, value in (
                ("status", lambda a, b: "lost"),
                ("delete", lambda a, b: ""),
                ("tag", lambda a, b: s(b["tag"])),
                ("assign", lambda a, b: s(b["user"])),
            )
        ),
        Call(
            preset=lambda a, b: {"selected": [s(b["lead"])], "bulk_action": "tag", "bulk_value": s(a["tag"])}
        ),
        Call(
            preset=lambda a, b: {
                "selected": [s(b["lead"])],
                "bulk_action": "assign",
                "bulk_value": s(a["user"]),
            }
        ),
        path="/leads",
    ),
    "LeadsState.delete_lead": foreign(Call(args=lambda a, b: (s(a["lead"]),)), path="/leads"),
    "LeadsState.undo_delete": foreign(Call(args=lambda a, b: ([s(a["lead"])],)), path="/leads"),
    "LeadsState.export": listing("/leads"),
    "LeadsState.toggle_column": ui(_FORM),
    "LeadsState.set_new_open": ui(_FORM),
    "LeadsState.set_new_platform": ui(_FORM),
    "LeadsState.create_lead": ui("creates a lead in the caller's own workspace from free text"),
    # --- Kanban -----------------------------------------------------------------------------------------
    "KanbanState.setvar": ui(_SETVAR),
    "KanbanState.load": foreign(
        Call(), Call(preset=lambda a, b: {"pipeline_id": s(a["pipeline"])}), path="/kanban"
    ),
    "KanbanState.set_pipeline": foreign(Call(args=lambda a, b: (s(a["pipeline"]),)), path="/kanban"),
    "KanbanState.set_search": ui(_FORM + " (then the scoped board reloads: covered by KanbanState.load)"),
    "KanbanState.load_more": foreign(
        Call(args=lambda a, b: (s(a["stage"]),), preset=lambda a, b: {"pipeline_id": s(a["pipeline"])}),
        path="/kanban",
    ),
    "KanbanState.drop": foreign(
        Call(args=lambda a, b: ({"lead_id": s(a["lead"]), "stage_id": s(b["stage"])},)),
        Call(args=lambda a, b: ({"lead_id": s(b["lead"]), "stage_id": s(a["stage"])},)),
        Call(
            args=lambda a, b: (
                {"lead_id": s(b["lead"]), "stage_id": s(b["stage"]), "after_id": s(a["lead"])},
            )
        ),
        path="/kanban",
    ),
    "KanbanState.move_to_stage": foreign(
        Call(args=lambda a, b: (s(a["lead"]), s(b["stage"]))),
        Call(args=lambda a, b: (s(b["lead"]), s(a["stage"]))),
        path="/kanban",
    ),
    "KanbanState.live_changed": foreign(
        Call(args=lambda a, b: (99,), preset=lambda a, b: {"pipeline_id": s(a["pipeline"])}), path="/kanban"
    ),
    # --- lead detail (the lead id lives in the public var `lead_id`) -------------------------------------
    "LeadDetailState.setvar": ui(_SETVAR),
    "LeadDetailState.open_lead": foreign(Call(args=lambda a, b: (s(a["lead"]),))),
    "LeadDetailState.set_open": ui(_FORM),
    "LeadDetailState.save_field": foreign(
        Call(args=lambda a, b: ("full_name", "B was here"), preset=lambda a, b: {"lead_id": s(a["lead"])})
    ),
    "LeadDetailState.set_status": foreign(
        Call(args=lambda a, b: ("lost",), preset=lambda a, b: {"lead_id": s(a["lead"])})
    ),
    "LeadDetailState.set_stage": foreign(
        Call(args=lambda a, b: (s(b["stage"]),), preset=lambda a, b: {"lead_id": s(a["lead"])}),
        Call(args=lambda a, b: (s(a["stage"]),), preset=lambda a, b: {"lead_id": s(b["lead"])}),
    ),
    "LeadDetailState.set_assignee": foreign(
        Call(args=lambda a, b: (s(b["user"]),), preset=lambda a, b: {"lead_id": s(a["lead"])}),
        Call(args=lambda a, b: (s(a["user"]),), preset=lambda a, b: {"lead_id": s(b["lead"])}),
    ),
    "LeadDetailState.add_tag": foreign(
        Call(args=lambda a, b: (s(b["tag"]),), preset=lambda a, b: {"lead_id": s(a["lead"])}),
        Call(args=lambda a, b: (s(a["tag"]),), preset=lambda a, b: {"lead_id": s(b["lead"])}),
    ),
    "LeadDetailState.remove_tag": foreign(
        Call(args=lambda a, b: (s(a["tag"]),), preset=lambda a, b: {"lead_id": s(a["lead"])}),
    ),
    "LeadDetailState.set_new_tag": ui(_FORM),
    "LeadDetailState.create_tag": foreign(
        Call(args=lambda a, b: ({"name": "B tag"},), preset=lambda a, b: {"lead_id": s(a["lead"])})
    ),
    "LeadDetailState.merge": foreign(
        Call(args=lambda a, b: (s(a["lead"]),), preset=lambda a, b: {"lead_id": s(b["lead"])}),
        Call(args=lambda a, b: (s(b["lead"]),), preset=lambda a, b: {"lead_id": s(a["lead"])}),
    ),
    "LeadDetailState.delete": foreign(Call(preset=lambda a, b: {"lead_id": s(a["lead"])})),
    "LeadDetailState.live_changed": foreign(
        Call(args=lambda a, b: (99,), preset=lambda a, b: {"lead_id": s(a["lead"])})
    ),
    # --- imports ------------------------------------------------------------------------------------------
    "ImportsState.setvar": ui(_SETVAR),
    "ImportsState.load": listing("/leads/import"),
    "ImportsState.live_changed": listing("/leads/import"),
    "ImportsState.upload_progress": ui(_FORM),
    "ImportsState.drop_rejected": ui(_FORM),
    "ImportsState.handle_upload": ui("stores the caller's own upload (tests/state/test_imports_state.py)"),
    "ImportsState.inspect": ui("reads the caller's own uploaded file"),
    "ImportsState.set_has_header": ui(_FORM),
    "ImportsState.set_target": ui(_FORM),
    "ImportsState.set_custom_name": ui(_FORM),
    "ImportsState.set_duplicate_policy": ui(_FORM),
    "ImportsState.set_tags_text": ui(_FORM),
    "ImportsState.set_platform": ui(_FORM),
    "ImportsState.set_assignee_policy": ui(_FORM),
    "ImportsState.set_assignee_id": ui(
        _FORM
        + "; the import service refuses another workspace's assignee (POST /leads/import in the API proof)"
    ),
    "ImportsState.start_over": ui(_FORM),
    "ImportsState.start_import": ui(
        "needs the caller's own upload; the assignee rule is the service's (see above)"
    ),
    "ImportsState.cancel_import": foreign(Call(args=lambda a, b: (s(a["job"]),))),
    "ImportsState.refresh_job": foreign(Call(args=lambda a, b: (s(a["job"]),))),
    "ImportsState.show_job": foreign(Call(args=lambda a, b: (s(a["job"]),))),
    "ImportsState.download_rejected": foreign(Call(args=lambda a, b: (s(a["job"]),))),
    # --- members ------------------------------------------------------------------------------------------
    "MembersState.setvar": ui(_SETVAR),
    "MembersState.load": listing("/settings/members", shows_markers=True),
    "MembersState.set_invite_role": ui(_FORM),
    "MembersState.invite": ui("invites into the caller's own workspace"),
    "MembersState.clear_invite_link": ui(_FORM),
    "MembersState.copy_invite_link": ui(_FORM),
    "MembersState.change_role": foreign(Call(args=lambda a, b: (s(a["user"]), "viewer"))),
    "MembersState.remove_member": foreign(Call(args=lambda a, b: (s(a["user"]),))),
    "MembersState.revoke_invitation": foreign(Call(args=lambda a, b: (s(a["invitation"]),))),
    # --- settings: pipelines and tags ---------------------------------------------------------------------
    "SettingsPipelinesState.setvar": ui(_SETVAR),
    "SettingsPipelinesState.load": listing("/settings/pipelines", shows_markers=True),
    "SettingsPipelinesState.set_new_open": ui(_FORM),
    "SettingsPipelinesState.create_pipeline": ui("creates a pipeline in the caller's own workspace"),
    "SettingsPipelinesState.rename_pipeline": foreign(Call(args=lambda a, b: (s(a["pipeline"]), "B name"))),
    "SettingsPipelinesState.delete_pipeline": foreign(Call(args=lambda a, b: (s(a["pipeline"]),))),
    "SettingsPipelinesState.rename_stage": foreign(Call(args=lambda a, b: (s(a["stage"]), "B stage"))),
    "SettingsPipelinesState.add_stage": foreign(
        Call(args=lambda a, b: (s(a["pipeline"]), {"name": "B stage"}))
    ),
    "SettingsPipelinesState.move_stage": foreign(
        Call(args=lambda a, b: (s(a["pipeline"]), s(a["stage"]), 1)),
        Call(args=lambda a, b: (s(b["pipeline"]), s(a["stage"]), 1)),
    ),
    "SettingsPipelinesState.delete_stage": foreign(Call(args=lambda a, b: (s(a["stage"]),))),
    "SettingsTagsState.setvar": ui(_SETVAR),
    "SettingsTagsState.load": listing("/settings/tags", shows_markers=True),
    "SettingsTagsState.set_new_color": ui(_FORM),
    "SettingsTagsState.create": ui("creates a tag in the caller's own workspace"),
    "SettingsTagsState.start_edit": foreign(Call(args=lambda a, b: (s(a["tag"]),))),
    "SettingsTagsState.cancel_edit": ui(_FORM),
    "SettingsTagsState.set_edit_name": ui(_FORM),
    "SettingsTagsState.set_edit_color": ui(_FORM),
    "SettingsTagsState.save_edit": foreign(
        Call(preset=lambda a, b: {"editing_id": s(a["tag"]), "edit_name": "B tag", "edit_color": "#000000"})
    ),
    "SettingsTagsState.delete": foreign(Call(args=lambda a, b: (s(a["tag"]),))),
    # --- merged features: inbox, templates, automations, scoring, webhooks, analytics, meetings, … -----
    "NavState.setvar": ui(_SETVAR),
    "NavState.inbox_changed": listing(),
    "InboxShared.setvar": ui(_SETVAR),
    "AutomationsShared.setvar": ui(_SETVAR),
    "AutomationsLiveState.setvar": ui(_SETVAR),
    "AutomationsLiveState.link": ui(_LIVE),
    "ConversationShared.setvar": ui(_SETVAR),
    "ViewingState.setvar": ui(_SETVAR),
    "ViewingState.view": foreign(Call(args=lambda a, b: (s(a["conversation"]),)), path="/inbox"),
    "ViewingState.stop": ui("ends the caller's own viewing entry (held server-side)"),
    "ViewingState.viewing_loop": ui("background renewal of the caller's own viewing entry"),
    "InboxLiveState.setvar": ui(_SETVAR),
    "InboxLiveState.link": ui(_LIVE),
    "InboxState.setvar": ui(_SETVAR),
    "InboxState.load": listing("/inbox", shows_markers=True),
    "InboxState.refresh": listing("/inbox"),
    "InboxState.live_changed": ui("the relay's reload trigger; what it reloads is InboxState.refresh"),
    "InboxState.more_conversations": listing("/inbox"),
    "InboxState.set_tz_offset": ui(_FORM),
    "InboxState.set_status_filter": ui(_FORM),
    "InboxState.toggle_unread": ui(_FORM),
    "InboxState.set_platform_filter": ui(_FORM),
    "InboxState.set_search": ui(_FORM),
    "InboxState.move": ui(_FORM + " (j/k over the caller's own scoped list)"),
    "InboxState.set_composer": ui(_FORM),
    "InboxState.clear_template": ui(_FORM),
    "InboxState.set_assignee_filter": foreign(Call(args=lambda a, b: (s(a["user"]),)), path="/inbox"),
    "InboxState.select": foreign(Call(args=lambda a, b: (s(a["conversation"]),)), path="/inbox"),
    "InboxState.choose_template": foreign(Call(args=lambda a, b: (s(a["template"]),)), path="/inbox"),
    "InboxState.retry": foreign(Call(args=lambda a, b: (s(a["message"]),)), path="/inbox"),
    "InboxState.load_older": foreign(
        Call(preset=lambda a, b: {"selected_id": s(a["conversation"])}), path="/inbox"
    ),
    "InboxState.send": foreign(
        Call(preset=lambda a, b: {"selected_id": s(a["conversation"]), "composer": "hijack"}), path="/inbox"
    ),
    "InboxState.use_template": foreign(
        Call(preset=lambda a, b: {"selected_id": s(b["conversation"]), "template_id": s(a["template"])}),
        path="/inbox",
    ),
    "InboxState.archive": foreign(
        Call(preset=lambda a, b: {"selected_id": s(a["conversation"])}), path="/inbox"
    ),
    "InboxState.mark_unread": foreign(
        Call(preset=lambda a, b: {"selected_id": s(a["conversation"])}), path="/inbox"
    ),
    "InboxState.assign": foreign(
        Call(preset=lambda a, b: {"selected_id": s(a["conversation"])}, args=lambda a, b: (s(b["user"]),)),
        Call(preset=lambda a, b: {"selected_id": s(b["conversation"])}, args=lambda a, b: (s(a["user"]),)),
        path="/inbox",
    ),
    "InboxState.set_lead_status": foreign(
        Call(preset=lambda a, b: {"selected_id": s(a["conversation"])}, args=lambda a, b: ("lost",)),
        path="/inbox",
    ),
    "TemplatesState.setvar": ui(_SETVAR),
    "TemplatesState.load": listing("/templates", shows_markers=True),
    "TemplatesState.new": ui(_FORM),
    "TemplatesState.set_name": ui(_FORM),
    "TemplatesState.set_body": ui(_FORM),
    "TemplatesState.insert_variable": ui(_FORM),
    "TemplatesState.set_category": ui(_FORM),
    "TemplatesState.set_platform": ui(_FORM),
    "TemplatesState.open": foreign(Call(args=lambda a, b: (s(a["template"]),)), path="/templates"),
    "TemplatesState.set_preview_lead": foreign(Call(args=lambda a, b: (s(a["lead"]),)), path="/templates"),
    "TemplatesState.save": foreign(
        Call(preset=lambda a, b: {"selected_id": s(a["template"]), "name": "hijacked", "body": "x"}),
        path="/templates",
    ),
    "TemplatesState.delete": foreign(
        Call(preset=lambda a, b: {"selected_id": s(a["template"])}), path="/templates"
    ),
    "AutomationsState.setvar": ui(_SETVAR),
    "AutomationsState.load": listing("/automations", shows_markers=True),
    "AutomationsState.refresh_runs": listing("/automations"),
    "AutomationsState.new": ui(_FORM),
    "AutomationsState.close_builder": ui(_FORM),
    "AutomationsState.close_run": ui(_FORM),
    "AutomationsState.set_name": ui(_FORM),
    "AutomationsState.set_trigger": ui(_FORM),
    "AutomationsState.set_filter_platform": ui(_FORM),
    "AutomationsState.set_filter_status": ui(_FORM),
    "AutomationsState.set_filter_tag": ui(
        _FORM + "; a foreign tag id is refused by the service on save (API proof)"
    ),
    "AutomationsState.set_group_op": ui(_FORM + " (the condition tree is held in the caller's own state)"),
    "AutomationsState.add_condition": ui(_FORM),
    "AutomationsState.add_group": ui(_FORM),
    "AutomationsState.drop_action": ui(_FORM + " (indexes into the caller's own action rows)"),
    "AutomationsState.live_changed": foreign(
        Call(
            args=lambda a, b: (5,),
            preset=lambda a, b: {"run_detail_id": s(a["run"]), "loaded": True, "_live_seen": 1},
        ),
        path="/automations",
    ),
    "AutomationsState.remove_condition": ui(_FORM),
    "AutomationsState.set_condition": ui(_FORM),
    "AutomationsState.add_action": ui(_FORM),
    "AutomationsState.remove_action": ui(_FORM),
    "AutomationsState.move_action": ui(_FORM),
    "AutomationsState.set_action": ui(_FORM + "; ids inside actions are checked by the service on save"),
    "AutomationsState.set_run_automation": foreign(
        Call(args=lambda a, b: (s(a["automation"]),)), path="/automations"
    ),
    "AutomationsState.set_run_status": ui(_FORM),
    "AutomationsState.toggle": foreign(
        Call(args=lambda a, b: (s(a["automation"]), False)), path="/automations"
    ),
    "AutomationsState.delete": foreign(Call(args=lambda a, b: (s(a["automation"]),)), path="/automations"),
    "AutomationsState.edit": foreign(Call(args=lambda a, b: (s(a["automation"]),)), path="/automations"),
    "AutomationsState.show_run": foreign(Call(args=lambda a, b: (s(a["run"]),)), path="/automations"),
    "AutomationsState.save": foreign(
        Call(preset=lambda a, b: {"editing_id": s(a["automation"]), "name": "hijacked"}), path="/automations"
    ),
    "LeadScoreState.setvar": ui(_SETVAR),
    "LeadScoreState.explain": foreign(Call(args=lambda a, b: (s(a["lead"]),)), path="/leads"),
    "ScoringSettingsState.setvar": ui(_SETVAR),
    "ScoringSettingsState.load": listing("/settings/scoring"),
    "ScoringSettingsState.set_value": ui(_FORM),
    "ScoringSettingsState.save": ui("saves the caller's own workspace rules"),
    "ScoringSettingsState.set_preview_lead": foreign(
        Call(args=lambda a, b: (s(a["lead"]),)), path="/settings/scoring"
    ),
    "WebhooksSettingsState.setvar": ui(_SETVAR),
    "WebhooksSettingsState.load": listing("/settings/webhooks", shows_markers=True),
    "WebhooksSettingsState.toggle_event": ui(_FORM),
    "WebhooksSettingsState.create": ui("creates a webhook in the caller's own workspace"),
    "WebhooksSettingsState.toggle": foreign(
        Call(args=lambda a, b: (s(a["webhook"]), False)), path="/settings/webhooks"
    ),
    "WebhooksSettingsState.delete": foreign(
        Call(args=lambda a, b: (s(a["webhook"]),)), path="/settings/webhooks"
    ),
    "WebhooksSettingsState.send_test": foreign(
        Call(args=lambda a, b: (s(a["webhook"]),)), path="/settings/webhooks"
    ),
    "WebhooksSettingsState.show_log": foreign(
        Call(args=lambda a, b: (s(a["webhook"]),)), path="/settings/webhooks"
    ),
    "WorkspaceSettingsState.setvar": ui(_SETVAR),
    "WorkspaceSettingsState.load": listing("/settings/workspace"),
    "WorkspaceSettingsState.save_time_zone": ui("sets the caller's own workspace zone (an IANA name, no id)"),
    "DashboardState.setvar": ui(_SETVAR),
    "DashboardState.load": listing("/"),
    "DashboardState.live_changed": ui("the relay's reload trigger; what it reloads is DashboardState.load"),
    "DashboardState.reload_soon": listing("/"),
    "DashboardState.set_preset": ui(_FORM),
    "DashboardState.set_date_from": ui(_FORM),
    "DashboardState.set_date_to": ui(_FORM),
    "DashboardState.set_platform": ui(_FORM),
    "DashboardState.set_granularity": ui(_FORM),
    "DashboardState.set_assignee": foreign(Call(args=lambda a, b: (s(a["user"]),))),
    "ImportsState.load_presets": listing("/imports", shows_markers=True),
    "ImportsState.apply_preset": foreign(Call(args=lambda a, b: (s(a["preset"]),)), path="/imports"),
    "ImportsState.set_preset_name": ui(_FORM),
    "ImportsState.save_preset": ui("saves a preset in the caller's own workspace"),
    "LeadDetailState.undo_merge": foreign(Call(args=lambda a, b: (s(a["merge"]),)), path="/leads"),
    "LeadsState.set_score_band": ui(_FORM),
    "LeadsState.follow_export": ui(
        "follows the caller's own export job (its id is set by the caller's export)"
    ),
    "LeadsState.dismiss_export": ui(_FORM),
    "MeetingState.setvar": ui(_SETVAR),
    "MeetingState.set_tz": ui(_FORM),
    "MeetingState.relabel_upcoming": ui(_FORM),
    "MeetingState.set_dialog_open": ui(_FORM),
    "MeetingState.load_upcoming": listing("/", shows_markers=True),
    "MeetingState.open_lead_from_query": ui("opens the drawer through LeadDetailState (its own cases)"),
    "MeetingState.load_for_lead": foreign(Call(args=lambda a, b: (s(a["lead"]),)), path="/leads"),
    "MeetingState.open_new": foreign(Call(args=lambda a, b: (s(a["lead"]), "x")), path="/leads"),
    "MeetingState.open_edit": foreign(Call(args=lambda a, b: (s(a["meeting"]),)), path="/leads"),
    "MeetingState.delete": foreign(Call(args=lambda a, b: (s(a["meeting"]),)), path="/leads"),
    "MeetingState.download": foreign(Call(args=lambda a, b: (s(a["meeting"]),)), path="/leads"),
    "MeetingState.create": ui("needs a lead opened through open_new/open_edit (their own foreign cases)"),
    "NotificationSettingsState.setvar": ui(_SETVAR),
    "NotificationSettingsState.load": ui("the caller's own preferences and feed (no workspace data)"),
    "NotificationSettingsState.toggle": ui("the caller's own preferences"),
    "NotificationSettingsState.create_feed": ui("the caller's own calendar feed"),
    "NotificationSettingsState.revoke_feed": ui("the caller's own calendar feed"),
    "PasswordResetState.setvar": ui(_SETVAR),
    "PasswordResetState.load_forgot": ui(_AUTH),
    "PasswordResetState.load_reset": ui(_AUTH),
    "PasswordResetState.request_link": ui(_AUTH),
    "PasswordResetState.save_new_password": ui(_AUTH),
}


@pytest.fixture
def w(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The API proof's world: A (canary names) and B, one of everything each (tests/api/test_tenancy_proof)."""
    # Seeding and the snapshots of A are well over 100 requests a minute: rate limits have their own tests.
    monkeypatch.setattr("api_ext.middleware.rate_limit_group", lambda path, method: ("", 0))
    from fastapi.testclient import TestClient

    from api_ext import build_api

    with TestClient(build_api(), raise_server_exceptions=False, base_url="http://localhost:3000") as client:
        a, b = register_owner(workspace=f"{CANARY} Acme"), register_owner(workspace="Globex")
        a_agent, b_agent = add_member(a, "agent"), add_member(b, "agent")
        a_ids = _seed(client, a, CANARY, a_agent)
        b_ids = _seed(client, b, "BEE", b_agent)
        markers = [CANARY, CANARY.lower(), a.email, a_agent.email]
        yield World(client=client, a=a, b=b, a_ids=a_ids, b_ids=b_ids, a_markers=markers)


def _state_classes() -> dict[str, type]:
    import reflex as rx

    classes: dict[str, type] = {}
    for info in pkgutil.iter_modules(state_package.__path__):
        module = importlib.import_module(f"{state_package.__name__}.{info.name}")
        for name, cls in vars(module).items():
            if inspect.isclass(cls) and issubclass(cls, rx.State) and cls.__module__ == module.__name__:
                classes[name] = cls
    return classes


def _handlers() -> list[str]:
    return sorted(
        f"{name}.{handler}" for name, cls in _state_classes().items() for handler in cls.event_handlers
    )


def test_every_state_handler_has_a_tenancy_case() -> None:
    handlers = _handlers()
    missing = [h for h in handlers if h not in CASES]
    stale = [h for h in CASES if h not in set(handlers)]
    assert not missing, f"add a tenancy case for: {missing}"
    assert not stale, f"cases for handlers that no longer exist: {stale}"
    classes = _state_classes()
    for key, case in CASES.items():
        if case.kind == "ui":
            assert case.why, f"say why {key} cannot reach another workspace"
            # A handler that takes an id-like argument must be proven, not explained away.
            cls_name, handler = key.split(".")
            params = inspect.signature(classes[cls_name].event_handlers[handler].fn).parameters
            id_like = [p for p in params if p.endswith(("_id", "_ids")) and p != "var_name"]
            assert not id_like or key == "ImportsState.set_assignee_id", (
                f"{key} takes {id_like}: use foreign()"
            )
        else:
            assert case.calls, key


def _go(
    w: World, make_state: Any, key: str, call: Call, *, as_a: bool = False, member: Member | None = None
) -> tuple[Any, str]:
    """Run one handler call in a fresh state of B (or A, or `member`); returns the state and the events' text."""
    cls_name, handler = key.split(".")
    cls = _state_classes()[cls_name]
    member = member or (w.a if as_a else w.b)
    state = make_state(cls, token=web_cookie(member.email), path=CASES[key].path)
    for var, value in call.preset(w.a_ids, w.b_ids).items():
        setattr(state, var, value)
    events = asyncio.run(run(cls.event_handlers[handler], state, *call.args(w.a_ids, w.b_ids)))
    return state, " ".join(str(e) for e in events if e is not None)


def _leaks(w: World, state: Any, events: str) -> list[str]:
    text = f"{state.dict()} {events}"
    return [m for m in w.a_markers if m in text]


FOREIGN = sorted(k for k, c in CASES.items() if c.kind == "foreign")
LISTINGS = sorted(k for k, c in CASES.items() if c.kind == "listing")


@pytest.mark.parametrize("key", FOREIGN)
def test_another_workspaces_ids_change_nothing_and_show_nothing(w: World, make_state: Any, key: str) -> None:
    for call in CASES[key].calls:
        before = _snapshot(w)
        state, events = _go(w, make_state, key, call)
        assert _snapshot(w) == before, f"{key} changed workspace A's data"
        assert not _leaks(w, state, events), f"{key} showed A's data to B"


@pytest.mark.parametrize("key", FOREIGN)
def test_a_viewer_of_the_same_workspace_changes_nothing(w: World, make_state: Any, key: str) -> None:
    """Viewers read only (SPEC.md roles): every handler that acts on ids, called by A's own viewer with
    A's own ids, leaves A's data as it was (reads may show it: a viewer sees the whole workspace)."""
    _changes_nothing(w, make_state, key, add_member(w.a, "viewer"))


@pytest.mark.parametrize("key", LISTINGS)
def test_listings_never_show_another_workspace(w: World, make_state: Any, key: str) -> None:
    case = CASES[key]
    state, events = _go(w, make_state, key, case.calls[0])
    assert not _leaks(w, state, events), f"{key} showed A's data to B"
    if case.shows_markers:
        own, own_events = _go(w, make_state, key, case.calls[0], as_a=True)
        assert _leaks(w, own, own_events), f"{key} as A should show A's data (the check must be able to fail)"


def _changes_nothing(w: World, make_state: Any, key: str, member: Member) -> None:
    """`member` of A calls the handler with A's own ids: A's data reads the same afterwards."""
    for call in CASES[key].calls:
        before = _snapshot(w)
        _go(w, make_state, key, call, member=member)
        assert _snapshot(w) == before, f"{key} let a {member.role} change workspace A's data"


def _edit_lead_changes_a(w: World, make_state: Any, member: Member) -> bool:
    before = _snapshot(w)
    _go(
        w,
        make_state,
        "LeadDetailState.save_field",
        CASES["LeadDetailState.save_field"].calls[0],
        member=member,
    )
    return _snapshot(w) != before


def test_the_foreign_check_can_fail(w: World, make_state: Any) -> None:
    """The same calls made by A's owner on A's own ids do change A (so 'unchanged' means refused)."""
    assert _edit_lead_changes_a(w, make_state, w.a)


@pytest.mark.parametrize("key", FOREIGN)
def test_an_agent_who_is_not_the_assignee_changes_nothing(w: World, make_state: Any, key: str) -> None:
    """Agents see and edit only what is assigned to them; they never delete, assign, export or manage
    templates, automations, tags' workspace settings (SPEC.md roles). A second agent of A, with A's own
    ids (all assigned to A's first agent or to nobody), leaves A's data as it was."""
    _changes_nothing(w, make_state, key, add_member(w.a, "agent"))


def test_the_agent_check_can_fail(w: World, make_state: Any) -> None:
    """Once A's lead is assigned to that agent, the same call does change it (so 'unchanged' above
    means refused, not a call that never reaches the data)."""
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.leads import service as leads

    agent = add_member(w.a, "agent")
    with unit_of_work() as session:
        leads.assign_lead(session=session, ctx=w.a.ctx, lead_id=w.a_ids["lead"], assignee_id=agent.user_id)
    assert _edit_lead_changes_a(w, make_state, agent)


# Owner/admin only (SPEC.md roles: workspace settings, members, webhooks/API keys).
OWNER_ADMIN_ONLY = sorted(
    k
    for k in FOREIGN
    if k.split(".")[0] in {"MembersState", "WebhooksSettingsState", "WorkspaceSettingsState"}
)
READS_ONLY = {"WebhooksSettingsState.show_log": "shows the delivery log"}


def _changed(w: World, before: str) -> bool:
    try:
        return _snapshot(w) != before
    except AssertionError:  # the snapshot's GET of a deleted resource answers 404: it is gone
        return True


@pytest.mark.parametrize("key", OWNER_ADMIN_ONLY)
def test_a_manager_cannot_touch_members_settings_or_webhooks(w: World, make_state: Any, key: str) -> None:
    _changes_nothing(w, make_state, key, add_member(w.a, "manager"))
    if key in READS_ONLY:
        return
    admin = add_member(w.a, "admin")  # …and an admin can (so the check above can fail)
    before = _snapshot(w)
    for call in CASES[key].calls:
        _go(w, make_state, key, call, member=admin)
    assert _changed(w, before), f"{key}: an admin's call should change A (or the snapshot misses it)"


def _live_channels(workspace_id: int, user_ids: list[int]) -> list[str]:
    from snapleads_app.state.realtime_automations import automations_token
    from snapleads_app.state.realtime_imports import imports_token
    from snapleads_app.state.realtime_inbox import inbox_token
    from snapleads_app.state.realtime_leads import leads_token

    per_user = [c for u in user_ids for c in (inbox_token(workspace_id, u), imports_token(workspace_id, u))]
    return [
        inbox_token(workspace_id),
        leads_token(workspace_id),
        imports_token(workspace_id),
        automations_token(workspace_id),
        *per_user,
    ]


LIVE_LINKS = (
    "InboxLiveState.link",
    "LeadsLiveState.link",
    "ImportsLiveState.link",
    "AutomationsLiveState.link",
)


def test_live_joins_only_the_callers_own_channels(w: World, make_state: Any) -> None:
    """Pushes carry changes (ids, import jobs, messages) to the sockets joined to a channel: B's owner
    and B's agent — with A's workspace and user ids preset in every var the browser can set — join only
    B's channels (the agent only its own where the channel is per member), never one of A's."""
    from snapleads_app.state.realtime import PUSH_HUB

    a_channels = _live_channels(w.a.workspace_id, [w.a.user_id, w.a_ids["user"]])
    b_agent = add_member(w.b, "agent")
    for member in (w.b, b_agent):
        for key in LIVE_LINKS:
            PUSH_HUB.clear()
            cls_name, handler = key.split(".")
            cls = _state_classes()[cls_name]
            state = make_state(cls, token=web_cookie(member.email), path="/")
            for var, value in {"workspace_id": w.a.workspace_id, "user_id": w.a.user_id}.items():
                setattr(state, var, value)
            asyncio.run(run(cls.event_handlers[handler], state))
            joined = [c for c in _live_channels(w.b.workspace_id, [member.user_id]) if PUSH_HUB.members(c)]
            assert joined, f"{key} joined none of {member.role}'s own channels"
            assert not [c for c in a_channels if PUSH_HUB.members(c)], f"{key} joined one of A's channels"
            if member.role == "agent" and cls_name in ("InboxLiveState", "ImportsLiveState"):
                assert joined == [c for c in joined if c.endswith(f"-u{member.user_id}")], joined
    PUSH_HUB.clear()
