"""Auth use cases on the real database: register, login, throttling, refresh rotation, sessions."""

from __future__ import annotations

from typing import Literal

import pytest
from sqlmodel import select

from snapleads_app.core import clock, security
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Conflict, InvalidInput, PermissionDenied, RateLimited, Unauthenticated
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import (
    AuthSession,
    ClientInfo,
    LoginIn,
    Membership,
    RegisterIn,
    User,
)
from tests.factories import PASSWORD, add_member, register_owner


def _login(email: str, password: str = PASSWORD, ip: str = "10.0.0.9", kind: Literal["api", "web"] = "api"):
    with unit_of_work() as session:
        return accounts.login(
            session=session, data=LoginIn(email=email, password=password), client=ClientInfo(ip=ip, kind=kind)
        )


def _refresh(token: str):
    with unit_of_work() as session:
        return accounts.refresh(session=session, refresh_token=token)


def _ctx(access_token: str):
    with unit_of_work() as session:
        return accounts.authenticate_access_token(session=session, token=access_token)


def test_register_creates_owner_workspace_and_enqueues_signup_job(jobs):
    owner = register_owner("Ana@Example.com", workspace="Prospecção")
    with unit_of_work() as session:
        user = session.exec(select(User)).one()
        membership = session.exec(select(Membership)).one()
    assert user.email == "ana@example.com"  # stored lower-case
    assert user.password_hash and user.password_hash.startswith("$2b$")
    assert membership.role == "owner" and membership.user_id == owner.user_id
    assert jobs == [("accounts.after_signup", {"user_id": owner.user_id, "workspace_id": owner.workspace_id})]


def test_signup_job_is_not_sent_when_registration_rolls_back(jobs):
    with pytest.raises(RuntimeError), unit_of_work() as session:
        accounts.register(
            session=session,
            data=RegisterIn(email="x@example.com", password=PASSWORD, full_name="X", workspace_name="W"),
            client=ClientInfo(),
        )
        raise RuntimeError("boom after the service")
    assert jobs == []
    with unit_of_work() as session:
        assert session.exec(select(User)).first() is None


def test_email_is_unique_case_insensitively():
    register_owner("dup@example.com")
    with pytest.raises(Conflict) as err:
        register_owner("DUP@example.com")
    assert err.value.code == "email_taken"


@pytest.mark.parametrize("password", ["short1A", "alllowercase1", "ALLUPPER1", "NoDigitsHere"])
def test_password_policy_is_enforced(password):
    with pytest.raises(InvalidInput) as err, unit_of_work() as session:
        accounts.register(
            session=session,
            data=RegisterIn(email="p@example.com", password=password, full_name="P", workspace_name="W"),
            client=ClientInfo(),
        )
    assert err.value.code == "weak_password"
    assert "password" in err.value.errors


def test_login_with_right_and_wrong_password():
    owner = register_owner()
    tokens = _login(owner.email.upper())
    assert _ctx(tokens.access_token).user_id == owner.user_id
    with pytest.raises(Unauthenticated) as err:
        _login(owner.email, "Wrong12345")
    assert err.value.code == "invalid_credentials"
    with pytest.raises(Unauthenticated) as unknown:
        _login("nobody@example.com")
    assert unknown.value.code == "invalid_credentials"  # same answer: no account enumeration


def test_five_failures_per_account_and_ip_throttle_logins():
    owner = register_owner()
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            _login(owner.email, "Wrong12345", ip="1.1.1.1")
    with pytest.raises(RateLimited) as err:
        _login(owner.email, PASSWORD, ip="1.1.1.1")  # even the right password waits
    assert 0 < err.value.retry_after <= 15 * 60
    assert _login(owner.email, ip="2.2.2.2")  # another IP is not punished for the first one


def test_successful_login_resets_the_failure_count():
    owner = register_owner()
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            _login(owner.email, "Wrong12345")
    _login(owner.email)
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            _login(owner.email, "Wrong12345")
    assert _login(owner.email)


def test_refresh_rotates_and_reuse_revokes_the_whole_family():
    owner = register_owner()
    first = owner.tokens
    second = _refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    third = _refresh(second.refresh_token)
    assert _ctx(third.access_token).user_id == owner.user_id
    with pytest.raises(Unauthenticated) as err:
        _refresh(first.refresh_token)  # a stolen, already used token comes back
    assert err.value.code == "refresh_token_reused"
    # The family is revoked: the newest tokens stop working too.
    with pytest.raises(Unauthenticated):
        _refresh(third.refresh_token)
    with pytest.raises(Unauthenticated) as revoked:
        _ctx(third.access_token)
    assert revoked.value.code == "session_revoked"
    with unit_of_work() as session:
        family = session.get(AuthSession, first.session_id)
        assert family is not None and family.revoked_reason == "refresh_reuse"


def test_other_sessions_survive_a_reuse_in_one_family():
    owner = register_owner()
    other = _login(owner.email)
    _refresh(owner.tokens.refresh_token)
    with pytest.raises(Unauthenticated):
        _refresh(owner.tokens.refresh_token)
    assert _ctx(other.access_token).user_id == owner.user_id


def test_access_token_expires_after_15_minutes():
    owner = register_owner()
    clock.advance(14 * 60)
    assert _ctx(owner.tokens.access_token)
    clock.advance(61)
    with pytest.raises(Unauthenticated) as err:
        _ctx(owner.tokens.access_token)
    assert err.value.code == "token_expired"


