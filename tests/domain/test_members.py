"""Members page rules (SPEC.md roles): who may invite, change roles and remove whom."""

from __future__ import annotations

import pytest

from snapleads_app.core import clock
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Conflict, NotFound, PermissionDenied, Unauthenticated
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import AcceptInviteIn, ClientInfo, InviteIn
from tests.factories import PASSWORD, add_member, register_owner

ROLES = ["owner", "admin", "manager", "agent", "viewer"]


def _invite(actor, email, role):
    with unit_of_work() as session:
        return accounts.invite(session=session, ctx=actor.ctx, data=InviteIn(email=email, role=role))


def _change(actor, user_id, role):
    with unit_of_work() as session:
        return accounts.change_role(session=session, ctx=actor.ctx, user_id=user_id, role=role)


def _remove(actor, user_id):
    with unit_of_work() as session:
        accounts.remove_member(session=session, ctx=actor.ctx, user_id=user_id)


# Expected outcome of actor → invite a given role. True = allowed.
INVITE_MATRIX = {
    "owner": dict.fromkeys(ROLES, True),
    "admin": {"owner": False, "admin": True, "manager": True, "agent": True, "viewer": True},
    "manager": dict.fromkeys(ROLES, False),
    "agent": dict.fromkeys(ROLES, False),
    "viewer": dict.fromkeys(ROLES, False),
}


@pytest.mark.parametrize("actor_role", ROLES)
def test_invite_rights_follow_the_roles_table(actor_role):
    owner = register_owner()
    actor = owner if actor_role == "owner" else add_member(owner, actor_role)
    for role, allowed in INVITE_MATRIX[actor_role].items():
        if allowed:
            created = _invite(actor, f"new-{role}@example.com", role)
            assert created.invitation.role == role and created.accept_path.startswith("/accept-invite?token=")
        else:
            with pytest.raises(PermissionDenied):
                _invite(actor, f"new-{role}@example.com", role)


@pytest.mark.parametrize("actor_role", ROLES)
@pytest.mark.parametrize("target_role", ["owner", "admin", "agent"])
def test_change_role_and_remove_rights(actor_role, target_role):
    owner = register_owner()
    actor = owner if actor_role == "owner" else add_member(owner, actor_role)
    target = add_member(owner, target_role)
    may_manage = actor_role == "owner" or (actor_role == "admin" and target_role != "owner")
    if may_manage:
        assert _change(actor, target.user_id, "viewer").role == "viewer"
        _remove(actor, target.user_id)
        with unit_of_work() as session:
            assert target.user_id not in {
                m.user_id for m in accounts.list_members(session=session, ctx=owner.ctx)
            }
    else:
        with pytest.raises(PermissionDenied):
            _change(actor, target.user_id, "viewer")
        with pytest.raises(PermissionDenied):
            _remove(actor, target.user_id)


def test_admin_cannot_promote_to_owner():
    owner = register_owner()
    admin = add_member(owner, "admin")
    agent = add_member(owner, "agent")
    with pytest.raises(PermissionDenied) as err:
        _change(admin, agent.user_id, "owner")
    assert err.value.code == "admin_cannot_manage_owners"


def test_the_last_owner_stays():
    owner = register_owner()
    with pytest.raises(Conflict) as err:
        _change(owner, owner.user_id, "admin")
    assert err.value.code == "last_owner"
    with pytest.raises(Conflict):
        _remove(owner, owner.user_id)
    second = add_member(owner, "owner")
    _change(owner, owner.user_id, "admin")  # allowed now that another owner exists
    with pytest.raises(Conflict):
        _remove(second, second.user_id)


def test_every_member_may_list_members_but_only_managers_of_members_see_invitations():
    owner = register_owner()
    viewer = add_member(owner, "viewer")
    _invite(owner, "pending@example.com", "agent")
    with unit_of_work() as session:
        assert len(accounts.list_members(session=session, ctx=viewer.ctx)) == 2
        assert [i.email for i in accounts.list_invitations(session=session, ctx=owner.ctx)] == [
            "pending@example.com"
        ]
        with pytest.raises(PermissionDenied):
            accounts.list_invitations(session=session, ctx=viewer.ctx)


