"""Session (cookie → ctx), shell data, language, logout, and the members page handlers."""

from __future__ import annotations

import asyncio
from typing import Any

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import ClientInfo, InviteIn, LoginIn
from snapleads_app.state.members import MembersState
from snapleads_app.state.presence import PresenceState
from snapleads_app.state.session import SessionState
from tests.factories import PASSWORD, add_member, register_owner
from tests.state.conftest import run


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


def _text(events: list[Any]) -> str:
    return " ".join(str(e) for e in events if e is not None)


def web_cookie(email: str) -> str:
    """What the REST side puts in the HttpOnly cookie after a web login."""
    with unit_of_work() as session:
        tokens = accounts.login(
            session=session, data=LoginIn(email=email, password=PASSWORD), client=ClientInfo(kind="web")
        )
    assert tokens.web_ticket
    with unit_of_work() as session:
        return accounts.exchange_web_ticket(session=session, ticket=tokens.web_ticket)


def test_without_cookie_every_data_handler_redirects_to_login(make_state) -> None:
    state = make_state(SessionState, path="/settings/members")
    events = _go(SessionState.load_shell, state)
    assert "/login" in _text(events)
    members = make_state(MembersState, path="/settings/members")
    assert "/login" in _text(_go(MembersState.load, members))
    assert "/login" in _text(_go(MembersState.remove_member, members, "1"))
    assert members.members == []


def test_forged_cookie_redirects_to_login(make_state) -> None:
    state = make_state(SessionState, token="not-a-real-session")
    assert "/login" in _text(_go(SessionState.load_shell, state))
    assert state.user_id == 0


def test_load_shell_fills_the_session_and_comes_online(make_state) -> None:
    owner = register_owner("helena@example.com", workspace="Helena Vendas")
    state = make_state(SessionState, token=web_cookie(owner.email))
    events = _go(SessionState.load_shell, state)
    assert state.user_name == "Olivia Owner" and state.user_email == owner.email
    assert state.workspace_name == "Helena Vendas" and state.role == "owner"
    assert state.workspaces == [{"id": str(owner.workspace_id), "name": "Helena Vendas", "role": "owner"}]
    assert state.can_manage_members is True
    assert state.lang == "pt-BR"  # the user's language
    assert "go_online" in _text(events)


def test_set_language_is_saved_for_the_user(make_state) -> None:
    owner = register_owner("igor@example.com")
    cookie = web_cookie(owner.email)
    state = make_state(SessionState, token=cookie)
    _go(SessionState.set_language, state, "en")
    assert state.lang == "en"
    fresh = make_state(SessionState, token=cookie)
    _go(SessionState.load_shell, fresh)
    assert fresh.lang == "en"


def test_switch_workspace_reloads_into_the_other_workspace(make_state) -> None:
    owner = register_owner("julia@example.com", workspace="Primeiro")
    other = register_owner("karl@example.com", workspace="Segundo")
    with unit_of_work() as session:
        created = accounts.invite(
            session=session, ctx=other.ctx, data=InviteIn(email=owner.email, role="manager")
        )
    with unit_of_work() as session:
        from snapleads_app.domain.accounts.models import AcceptInviteIn

        accounts.accept_invitation(
            session=session, token=created.token, data=AcceptInviteIn(password=PASSWORD), client=ClientInfo()
        )
    cookie = web_cookie(owner.email)
    state = make_state(SessionState, token=cookie)
    _go(SessionState.load_shell, state)
    assert {w["name"] for w in state.workspaces} == {"Primeiro", "Segundo"}
    target = next(w["id"] for w in state.workspaces if w["id"] != str(state.workspace_id))
    events = _go(SessionState.switch_workspace, state, target)
    assert "window.location.assign" in _text(events)
    fresh = make_state(SessionState, token=cookie)
    _go(SessionState.load_shell, fresh)
    assert fresh.workspace_id == int(target) and fresh.role in ("owner", "manager")


def test_logout_revokes_the_session_and_clears_the_cookie(make_state) -> None:
    owner = register_owner("lara@example.com")
    cookie = web_cookie(owner.email)
    state = make_state(PresenceState, token=cookie)
    events = _go(PresenceState.logout, state)
    assert "/api/v1/auth/web/clear?next=/login" in _text(events)
    again = make_state(SessionState, token=cookie)
    assert "/login" in _text(_go(SessionState.load_shell, again))


def test_members_page_as_owner_invite_change_role_remove(make_state) -> None:
    owner = register_owner("mara@example.com")
    agent = add_member(owner, "agent", "nina@example.com")
    state = make_state(MembersState, token=web_cookie(owner.email))
    state.lang = "en"
    _go(MembersState.load, state)
    assert [m["email"] for m in state.members] == [agent.email, owner.email] or len(state.members) == 2
    assert state.can_manage_members is True
    me = next(m for m in state.members if m["email"] == owner.email)
    assert me["is_me"] == "1"

    events = _go(MembersState.invite, state, {"email": "otto@example.com", "role": "viewer"})
    assert "Invitation created" in _text(events)
    assert "/accept-invite?token=" in state.invite_link
    assert state.invite_link.startswith("http")
    assert [i["email"] for i in state.invitations] == ["otto@example.com"]

    _go(MembersState.change_role, state, str(agent.user_id), "manager")
    assert next(m for m in state.members if m["user_id"] == str(agent.user_id))["role"] == "manager"

    _go(MembersState.revoke_invitation, state, state.invitations[0]["id"])
    assert state.invitations == []

    _go(MembersState.remove_member, state, str(agent.user_id))
    assert [m["email"] for m in state.members] == [owner.email]


def test_members_page_translates_domain_refusals(make_state) -> None:
    owner = register_owner("paula@example.com")
    viewer = add_member(owner, "viewer", "quim@example.com")
    state = make_state(MembersState, token=web_cookie(viewer.email))
    state.lang = "en"
    _go(MembersState.load, state)
    assert state.can_manage_members is False
    assert state.invitations == []  # the viewer never asks for them
    events = _go(MembersState.remove_member, state, str(owner.user_id))
    assert "Only owners and admins can manage members." in _text(events)
    # The last owner cannot demote themself (Conflict → toast).
    owner_state = make_state(MembersState, token=web_cookie(owner.email))
    owner_state.lang = "pt-BR"
    events = _go(MembersState.change_role, owner_state, str(owner.user_id), "agent")
    assert "pelo menos um proprietário" in _text(events)
