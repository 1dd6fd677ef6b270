"""Command line for operators: `python -m snapleads_app.cli seed-demo`."""

from __future__ import annotations

import argparse
import sys

from snapleads_app.core import tasks
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import Conflict
from snapleads_app.domain.accounts import service as accounts
from snapleads_app.domain.accounts.models import AcceptInviteIn, ClientInfo, InviteIn, RegisterIn

DEMO_EMAIL = "demo@snapleads.dev"
DEMO_PASSWORD = "Demo12345"  # noqa: S105 - the published demo login of the embedded default
DEMO_TEAM = (
    ("marina@snapleads.dev", "Marina Manager", "manager"),
    ("artur@snapleads.dev", "Artur Agent", "agent"),
)


def seed_demo() -> None:
    """Create the demo workspace once; later runs only print the login."""
    tasks.install_sender(lambda job, kwargs: None)  # no worker here; the signup audit is not needed
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
        created = True
    except Conflict:
        created = False
    banner = "created" if created else "already there"
    print(f"\n  Demo workspace {banner}.\n  Log in with  {DEMO_EMAIL}  /  {DEMO_PASSWORD}\n", flush=True)


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
