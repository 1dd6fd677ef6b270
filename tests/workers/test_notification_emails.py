"""Every notification e-mail, end to end: the service enqueues the job after commit, the actor runs it
and a real local SMTP server (aiosmtpd) receives the message — right recipient, language and link."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from typing import Any

import dramatiq
import pytest

from snapleads_app.core import clock, tasks
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.mail import MailDeliveryError
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import InviteIn
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.notifications import service as notifications
from snapleads_app.domain.notifications.models import PreferencesUpdate
from tests.factories import add_member, make_lead, register_owner
from tests.smtp_inbox import Inbox, smtp_inbox_fixture  # noqa: F401 - the smtp_inbox fixture

Jobs = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def actors() -> Iterator[dict[str, Callable[..., Any]]]:
    """The notification actors' functions by job name (called synchronously, as a worker would)."""
    import workers.actors as module

    found = {
        obj.actor_name: obj.fn
        for obj in vars(module).values()
        if isinstance(obj, dramatiq.Actor) and obj.actor_name.startswith("notifications.")
    }
    yield found


@pytest.fixture
def queued(actors: dict[str, Callable[..., Any]]) -> Iterator[Jobs]:
    """Record jobs enqueued after commit (installed after importing the actors, which set a sender)."""
    sent: Jobs = []
    previous = (tasks._sender, tasks._status_provider)
    tasks.install_sender(lambda job, kwargs: sent.append((job, kwargs)))
    yield sent
    tasks.install_sender(*previous)


def run_notifications(jobs: Jobs, actors: dict[str, Callable[..., Any]]) -> int:
    ran = 0
    for name, kwargs in list(jobs):
        if name.startswith("notifications."):
            actors[name](**kwargs)
            ran += 1
    jobs.clear()
    return ran


def _set_language(member: Any, language: str) -> None:
    with unit_of_work() as session:
        accounts.set_language(session=session, ctx=member.ctx, language=language)


def test_invitation_arrives_in_the_inviters_language_with_a_working_accept_link(
    smtp_inbox: Inbox, actors: Any, queued: Jobs
) -> None:
    owner = register_owner(workspace="Acme Vendas")
    _set_language(owner, "en")
    with unit_of_work() as session:
        accounts.invite(
            session=session, ctx=owner.ctx, data=InviteIn(email="New.Person@Example.com", role="agent")
        )
    assert run_notifications(queued, actors) == 1
    [mail] = smtp_inbox.messages
    assert mail.to == ["new.person@example.com"]
    assert mail.subject == "Olivia Owner invited you to Acme Vendas on SnapLeads"
    assert "as Agent" in mail.body()
    link = mail.link("/accept-invite?token=")
    assert link.startswith("http://localhost:3000/accept-invite?token=")
    with unit_of_work() as session:
        preview = accounts.get_invitation(session=session, token=link.split("token=", 1)[1])
    assert preview.workspace_name == "Acme Vendas" and preview.status == "pending"


def test_invitation_to_an_existing_user_uses_their_language(
    smtp_inbox: Inbox, actors: Any, queued: Jobs
) -> None:
    owner = register_owner(workspace="Um")
    other = register_owner(email="bruno@example.com", workspace="Dois")  # language pt-BR (default)
    _set_language(owner, "en")
    with unit_of_work() as session:
        accounts.invite(session=session, ctx=owner.ctx, data=InviteIn(email=other.email, role="manager"))
    run_notifications(queued, actors)
    [mail] = smtp_inbox.to("bruno@example.com")
    assert mail.subject == "Olivia Owner convidou você para Um no SnapLeads"
    assert "como Gerente" in mail.body()
    assert "Aceitar o convite" in mail.body("html")