def test_refresh_token_expires_after_7_days():
    owner = register_owner()
    clock.advance(7 * 86400 + 1)
    with pytest.raises(Unauthenticated):
        _refresh(owner.tokens.refresh_token)


def test_forged_tokens_are_refused():
    owner = register_owner()
    import jwt

    claims = jwt.decode(owner.tokens.access_token, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "role": "owner", "wid": 999}, "not-the-secret-" + "y" * 40, algorithm="HS256"
    )
    none_alg = jwt.encode({**claims}, key=None, algorithm="none")
    for token in (forged, none_alg, "garbage", owner.tokens.refresh_token):
        with pytest.raises(Unauthenticated):
            _ctx(token)


def test_logout_revokes_the_session():
    owner = register_owner()
    with unit_of_work() as session:
        accounts.logout(session=session, ctx=owner.ctx)
    with pytest.raises(Unauthenticated):
        _ctx(owner.tokens.access_token)
    with pytest.raises(Unauthenticated):
        _refresh(owner.tokens.refresh_token)


def test_role_changes_apply_to_live_tokens():
    owner = register_owner()
    agent = add_member(owner, "agent")
    with unit_of_work() as session:
        accounts.change_role(session=session, ctx=owner.ctx, user_id=agent.user_id, role="viewer")
    assert _ctx(agent.tokens.access_token).role == "viewer"


def test_switch_workspace_only_to_own_memberships():
    owner = register_owner(workspace="First")
    other = register_owner(workspace="Second")
    # owner is invited into the second workspace
    from snapleads_app.domain.accounts.models import AcceptInviteIn, InviteIn

    with unit_of_work() as session:
        invitation = accounts.invite(
            session=session, ctx=other.ctx, data=InviteIn(email=owner.email, role="manager")
        )
    with unit_of_work() as session:
        accounts.accept_invitation(
            session=session,
            token=invitation.token,
            data=AcceptInviteIn(password=PASSWORD),
            client=ClientInfo(),
        )
    with unit_of_work() as session:
        me = accounts.me(session=session, ctx=owner.ctx)
        switched = accounts.switch_workspace(session=session, ctx=owner.ctx, workspace_id=other.workspace_id)
    assert {w.name for w in me.workspaces} == {"First", "Second"}
    ctx = _ctx(switched.access_token)
    assert (ctx.workspace_id, ctx.role) == (other.workspace_id, "manager")
    third = register_owner(workspace="Third")
    from snapleads_app.core.errors import NotFound

    with pytest.raises(NotFound), unit_of_work() as session:
        accounts.switch_workspace(session=session, ctx=owner.ctx, workspace_id=third.workspace_id)


def test_web_ticket_is_single_use_and_short_lived():
    owner = register_owner()
    tokens = _login(owner.email, kind="web")
    assert tokens.web_ticket
    with unit_of_work() as session:
        cookie = accounts.exchange_web_ticket(session=session, ticket=tokens.web_ticket)
    with unit_of_work() as session:
        ctx = accounts.authenticate_web_session(session=session, token=cookie)
    assert (ctx.user_id, ctx.via) == (owner.user_id, "ui")
    with pytest.raises(Unauthenticated), unit_of_work() as session:
        accounts.exchange_web_ticket(session=session, ticket=tokens.web_ticket)
    late = _login(owner.email, kind="web")
    clock.advance(61)
    with pytest.raises(Unauthenticated), unit_of_work() as session:
        accounts.exchange_web_ticket(session=session, ticket=late.web_ticket or "")
    with unit_of_work() as session:
        accounts.revoke_web_session(session=session, token=cookie)
    with pytest.raises(Unauthenticated), unit_of_work() as session:
        accounts.authenticate_web_session(session=session, token=cookie)


def test_api_logins_carry_no_web_ticket():
    owner = register_owner()
    assert _login(owner.email).web_ticket is None


def test_passwords_are_hashed_with_bcrypt_cost_12_by_default():
    from snapleads_app.core.settings import Settings

    assert Settings.model_fields["bcrypt_rounds"].default == 12
    assert security.token_hash("abc") != "abc" and len(security.token_hash("abc")) == 64


def test_removed_member_cannot_log_in_without_a_workspace():
    owner = register_owner()
    agent = add_member(owner, "agent")
    with unit_of_work() as session:
        accounts.remove_member(session=session, ctx=owner.ctx, user_id=agent.user_id)
    with pytest.raises(Unauthenticated):
        _ctx(agent.tokens.access_token)
    with pytest.raises(PermissionDenied) as err:
        _login(agent.email)
    assert err.value.code == "no_workspace"


def test_signup_record_is_idempotent():
    owner = register_owner()
    from snapleads_app.domain.audit import service as audit

    with unit_of_work() as session:
        assert accounts.record_signup(session=session, user_id=owner.user_id, workspace_id=owner.workspace_id)
    with unit_of_work() as session:
        assert not accounts.record_signup(
            session=session, user_id=owner.user_id, workspace_id=owner.workspace_id
        )
        entries = audit.list_entries(session=session, ctx=owner.ctx)
    assert [e.action for e in entries].count("workspace.created") == 1
