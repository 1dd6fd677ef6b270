from __future__ import annotations

from snapleads_app import cli
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import ClientInfo, LoginIn


def test_seed_demo_is_idempotent_and_its_printed_login_works(capsys):
    cli.main(["seed-demo"])
    cli.main(["seed-demo"])
    out = capsys.readouterr().out
    assert out.count(cli.DEMO_EMAIL) == 2 and "already there" in out
    with unit_of_work() as session:
        tokens = accounts.login(
            session=session,
            data=LoginIn(email=cli.DEMO_EMAIL, password=cli.DEMO_PASSWORD),
            client=ClientInfo(),
        )
        ctx = accounts.authenticate_access_token(session=session, token=tokens.access_token)
        roles = sorted(m.role for m in accounts.list_members(session=session, ctx=ctx))
    assert roles == ["agent", "manager", "owner"]
    from snapleads_app.domain.leads import service as leads
    from snapleads_app.domain.leads.models import LeadFilter

    with unit_of_work() as session:
        page = leads.list_leads(session=session, ctx=ctx, filters=LeadFilter(), include_total=True)
    assert page.total == 40 and {lead.platform for lead in page.data} >= {"instagram", "linkedin"}


def test_seeding_leaves_the_process_job_sender_in_place() -> None:
    """The seed drops its own jobs but must not unplug the worker of the process it runs in (the
    embedded app and the browser tests seed in-process): jobs sent afterwards still arrive."""
    from snapleads_app.core import tasks

    sent: list[str] = []
    tasks.install_sender(lambda job, kwargs: sent.append(job))
    try:
        cli.seed_demo()
        assert sent == []  # the seed's own jobs were dropped
        with unit_of_work() as session:
            tasks.enqueue_after_commit(session, "after.seed")
        assert sent == ["after.seed"]
    finally:
        tasks.install_sender(lambda job, kwargs: None)
