"""Command line for operators: `python -m snapleads_app.cli seed-demo`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from snapleads_app.core import tasks
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Conflict
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import AcceptInviteIn, ClientInfo, InviteIn, RegisterIn, Role
from snapleads_app.domain.inbox import demo as inbox_demo
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadCreate
from snapleads_app.domain.tags import service as tags
from snapleads_app.domain.tags.models import TagIn

DEMO_EMAIL = "demo@snapleads.dev"
DEMO_PASSWORD = "Demo12345"  # noqa: S105 - the published demo login of the embedded default
DEMO_TEAM: tuple[tuple[str, str, Role], ...] = (
    ("marina@snapleads.dev", "Marina Manager", "manager"),
    ("artur@snapleads.dev", "Artur Agent", "agent"),
)


def seed_demo() -> None:
    """Create the demo workspace once; later runs only print the login."""
    with tasks.jobs_dropped():  # the signup audit and the seed's reactions are not needed
        _seed_demo()


def _seed_demo() -> None:
    try:
        with unit_of_work() as session:
            tokens = accounts.register(
                session=session,
                data=RegisterIn(
                    email=DEMO_EMAIL,
                    password=DEMO_PASSWORD,
                    full_name="Demo Owner",
                    workspace_name="Demo Workspace",
                    language="pt-BR",
                ),
                client=ClientInfo(kind="api"),
            )
            owner = accounts.authenticate_access_token(session=session, token=tokens.access_token)
            for email, name, role in DEMO_TEAM:
                invitation = accounts.invite(
                    session=session, ctx=owner, data=InviteIn(email=email, role=role)
                )
                accounts.accept_invitation(
                    session=session,
                    token=invitation.token,
                    data=AcceptInviteIn(full_name=name, password=DEMO_PASSWORD),
                    client=ClientInfo(),
                )
            _seed_leads(session, owner)
            inbox_demo.seed(session=session, ctx=owner)
        created = True
    except Conflict:
        created = False
    banner = "created" if created else "already there"
    print(f"\n  Demo workspace {banner}.\n  Log in with  {DEMO_EMAIL}  /  {DEMO_PASSWORD}\n", flush=True)


_FIRST = (
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elisa",
    "Fábio",
    "Gabriela",
    "Heitor",
    "Isabela",
    "João",
    "Karina",
    "Lucas",
    "Mariana",
    "Nicolas",
    "Olívia",
    "Paulo",
    "Queila",
    "Rafael",
    "Sofia",
    "Tiago",
)
_LAST = ("Silva", "Souza", "Oliveira", "Santos", "Lima", "Costa", "Pereira", "Almeida")
_COMPANIES = ("Padaria Pão Dourado", "Studio Fit", "Clínica Sorriso", "Açaí da Praia", "Loja Bella", None)
_PLATFORMS = ("instagram", "instagram", "linkedin", "facebook", "tiktok")
_STATUSES = (
    "new",
    "new",
    "new",
    "contacted",
    "contacted",
    "responded",
    "qualified",
    "scheduled",
    "closed",
    "lost",
)


def _seed_leads(session: Any, owner: Any) -> None:
    """Forty demo leads over platforms, stages and tags, so every page has something to show."""
    tag_ids = [
        tags.create_tag(session=session, ctx=owner, data=TagIn(name=name, color=color)).id
        for name, color in (("quente", "#ef4444"), ("evento SP", "#6366f1"), ("indicação", "#22c55e"))
    ]
    for i in range(40):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i * 3) % len(_LAST)]
        platform = _PLATFORMS[i % len(_PLATFORMS)]
        handle = f"{first}.{last}{i}".lower().replace("á", "a").replace("í", "i").replace("ã", "a")
        leads.create_lead(
            session=session,
            ctx=owner,
            data=LeadCreate(
                platform=platform,  # type: ignore[arg-type]
                username=handle.replace(".", "-") if platform == "linkedin" else handle,
                full_name=f"{first} {last}",
                company=_COMPANIES[i % len(_COMPANIES)],
                email=f"{handle}@example.com" if i % 3 else None,
                followers=(i * 7919) % 50_000,
                status=_STATUSES[i % len(_STATUSES)],  # type: ignore[arg-type]
                tag_ids=[tag_ids[i % 3]] if i % 4 else [],
                source="manual",
            ),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="snapleads")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("seed-demo", help="create the demo workspace and print its login")
    args = parser.parse_args(argv)
    if args.command == "seed-demo":
        seed_demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