def test_password_reset_email_has_a_one_hour_link_in_the_users_language(
    smtp_inbox: Inbox, actors: Any, queued: Jobs
) -> None:
    owner = register_owner(email="ana@example.com")
    with unit_of_work() as session:
        notifications.request_password_reset(session=session, email="ANA@example.com")
    run_notifications(queued, actors)
    [mail] = smtp_inbox.messages
    assert mail.to == ["ana@example.com"] and mail.subject == "Redefina sua senha do SnapLeads"
    assert "60 minutos" in mail.body()
    token = mail.link("/reset-password?token=").split("token=", 1)[1]
    with unit_of_work() as session:
        assert notifications.check_reset_token(session=session, token=token).email == owner.email


def test_import_finished_reaches_the_importer_with_counts_and_link(
    smtp_inbox: Inbox, actors: Any, queued: Jobs
) -> None:
    owner = register_owner()
    _set_language(owner, "en")
    batch = [
        {"platform": "instagram", "username": "ana"},
        {"platform": "instagram", "username": "ana"},
        {"platform": "instagram", "username": "bia", "email": "not-an-email"},
        {"platform": "linkedin", "profile_url": "https://www.linkedin.com/in/caio"},
    ]
    with unit_of_work() as session:
        job = imports.create_batch_job(session=session, ctx=owner.ctx, data=BatchImportIn(leads=batch))  # type: ignore[arg-type]
    queued.clear()  # the imports.run job: run it in process instead
    runner.run(job.id)
    assert run_notifications(queued, actors) == 1
    [mail] = smtp_inbox.to(owner.email)
    assert mail.subject == "Your import is done: 2 new leads"
    body = mail.body()
    assert "- New leads: 2" in body and "- Duplicates: 1" in body and "- Errors: 1" in body
    assert mail.link(f"/imports?job={job.id}")


def test_lead_assigned_notifies_the_assignee_but_not_a_self_assignment(
    smtp_inbox: Inbox, actors: Any, queued: Jobs
) -> None:
    owner = register_owner()
    agent = add_member(owner, "agent")
    lead = make_lead(owner, full_name="Carla <Dias>", company="Loja & Cia")
    queued.clear()
    with unit_of_work() as session:
        leads.assign_lead(session=session, ctx=owner.ctx, lead_id=lead.id, assignee_id=agent.user_id)
    with unit_of_work() as session:
        leads.assign_lead(
            session=session, ctx=owner.ctx, lead_id=make_lead(owner).id, assignee_id=owner.user_id
        )
    run_notifications(queued, actors)
    assert [m.to for m in smtp_inbox.messages] == [[agent.email]]
    mail = smtp_inbox.messages[0]
    assert mail.subject == "Novo lead atribuído a você: Carla <Dias>"
    assert "Carla &lt;Dias&gt;" in mail.body("html") and "Loja &amp; Cia" in mail.body("html")
    assert mail.link(f"/leads?lead={lead.id}")


def test_a_turned_off_preference_sends_nothing(smtp_inbox: Inbox, actors: Any, queued: Jobs) -> None:
    owner = register_owner()
    agent = add_member(owner, "agent")
    with unit_of_work() as session:
        notifications.update_preferences(
            session=session, ctx=agent.ctx, data=PreferencesUpdate(lead_assigned=False)
        )
    lead = make_lead(owner)
    queued.clear()
    with unit_of_work() as session:
        leads.assign_lead(session=session, ctx=owner.ctx, lead_id=lead.id, assignee_id=agent.user_id)
    assert run_notifications(queued, actors) == 1  # the job ran …
    assert smtp_inbox.messages == []  # … and chose not to send


