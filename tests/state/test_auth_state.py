"""Sign-in, registration and invitation handlers: translation of service results and errors."""

from __future__ import annotations

import asyncio
from typing import Any

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.state.auth import AuthFormState, safe_next
from tests.factories import PASSWORD, register_owner
from tests.state.conftest import run


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


def _script(events: list[Any]) -> str:
    return " ".join(str(getattr(e, "args", e)) for e in events if e is not None)


def test_login_success_goes_through_the_ticket_url(make_state) -> None:
    owner = register_owner("ana@example.com")
    state = make_state(AuthFormState, query="")
    state.lang = "en"
    events = _go(AuthFormState.login, state, {"email": owner.email, "password": PASSWORD})
    script = _script(events)
    assert "/api/v1/auth/web/session?ticket=" in script
    assert "next=%2F" in script
    assert state.error == ""
    assert state.working is True  # stays busy while the browser navigates


def test_login_with_wrong_password_shows_translated_error(make_state) -> None:
    register_owner("bia@example.com")
    state = make_state(AuthFormState)
    state.lang = "en"
    events = _go(AuthFormState.login, state, {"email": "bia@example.com", "password": "Wrong123"})
    assert "session?ticket" not in _script(events)
    assert state.error == "Wrong e-mail or password."
    assert state.working is False
    state.lang = "pt-BR"
    _go(AuthFormState.login, state, {"email": "bia@example.com", "password": "Wrong123"})
    assert state.error == "E-mail ou senha incorretos."


def test_login_throttled_after_five_failures_says_when_to_retry(make_state) -> None:
    register_owner("caio@example.com")
    state = make_state(AuthFormState)
    state.lang = "en"
    for _ in range(5):
        _go(AuthFormState.login, state, {"email": "caio@example.com", "password": "Wrong123"})
    _go(AuthFormState.login, state, {"email": "caio@example.com", "password": PASSWORD})
    assert state.error == "Too many failed sign-ins. Try again in 15 min."


def test_login_with_invalid_email_is_a_translated_validation_error(make_state) -> None:
    state = make_state(AuthFormState)
    state.lang = "en"
    _go(AuthFormState.login, state, {"email": "not-an-email", "password": "x"})
    assert state.error == "Enter a valid e-mail address."


def _register_form(**overrides: str) -> dict[str, str]:
    form = {
        "email": "dani@example.com",
        "password": PASSWORD,
        "full_name": "Dani Dias",
        "workspace_name": "Dias Co",
    }
    form.update(overrides)
    return form


def test_register_success_and_language_is_kept(make_state) -> None:
    state = make_state(AuthFormState)
    state.lang = "en"
    events = _go(AuthFormState.register, state, _register_form())
    assert "/api/v1/auth/web/session?ticket=" in _script(events)
    owner_token = None
    with unit_of_work() as session:
        from snapleads_app.domain.accounts.models import ClientInfo, LoginIn

        owner_token = accounts.login(
            session=session, data=LoginIn(email="dani@example.com", password=PASSWORD), client=ClientInfo()
        )
        ctx = accounts.authenticate_access_token(session=session, token=owner_token.access_token)
        me = accounts.me(session=session, ctx=ctx)
    assert me.user.language == "en"
    assert me.workspace.name == "Dias Co"


def test_register_weak_password_lists_the_policy(make_state) -> None:
    state = make_state(AuthFormState)
    state.lang = "en"
    _go(AuthFormState.register, state, _register_form(password="short"))
    assert state.error.startswith("Choose a stronger password:")
    assert "at least 8 characters" in state.error and "a digit" in state.error
    state.lang = "pt-BR"
    _go(AuthFormState.register, state, _register_form(password="short"))
    assert "pelo menos 8 caracteres" in state.error


def test_register_taken_email(make_state) -> None:
    register_owner("eva@example.com")
    state = make_state(AuthFormState)
    state.lang = "en"
    _go(AuthFormState.register, state, _register_form(email="EVA@example.com"))
    assert state.error == "An account with this e-mail already exists. Sign in instead."


def test_invitation_preview_and_accept(make_state) -> None:
    from snapleads_app.domain.accounts.models import InviteIn

    owner = register_owner("fabio@example.com", workspace="Fabio Ltda")
    with unit_of_work() as session:
        created = accounts.invite(
            session=session, ctx=owner.ctx, data=InviteIn(email="gil@example.com", role="agent")
        )
    token = created.accept_path.split("token=", 1)[1]
    state = make_state(AuthFormState, path="/accept-invite", query=f"token={token}")
    state.lang = "en"
    _go(AuthFormState.load_invite, state)
    assert (state.invite_workspace, state.invite_role, state.invite_email) == (
        "Fabio Ltda",
        "agent",
        "gil@example.com",
    )
    assert state.invite_error == "" and state.invite_user_exists is False
    _go(AuthFormState.accept_invite, state, {"full_name": "", "password": PASSWORD})
    assert state.error == "Enter your name."
    events = _go(AuthFormState.accept_invite, state, {"full_name": "Gil Gomes", "password": PASSWORD})
    assert "/api/v1/auth/web/session?ticket=" in _script(events)
    _go(AuthFormState.load_invite, state)  # used now
    assert state.invite_error == "This invitation was already accepted. Sign in instead."


def test_invitation_link_without_token(make_state) -> None:
    state = make_state(AuthFormState, path="/accept-invite")
    state.lang = "en"
    _go(AuthFormState.load_invite, state)
    assert state.invite_error == "This invitation link is incomplete. Open the full link you received."


def test_first_visit_language_from_the_browser(make_state) -> None:
    state = make_state(AuthFormState, accept_language="en-GB,en;q=0.9")
    _go(AuthFormState.init_lang, state)
    assert state.lang == "en"
    state = make_state(AuthFormState, accept_language="pt-BR,pt;q=0.9")
    _go(AuthFormState.init_lang, state)
    assert state.lang == "pt-BR"


def test_safe_next_refuses_other_sites() -> None:
    assert safe_next("/settings/members") == "/settings/members"
    for bad in ("//evil.example", "https://evil.example/", "javascript:alert(1)", "", None, "/\\evil"):
        assert safe_next(bad) == "/"