def test_members_of_another_workspace_are_not_found():
    acme = register_owner(workspace="Acme")
    globex = register_owner(workspace="Globex")
    globex_agent = add_member(globex, "agent")
    with pytest.raises(NotFound):
        _change(acme, globex_agent.user_id, "viewer")
    with pytest.raises(NotFound):
        _remove(acme, globex.user_id)
    invitation = _invite(globex, "someone@example.com", "agent")
    with pytest.raises(NotFound), unit_of_work() as session:
        accounts.revoke_invitation(session=session, ctx=acme.ctx, invitation_id=invitation.invitation.id)
    with unit_of_work() as session:
        assert {m.user_id for m in accounts.list_members(session=session, ctx=acme.ctx)} == {acme.user_id}


def test_invitation_lifecycle_expiry_revocation_and_single_use():
    owner = register_owner()
    created = _invite(owner, "Late@Example.com", "agent")
    assert created.invitation.email == "late@example.com"
    with unit_of_work() as session:
        preview = accounts.get_invitation(session=session, token=created.token)
    assert (preview.workspace_name, preview.role, preview.status, preview.user_exists) == (
        "Acme",
        "agent",
        "pending",
        False,
    )
    clock.advance(7 * 86400 + 1)
    with pytest.raises(Conflict) as err, unit_of_work() as session:
        accounts.accept_invitation(
            session=session,
            token=created.token,
            data=AcceptInviteIn(full_name="Late", password=PASSWORD),
            client=ClientInfo(),
        )
    assert err.value.code == "invitation_expired"
    clock.reset()
    revoked = _invite(owner, "rev@example.com", "agent")
    with unit_of_work() as session:
        accounts.revoke_invitation(session=session, ctx=owner.ctx, invitation_id=revoked.invitation.id)
    with pytest.raises(Conflict), unit_of_work() as session:
        accounts.accept_invitation(
            session=session,
            token=revoked.token,
            data=AcceptInviteIn(full_name="R", password=PASSWORD),
            client=ClientInfo(),
        )
    used = _invite(owner, "once@example.com", "viewer")
    with unit_of_work() as session:
        accounts.accept_invitation(
            session=session,
            token=used.token,
            data=AcceptInviteIn(full_name="Once", password=PASSWORD),
            client=ClientInfo(),
        )
    with pytest.raises(Conflict) as again, unit_of_work() as session:
        accounts.accept_invitation(
            session=session,
            token=used.token,
            data=AcceptInviteIn(full_name="Once", password=PASSWORD),
            client=ClientInfo(),
        )
    assert again.value.code == "invitation_accepted"


def test_reinviting_replaces_the_pending_invitation_and_members_cannot_be_reinvited():
    owner = register_owner()
    first = _invite(owner, "x@example.com", "agent")
    second = _invite(owner, "x@example.com", "manager")
    with pytest.raises(Conflict), unit_of_work() as session:
        accounts.accept_invitation(
            session=session,
            token=first.token,
            data=AcceptInviteIn(full_name="X", password=PASSWORD),
            client=ClientInfo(),
        )
    with unit_of_work() as session:
        accounts.accept_invitation(
            session=session,
            token=second.token,
            data=AcceptInviteIn(full_name="X", password=PASSWORD),
            client=ClientInfo(),
        )
    with pytest.raises(Conflict) as err:
        _invite(owner, "X@example.com", "agent")
    assert err.value.code == "already_member"


def test_existing_account_must_prove_its_password_to_accept():
    acme = register_owner(workspace="Acme")
    globex = register_owner(workspace="Globex")
    created = _invite(globex, acme.email, "agent")
    with pytest.raises(Unauthenticated), unit_of_work() as session:
        accounts.accept_invitation(
            session=session,
            token=created.token,
            data=AcceptInviteIn(password="Wrong12345"),
            client=ClientInfo(),
        )
    with unit_of_work() as session:
        tokens = accounts.accept_invitation(
            session=session, token=created.token, data=AcceptInviteIn(password=PASSWORD), client=ClientInfo()
        )
        ctx = accounts.authenticate_access_token(session=session, token=tokens.access_token)
    assert (ctx.user_id, ctx.workspace_id, ctx.role) == (acme.user_id, globex.workspace_id, "agent")


def test_removing_a_member_ends_their_sessions_in_that_workspace_only():
    owner = register_owner()
    agent = add_member(owner, "agent")
    _remove(owner, agent.user_id)
    with pytest.raises(Unauthenticated), unit_of_work() as session:
        accounts.authenticate_access_token(session=session, token=agent.tokens.access_token)
