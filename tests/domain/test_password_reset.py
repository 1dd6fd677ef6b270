"""Password reset: hashed single-use token, 1-hour expiry, 3 requests per hour per e-mail, no enumeration."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from snapleads_app.core import clock, security
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import InvalidInput, RateLimited, Unauthenticated
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import ClientInfo, LoginIn
from snapleads_app.domain.notifications import service as notifications
from snapleads_app.domain.notifications.models import PasswordReset, ResetPasswordIn
from tests.conftest import BACKEND
from tests.factories import PASSWORD, register_owner

NEW_PASSWORD = "Nova-Senha-2026"


def _forgot(email: str) -> None:
    with unit_of_work() as session:
        notifications.request_password_reset(session=session, email=email)


def _token(jobs: list[tuple[str, dict[str, Any]]]) -> str:
    tokens = [kwargs["token"] for name, kwargs in jobs if name == "notifications.password_reset"]
    assert tokens, f"no reset e-mail was queued: {jobs}"
    return tokens[-1]


def _reset(token: str, password: str = NEW_PASSWORD) -> None:
    with unit_of_work() as session:
        notifications.reset_password(session=session, data=ResetPasswordIn(token=token, password=password))


def _login(email: str, password: str) -> None:
    with unit_of_work() as session:
        accounts.login(session=session, data=LoginIn(email=email, password=password), client=ClientInfo())


def test_reset_end_to_end_changes_the_password_and_signs_out_everywhere(jobs) -> None:
    owner = register_owner(email="ana@example.com")
    _forgot("  Ana@Example.com ")
    token = _token(jobs)
    with unit_of_work() as session:
        stored = session.exec(select(PasswordReset)).one()
    assert stored.token_hash == security.token_hash(token) != token  # only a hash is stored
    _reset(token)
    _login(owner.email, NEW_PASSWORD)
    with pytest.raises(Unauthenticated):
        _login(owner.email, PASSWORD)
    with pytest.raises(Unauthenticated), unit_of_work() as session:  # the old session is revoked
        accounts.authenticate_access_token(session=session, token=owner.tokens.access_token)


def test_a_token_is_single_use_and_a_new_one_spends_the_older_ones(jobs) -> None:
    register_owner(email="bia@example.com")
    _forgot("bia@example.com")
    first = _token(jobs)
    _forgot("bia@example.com")
    second = _token(jobs)
    _reset(second)
    with pytest.raises(InvalidInput) as reused:
        _reset(second, "Outra-Senha-99")
    assert reused.value.code == "reset_token_used"
    with pytest.raises(InvalidInput) as older:
        _reset(first, "Outra-Senha-99")
    assert older.value.code == "reset_token_used"
    _login("bia@example.com", NEW_PASSWORD)


def test_a_token_expires_after_one_hour(jobs) -> None:
    register_owner(email="caio@example.com")
    _forgot("caio@example.com")
    token = _token(jobs)
    clock.advance(59 * 60)
    with unit_of_work() as session:
        assert notifications.check_reset_token(session=session, token=token).valid
    clock.advance(61)
    with unit_of_work() as session:
        assert not notifications.check_reset_token(session=session, token=token).valid
    with pytest.raises(InvalidInput) as info:
        _reset(token)
    assert info.value.code == "reset_token_expired"


def test_a_weak_password_is_refused_and_the_link_still_works(jobs) -> None:
    register_owner(email="dora@example.com")
    _forgot("dora@example.com")
    token = _token(jobs)
    with pytest.raises(InvalidInput) as info:
        _reset(token, "short")
    assert info.value.code == "weak_password"
    _reset(token)


def test_unknown_or_forged_tokens_are_invalid() -> None:
    with pytest.raises(InvalidInput) as info:
        _reset("not-a-real-token")
    assert info.value.code == "reset_token_invalid"
    with unit_of_work() as session:
        assert notifications.check_reset_token(session=session, token="nope").valid is False


@pytest.mark.parametrize("known", [True, False])
def test_three_requests_per_hour_per_email_known_or_not(jobs, known: bool) -> None:
    email = "eva@example.com"
    if known:
        register_owner(email=email)
    for _ in range(3):
        _forgot(email)
    with pytest.raises(RateLimited) as info:
        _forgot(email.upper())  # the same address, however it is written
    assert info.value.code == "reset_throttled" and 0 < info.value.retry_after <= 3600
    _forgot("someone.else@example.com")  # other addresses are not affected
    clock.advance(3601)
    _forgot(email)  # the window moved on
    sent = [k for name, k in jobs if name == "notifications.password_reset"]
    assert len(sent) == (4 if known else 0)


def test_unknown_email_gets_the_same_outcome_and_no_email(jobs) -> None:
    register_owner(email="known@example.com")
    jobs.clear()
    _forgot("unknown@example.com")  # no exception: the same answer as for a known address
    assert [name for name, _ in jobs] == []
    with unit_of_work() as session:
        row = session.exec(select(PasswordReset)).one()
    assert row.user_id is None and row.token_hash is None  # counted for the throttle, nothing usable


def test_inactive_accounts_get_no_link(jobs) -> None:
    from snapleads_app.domain.accounts.models import User

    owner = register_owner(email="gone@example.com")
    with unit_of_work() as session:
        user = session.get(User, owner.user_id)
        assert user is not None
        user.is_active = False
    jobs.clear()
    _forgot(owner.email)
    assert jobs == []


@pytest.mark.skipif(
    BACKEND != "postgres", reason="parallel transactions: PostgreSQL (SQLite serialises writers)"
)
def test_a_parallel_burst_still_gets_three_requests_per_hour():
    """Eight requests for one address at the same moment: three pass, five are throttled."""
    import threading

    register_owner("burst@example.com")
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def forgot() -> None:
        start.wait()
        try:
            with unit_of_work() as session:
                notifications.request_password_reset(session=session, email="burst@example.com")
            outcomes.append("sent")
        except RateLimited:
            outcomes.append("throttled")

    threads = [threading.Thread(target=forgot) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["sent"] * 3 + ["throttled"] * 5