def test_reset_and_assignment_emails_follow_the_recipients_language_not_the_senders(
    smtp_inbox: Inbox, actors: Any, queued: Jobs
) -> None:
    owner = register_owner(email="rui@example.com")  # pt-BR (the default)
    agent = add_member(owner, "agent", "eve@example.com")
    _set_language(agent, "en")
    lead = make_lead(owner, full_name="Davi Melo")
    queued.clear()
    with unit_of_work() as session:
        leads.assign_lead(session=session, ctx=owner.ctx, lead_id=lead.id, assignee_id=agent.user_id)
    with unit_of_work() as session:
        notifications.request_password_reset(session=session, email=agent.email)
    with unit_of_work() as session:
        notifications.request_password_reset(session=session, email=owner.email)
    assert run_notifications(queued, actors) == 3
    assigned, reset = smtp_inbox.to(agent.email)
    assert assigned.subject == "New lead assigned to you: Davi Melo"
    assert assigned.link(f"/leads?lead={lead.id}")
    assert reset.subject == "Reset your SnapLeads password" and "60 minutes" in reset.body()
    assert reset.link("/reset-password?token=")
    [owners] = smtp_inbox.to(owner.email)
    assert owners.subject == "Redefina sua senha do SnapLeads"
    assert owners.link("/reset-password?token=") != reset.link("/reset-password?token=")


# ---------------------------------------------------------------- new messages: the batching rule


def _message(actors: Any, member: Any, conversation_id: int, preview: str) -> None:
    actors["notifications.new_message"](
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        conversation_id=conversation_id,
        lead_name="Dora Lima",
        preview=preview,
    )


@pytest.fixture
def flushes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Delayed flush jobs the actor schedules (their delay is real time; the tests move the clock)."""
    import workers.actors as module

    scheduled: list[dict[str, Any]] = []
    monkeypatch.setattr(
        module.flush_messages,
        "send_with_options",
        lambda **options: scheduled.append(options),
    )
    return scheduled


def test_new_message_batching_one_email_per_conversation_per_ten_minutes(
    smtp_inbox: Inbox, actors: Any, flushes: list[dict[str, Any]]
) -> None:
    owner = register_owner()
    agent = add_member(owner, "agent")
    _message(actors, agent, 7, "Oi, tudo bem?")
    assert len(smtp_inbox.messages) == 1 and flushes == []
    first = smtp_inbox.messages[0]
    assert first.to == [agent.email] and first.subject == "Nova mensagem de Dora Lima"
    assert first.link("/inbox?conversation=7")

    clock.advance(60)
    _message(actors, agent, 7, "Pode me ligar?")
    clock.advance(60)
    _message(actors, agent, 7, "<b>Urgente</b>")
    _message(actors, agent, 8, "Outra conversa")  # another conversation has its own window
    assert len(smtp_inbox.messages) == 2
    assert [f["kwargs"] for f in flushes] == [{"user_id": agent.user_id, "conversation_id": 7}]  # once
    assert 8 * 60 * 1000 <= flushes[0]["delay"] <= 9 * 60 * 1000 + 1000

    actors["notifications.flush_messages"](user_id=agent.user_id, conversation_id=7)  # too early
    assert len(smtp_inbox.messages) == 2
    clock.advance(8 * 60)
    actors["notifications.flush_messages"](user_id=agent.user_id, conversation_id=7)
    actors["notifications.flush_messages"](user_id=agent.user_id, conversation_id=7)  # a duplicate flush
    folded = smtp_inbox.messages[2:]
    assert len(folded) == 1
    assert folded[0].subject == "2 mensagens novas de Dora Lima"
    assert "Pode me ligar?" in folded[0].body() and "&lt;b&gt;Urgente&lt;/b&gt;" in folded[0].body("html")

    # The follow-up opened a new window: a message right after it waits again.
    _message(actors, agent, 7, "Mais uma")
    assert len(smtp_inbox.messages) == 3
    clock.advance(10 * 60)
    _message(actors, agent, 7, "E outra")  # window over: sent at once, with the folded one
    assert len(smtp_inbox.messages) == 4 and smtp_inbox.messages[3].subject.startswith("2 mensagens")


def test_a_lead_message_in_the_inbox_emails_the_conversations_assignee(
    smtp_inbox: Inbox, actors: Any, queued: Jobs, flushes: list[dict[str, Any]]
) -> None:
    """From the inbox to the SMTP server: the inbox enqueues the job, the actor sends the e-mail."""
    from snapleads_app.domain.inbox import service as inbox
    from snapleads_app.domain.inbox.models import InboundIn

    owner = register_owner()
    agent = add_member(owner, "agent")
    _set_language(agent, "en")
    assigned = make_lead(owner, full_name="Lia Prado", assignee_id=agent.user_id)
    unassigned = make_lead(owner, full_name="Ugo Reis")
    queued.clear()
    with unit_of_work() as session:
        received = inbox.receive_inbound(
            session=session, ctx=owner.ctx, data=InboundIn(lead_id=assigned.id, body="Can we talk\ntomorrow?")
        )
    with unit_of_work() as session:
        inbox.receive_inbound(
            session=session, ctx=owner.ctx, data=InboundIn(lead_id=unassigned.id, body="Hi")
        )
    assert [k for name, k in queued if name == "notifications.new_message"] == [
        {
            "workspace_id": owner.workspace_id,
            "user_id": agent.user_id,
            "conversation_id": received.conversation_id,
            "lead_name": "Lia Prado",
            "preview": "Can we talk\ntomorrow?",
        }
    ]  # nobody is e-mailed about an unassigned conversation
    run_notifications(queued, actors)
    [mail] = smtp_inbox.messages
    assert mail.to == [agent.email] and mail.subject == "New message from Lia Prado"
    assert "> Can we talk tomorrow?" in mail.body()
    assert mail.link(f"/inbox?conversation={received.conversation_id}")
    assert flushes == []


def test_new_message_respects_preferences_and_membership(
    smtp_inbox: Inbox, actors: Any, flushes: list[dict[str, Any]]
) -> None:
    owner = register_owner()
    agent = add_member(owner, "agent")
    stranger = register_owner(workspace="Other")
    with unit_of_work() as session:
        notifications.update_preferences(
            session=session, ctx=agent.ctx, data=PreferencesUpdate(new_message=False)
        )
    _message(actors, agent, 1, "hello")
    _message(
        actors, type("M", (), {"workspace_id": owner.workspace_id, "user_id": stranger.user_id})(), 1, "x"
    )
    assert smtp_inbox.messages == [] and flushes == []


# ---------------------------------------------------------------- delivery failures


def test_a_refused_recipient_gives_up_and_an_unreachable_server_retries(
    smtp_inbox: Inbox, actors: Any, queued: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = register_owner()
    with unit_of_work() as session:
        accounts.invite(
            session=session, ctx=owner.ctx, data=InviteIn(email="x@refused.example.com", role="agent")
        )
    run_notifications(queued, actors)  # permanent: logged, no exception, no retry
    assert smtp_inbox.messages == []

    with unit_of_work() as session:
        accounts.invite(session=session, ctx=owner.ctx, data=InviteIn(email="y@example.com", role="agent"))
    from snapleads_app.core.settings import get_settings
    from tests.smtp_inbox import free_port

    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nobody listens there
    get_settings.cache_clear()
    with pytest.raises(MailDeliveryError) as info:
        run_notifications(queued, actors)
    assert info.value.permanent is False


def test_without_smtp_the_file_backend_writes_the_email(
    tmp_path: Any, actors: Any, queued: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from snapleads_app.core.settings import get_settings

    monkeypatch.setenv("SMTP_HOST", "")
    monkeypatch.setenv("MAIL_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        register_owner(email="file@example.com")
        with unit_of_work() as session:
            notifications.request_password_reset(session=session, email="file@example.com")
        [kwargs] = [k for name, k in queued if name == "notifications.password_reset"]
        actors["notifications.password_reset"](reset_id=kwargs["reset_id"], token="forged")
        assert list(tmp_path.glob("*.eml")) == []  # a job whose token does not match sends nothing
        run_notifications(queued, actors)
        [eml] = list(tmp_path.glob("*.eml"))
        parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert parsed["To"] == "file@example.com"
        text = parsed.get_body(preferencelist=("plain",))
        assert text is not None and f"/reset-password?token={kwargs['token']}" in text.get_content()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
