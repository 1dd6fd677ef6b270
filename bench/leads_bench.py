"""Leads at scale: 1 M leads in one workspace (+100 k in a second), list/search/filter/Kanban/move timings.

    .venv/bin/python bench/leads_bench.py [--rows 1000000] [--rows2 100000] [--keep] [-n 100]

What it does (one run):
1. (Re)creates the database `snapleads_bench` (`--keep` reuses it when it already holds the same seed),
   runs `alembic upgrade head`, registers two owners through the accounts service, creates the default
   pipelines through the pipelines service, 20 tags per workspace, then COPYs the leads and lead_tag
   rows straight into the tables (values as the services would write them), rebuilds the Alembic
   indexes, and runs VACUUM ANALYZE.
2. Starts the REST API under uvicorn in a subprocess (bench/support/leads_server.py; rate limits off)
   and sends every query sequentially with httpx (keep-alive), warm-up first, then `-n` timed requests:
   server time = the `Server-Timing: app;dur=` header, client time = the round trip.
3. Captures the SQL each request sends (SQLAlchemy `before_cursor_execute` in this process, via an
   in-process TestClient call) and replays exactly those statements with psycopg on one connection
   (`prepare_threshold=None`, like the app), `-n` times: the "raw" time of the same request.
4. Prints a table, writes bench/results/leads_latest.txt with the figures and the
   EXPLAIN (ANALYZE, BUFFERS) of every statement that reads `lead`/`lead_tag`.

A benchmark, not a test: it prints figures and never fails on a missed target (exit 0).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform as pyplatform
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PASSWORD = "Bench-Password-2026"  # noqa: S105 - throwaway users of a throwaway database
SEED_VERSION = 5  # bump when the generator changes: --keep then reseeds
RESULTS = ROOT / "bench" / "results" / "leads_latest.txt"

# ---------------------------------------------------------------- data distributions

PLATFORMS = [  # realistic capture mix of the extension
    ("instagram", 45),
    ("linkedin", 20),
    ("facebook", 12),
    ("tiktok", 9),
    ("twitter", 6),
    ("whatsapp", 6),
    ("other", 2),
]
STATUSES = [  # funnel: most leads stay new
    ("new", 40),
    ("contacted", 24),
    ("responded", 12),
    ("qualified", 8),
    ("scheduled", 5),
    ("closed", 5),
    ("lost", 6),
]
SOURCES = [("extension", 72), ("csv", 18), ("manual", 8), ("api", 2)]
FIRST = [
    "ana",
    "maria",
    "joao",
    "jose",
    "pedro",
    "lucas",
    "gabriel",
    "rafael",
    "mateus",
    "gustavo",
    "felipe",
    "bruno",
    "carlos",
    "paulo",
    "marcos",
    "luiz",
    "fernanda",
    "juliana",
    "camila",
    "beatriz",
    "larissa",
    "leticia",
    "amanda",
    "bruna",
    "patricia",
    "aline",
    "vanessa",
    "renata",
    "carolina",
    "mariana",
    "isabela",
    "laura",
    "sofia",
    "helena",
    "alice",
    "valentina",
    "daniel",
    "rodrigo",
    "thiago",
    "diego",
    "eduardo",
    "leonardo",
    "vinicius",
    "andre",
    "ricardo",
    "marcelo",
    "fabio",
    "roberto",
    "antonio",
    "francisco",
    "sergio",
    "claudia",
    "sandra",
    "priscila",
    "tatiana",
    "adriana",
    "debora",
    "monica",
    "raquel",
    "simone",
    "natalia",
    "michael",
    "david",
    "john",
    "sarah",
    "emily",
    "james",
    "robert",
    "jennifer",
    "linda",
    "william",
    "olivia",
    "emma",
    "noah",
    "liam",
]
LAST = [  # (surname, weight) — Brazilian distribution: silva is very common
    ("silva", 110),
    ("santos", 70),
    ("oliveira", 50),
    ("souza", 45),
    ("rodrigues", 35),
    ("ferreira", 33),
    ("alves", 30),
    ("pereira", 30),
    ("lima", 28),
    ("gomes", 26),
    ("costa", 25),
    ("ribeiro", 24),
    ("martins", 22),
    ("carvalho", 21),
    ("almeida", 20),
    ("lopes", 18),
    ("soares", 17),
    ("fernandes", 16),
    ("vieira", 15),
    ("barbosa", 15),
    ("rocha", 14),
    ("dias", 13),
    ("nascimento", 13),
    ("andrade", 12),
    ("moreira", 12),
    ("nunes", 11),
    ("marques", 11),
    ("machado", 10),
    ("mendes", 10),
    ("freitas", 10),
    ("cardoso", 9),
    ("ramos", 9),
    ("goncalves", 9),
    ("santana", 8),
    ("teixeira", 8),
    ("moura", 7),
    ("campos", 7),
    ("cunha", 6),
    ("pinto", 6),
    ("monteiro", 6),
    ("smith", 5),
    ("johnson", 4),
    ("brown", 4),
    ("miller", 3),
    ("garcia", 5),
    ("martinez", 3),
    ("schmidt", 2),
    ("muller", 2),
    ("tanaka", 2),
    ("yamamoto", 1),
    ("kowalski", 1),
    ("nakamura", 1),
]
COMPANY_WORDS = [
    "alpha",
    "nova",
    "prime",
    "digital",
    "solar",
    "verde",
    "azul",
    "norte",
    "sul",
    "central",
    "global",
    "smart",
    "tech",
    "agro",
    "vida",
    "bem",
    "mais",
    "forte",
    "rapido",
    "clube",
    "studio",
    "casa",
    "loja",
    "moda",
    "beleza",
    "saude",
    "fit",
    "food",
    "bistro",
    "academia",
    "educa",
    "consult",
    "invest",
    "imob",
    "auto",
    "pet",
    "kids",
    "design",
    "arte",
    "foto",
    "eventos",
    "viagens",
    "turismo",
    "logistica",
]
COMPANY_SUFFIX = ["ltda", "sa", "me", "eireli", "co", "group", "brasil", "store", "hub", "labs"]
EMAIL_DOMAINS = [
    ("gmail.com", 45),
    ("hotmail.com", 18),
    ("outlook.com", 10),
    ("yahoo.com.br", 7),
    ("company", 20),
]
CITIES = [
    "Sao Paulo",
    "Rio de Janeiro",
    "Belo Horizonte",
    "Curitiba",
    "Porto Alegre",
    "Salvador",
    "Recife",
    "Fortaleza",
    "Brasilia",
    "Campinas",
    "Florianopolis",
    "Goiania",
    "Manaus",
    "Belem",
    "Vitoria",
    "Natal",
    "Lisboa",
    "Porto",
    "Miami",
    "New York",
]
HEADLINES = [
    "Founder & CEO",
    "Marketing Manager",
    "Sales Director",
    "Personal trainer",
    "Nutricionista",
    "Designer",
    "Fotografo",
    "Advogado",
    "Dentista",
    "Corretor de imoveis",
    "Consultora de beleza",
    "Software engineer",
    "Product manager",
    "Coach",
    "Influencer",
    "Chef",
    "Arquiteta",
    "Psicologa",
]
TAGS = [  # 20 tags, Zipf-like usage (the first ones on many leads, the last on very few)
    ("follow-up", "#f59e0b"),
    ("hot", "#ef4444"),
    ("instagram-ads", "#8b5cf6"),
    ("warm", "#f97316"),
    ("b2b", "#3b82f6"),
    ("newsletter", "#06b6d4"),
    ("vip", "#eab308"),
    ("event-2026", "#22c55e"),
    ("referral", "#14b8a6"),
    ("cold", "#64748b"),
    ("partner", "#0ea5e9"),
    ("webinar", "#a855f7"),
    ("black-friday", "#111827"),
    ("reactivation", "#84cc16"),
    ("influencer", "#ec4899"),
    ("enterprise", "#1d4ed8"),
    ("churn-risk", "#dc2626"),
    ("beta-tester", "#10b981"),
    ("press", "#6b7280"),
    ("investor", "#7c3aed"),
]
TAGS_PER_LEAD = [(0, 35), (1, 34), (2, 18), (3, 9), (4, 4)]
RARE_COMPANY = "Zorbatech Robotics"  # on ~15 leads of the big workspace: the "rare term" search
RARE_COMPANY_COUNT = 15


def _cum(weights: list[tuple[Any, int]]) -> tuple[list[Any], list[float]]:
    values = [v for v, _ in weights]
    total = sum(w for _, w in weights)
    acc, out = 0.0, []
    for _, w in weights:
        acc += w / total
        out.append(acc)
    return values, out


# ---------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def dsn(db: str) -> str:
    return f"host=127.0.0.1 port=5432 user=postgres dbname={db}"


def sa_url(db: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"


# ---------------------------------------------------------------- database + seed


def database_state(db: str) -> dict[str, Any] | None:
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone() is None:
            return None
    try:
        with psycopg.connect(dsn(db)) as conn:
            row = conn.execute("SELECT info FROM bench_meta WHERE id = 1").fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def recreate_database(db: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    migrate(db)


def migrate(db: str) -> None:
    env = {**os.environ, "DATABASE_URL": sa_url(db)}
    subprocess.run(  # noqa: S603 - our own alembic, fixed arguments
        [str(ROOT / ".venv" / "bin" / "alembic"), "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def drop_database(db: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@dataclass
class WorkspaceSeed:
    email: str
    workspace_id: int
    owner_id: int
    member_ids: list[int]
    pipeline_id: int
    stage_ids: dict[str, int]  # status -> stage id
    tag_ids: list[int]  # in TAGS order


def create_accounts(n_workspaces: int) -> list[WorkspaceSeed]:
    """Owners through the accounts service, default pipelines through the pipelines service."""
    from sqlalchemy import text

    from snapleads_app.core import tasks
    from snapleads_app.core.db import unit_of_work
    from snapleads_app.domain.accounts import service as accounts
    from snapleads_app.domain.accounts.models import ClientInfo, RegisterIn
    from snapleads_app.domain.pipelines import service as pipelines

    # No worker here: the signup job (an audit row) is dropped — it does not touch leads.
    tasks.install_sender(lambda job, kwargs: None)
    seeds = []
    for w in range(n_workspaces):
        email = f"owner{w + 1}@bench.snapleads.dev"
        with unit_of_work() as session:
            tokens = accounts.register(
                session=session,
                data=RegisterIn(
                    email=email,
                    password=PASSWORD,
                    full_name=f"Bench Owner {w + 1}",
                    workspace_name=f"Bench workspace {w + 1}",
                    language="pt-BR",
                ),
                client=ClientInfo(ip="127.0.0.1", user_agent="leads_bench"),
            )
        ws = tokens.workspace_id
        with unit_of_work() as session:
            pipeline = pipelines.ensure_default_pipeline(session=session, workspace_id=ws)
            owner_id = session.execute(
                text("SELECT user_id FROM membership WHERE workspace_id = :w AND role = 'owner'"), {"w": ws}
            ).scalar_one()
            # A small team to assign leads to (agents; rows as the invitation flow leaves them).
            member_ids = [owner_id]
            for k in range(4):
                uid = session.execute(
                    text(
                        "INSERT INTO app_user (email, full_name, language, is_active, created_at) "
                        "VALUES (:e, :n, 'pt-BR', true, now()) RETURNING id"
                    ),
                    {"e": f"agent{k + 1}.ws{w + 1}@bench.snapleads.dev", "n": f"Agent {k + 1}"},
                ).scalar_one()
                session.execute(
                    text(
                        "INSERT INTO membership (workspace_id, user_id, role, created_at) "
                        "VALUES (:w, :u, 'agent', now())"
                    ),
                    {"w": ws, "u": uid},
                )
                member_ids.append(uid)
            stages = session.execute(
                text("SELECT status, id FROM stage WHERE pipeline_id = :p"), {"p": pipeline.id}
            ).all()
            tag_ids = []
            for name, color in TAGS:
                tag_ids.append(
                    session.execute(
                        text(
                            "INSERT INTO tag (workspace_id, name, color, lead_count, created_at) "
                            "VALUES (:w, :n, :c, 0, now()) RETURNING id"
                        ),
                        {"w": ws, "n": name, "c": color},
                    ).scalar_one()
                )
            seeds.append(
                WorkspaceSeed(
                    email=email,
                    workspace_id=ws,
                    owner_id=owner_id,
                    member_ids=member_ids,
                    pipeline_id=pipeline.id or 0,
                    stage_ids=dict(stages),
                    tag_ids=tag_ids,
                )
            )
    return seeds


LEAD_COLUMNS = (
    "id",
    "workspace_id",
    "platform",
    "profile_key",
    "username",
    "full_name",
    "profile_url",
    "avatar_url",
    "bio",
    "email",
    "phone",
    "website",
    "location",
    "company",
    "headline",
    "followers",
    "following",
    "posts",
    "verified",
    "status",
    "pipeline_id",
    "stage_id",
    "position",
    "assignee_id",
    "notes",
    "source",
    "source_url",
    "custom_fields",
    "search_text",
    "last_interaction_at",
    "created_by_id",
    "created_at",
    "updated_at",
    "deleted_at",
)


def profile_templates() -> dict[str, str]:
    """URL templates exactly as normalise.canonical_profile builds them from a handle."""
    from snapleads_app.domain.leads import normalise

    out = {}
    for plat, _ in PLATFORMS:
        probe = "5500000000001" if plat == "whatsapp" else "probe.handle_x"
        prof = normalise.canonical_profile(plat, None, probe)
        assert prof.key == probe.lower(), prof
        out[plat] = (prof.url or "").replace(probe, "{}") if prof.url else ""
    return out


def generate(
    ws: WorkspaceSeed, rows: int, first_id: int, rng: random.Random, rare: int
) -> tuple[io.StringIO, io.StringIO, io.StringIO, dict[int, int], dict[str, Any]]:
    """TSV for COPY into lead, lead_tag and lead_score; tag counts of live leads; a few facts for the queries."""
    templates = profile_templates()
    plat_v, plat_c = _cum(PLATFORMS)
    stat_v, stat_c = _cum(STATUSES)
    src_v, src_c = _cum(SOURCES)
    last_v, last_c = _cum(LAST)
    dom_v, dom_c = _cum(EMAIL_DOMAINS)
    ntag_v, ntag_c = _cum(TAGS_PER_LEAD)
    tag_weights = [1 / (k + 1) ** 1.25 for k in range(len(TAGS))]
    tag_v, tag_c = _cum(
        [(t, w) for t, w in zip(ws.tag_ids, [int(x * 10000) for x in tag_weights], strict=True)]
    )
    from bisect import bisect_left

    def pick(values: list[Any], cum: list[float]) -> Any:
        return values[min(bisect_left(cum, rng.random()), len(values) - 1)]

    companies = [
        f"{rng.choice(COMPANY_WORDS).title()} {rng.choice(COMPANY_WORDS).title()} {rng.choice(COMPANY_SUFFIX).title()}"
        for _ in range(3000)
    ]
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365)
    span = 365 * 86400
    # Growth: more captures recently (sqrt spread), sorted so ids and positions follow creation time.
    offsets = sorted(span * math.sqrt(rng.random()) for _ in range(rows))
    rare_rows = set(rng.sample(range(rows), rare)) if rare else set()
    position_next = dict.fromkeys(ws.stage_ids.values(), 0.0)
    lead_buf, tag_buf, score_buf = io.StringIO(), io.StringIO(), io.StringIO()
    lead_w, tag_w, score_w = lead_buf.write, tag_buf.write, score_buf.write
    tag_counts = dict.fromkeys(ws.tag_ids, 0)
    n_deleted = 0
    members = ws.member_ids
    for i in range(rows):
        lead_id = first_id + i
        plat = pick(plat_v, plat_c)
        status = pick(stat_v, stat_c)
        stage_id = ws.stage_ids[status]
        position_next[stage_id] += 1024.0
        first = rng.choice(FIRST)
        last = pick(last_v, last_c)
        full_name = f"{first.title()} {last.title()}"
        seq = format(lead_id, "x")
        if plat == "whatsapp":
            handle = f"55{rng.randint(11, 99)}9{lead_id:08d}"
        else:
            handle = f"{first}{rng.choice(('.', '_', ''))}{last}{seq}"
        profile_url = templates[plat].format(handle) if templates[plat] else "\\N"
        created = start + timedelta(seconds=offsets[i])
        updated = created + timedelta(seconds=rng.random() * (now - created).total_seconds() * 0.3)
        company = RARE_COMPANY if i in rare_rows else (rng.choice(companies) if rng.random() < 0.55 else None)
        email = None
        if rng.random() < 0.5:
            dom = pick(dom_v, dom_c)
            if dom == "company":
                dom = (company or rng.choice(companies)).split(" ")[0].lower() + ".com.br"
            email = f"{first}.{last}{seq}@{dom}"
        phone = (
            f"+55{rng.randint(11, 99)}9{rng.randint(10000000, 99999999)}"
            if plat == "whatsapp" or rng.random() < 0.25
            else None
        )
        search_text = " ".join(p.lower() for p in (full_name, handle, company, email) if p)[:1000]
        followers = int(rng.lognormvariate(6.5, 1.6)) if plat != "whatsapp" else None
        deleted = None
        if rng.random() < 0.002:
            deleted = (updated + timedelta(hours=1)).isoformat()
            n_deleted += 1
        last_inter = (created + timedelta(days=rng.random() * 30)).isoformat() if status != "new" else "\\N"
        assignee = members[rng.randrange(len(members))] if rng.random() < 0.6 else None
        lead_w(
            "\t".join(
                (
                    str(lead_id),
                    str(ws.workspace_id),
                    plat,
                    handle.lower(),
                    handle,
                    full_name,
                    profile_url,
                    "\\N",
                    f"{rng.choice(HEADLINES)} em {rng.choice(CITIES)}" if rng.random() < 0.4 else "\\N",
                    email or "\\N",
                    phone or "\\N",
                    f"https://{(company or 'site').split(' ')[0].lower()}{seq}.com.br"
                    if rng.random() < 0.15
                    else "\\N",
                    rng.choice(CITIES) if rng.random() < 0.6 else "\\N",
                    company or "\\N",
                    rng.choice(HEADLINES) if rng.random() < 0.5 else "\\N",
                    str(followers) if followers is not None else "\\N",
                    str(int(rng.lognormvariate(5.5, 1.2))) if followers is not None else "\\N",
                    str(int(rng.lognormvariate(4, 1.3))) if followers is not None else "\\N",
                    "t" if rng.random() < 0.03 else "f",
                    status,
                    str(ws.pipeline_id),
                    str(stage_id),
                    repr(position_next[stage_id]),
                    str(assignee) if assignee else "\\N",
                    "\\N",
                    pick(src_v, src_c),
                    "\\N",
                    "{}",
                    search_text,
                    last_inter,
                    str(ws.owner_id),
                    created.isoformat(),
                    updated.isoformat(),
                    deleted or "\\N",
                )
            )
            + "\n"
        )
        # The score lives in lead_score (every lead has its row; explanation empty = not computed).
        score_w(
            f"{lead_id}\t{ws.workspace_id}\t{min(100, int(rng.betavariate(2, 5) * 100))}\t{{}}\t0\t{created.isoformat()}\n"
        )
        n_tags = pick(ntag_v, ntag_c)
        if n_tags:
            chosen: set[int] = set()
            while len(chosen) < n_tags:
                chosen.add(pick(tag_v, tag_c))
            created_iso = created.isoformat()
            for t in chosen:
                tag_w(f"{lead_id}\t{t}\t{created_iso}\n")
                if deleted is None:
                    tag_counts[t] += 1
    lead_buf.seek(0)
    tag_buf.seek(0)
    score_buf.seek(0)
    return lead_buf, tag_buf, score_buf, tag_counts, {"deleted": n_deleted}


def seed(db: str, rows: int, rows2: int) -> dict[str, Any]:
    import psycopg

    t0 = time.perf_counter()
    log(f"creating database {db} + alembic upgrade head")
    recreate_database(db)
    seeds = create_accounts(2 if rows2 else 1)
    rng = random.Random(20261125)
    timings: dict[str, float] = {}
    with psycopg.connect(dsn(db)) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        # Keep the exact Alembic index DDL, drop the secondary indexes, load, rebuild (faster than
        # maintaining 11 indexes, trigram GIN included, row by row).
        index_ddl = [
            r[0]
            for r in conn.execute(
                "SELECT indexdef FROM pg_indexes i WHERE tablename IN ('lead', 'lead_tag', 'lead_score') AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            )
        ]
        for (name,) in conn.execute(
            "SELECT indexname FROM pg_indexes i WHERE tablename IN ('lead', 'lead_tag', 'lead_score') AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ).fetchall():
            conn.execute(f'DROP INDEX "{name}"')
        # Consistent by construction: skip the per-row FK triggers during the load (superuser only).
        conn.execute("SET session_replication_role = replica")
        next_id = 1
        for ws, n, rare in (
            (seeds[0], rows, RARE_COMPANY_COUNT),
            *(((seeds[1], rows2, 0),) if rows2 else ()),
        ):
            t = time.perf_counter()
            lead_buf, tag_buf, score_buf, tag_counts, _facts = generate(ws, n, next_id, rng, rare)
            timings[f"generate ws{ws.workspace_id}"] = time.perf_counter() - t
            t = time.perf_counter()
            with conn.cursor() as cur:
                with cur.copy(f"COPY lead ({', '.join(LEAD_COLUMNS)}) FROM STDIN") as copy:
                    while chunk := lead_buf.read(8 << 20):
                        copy.write(chunk)
                with cur.copy("COPY lead_tag (lead_id, tag_id, lead_created_at) FROM STDIN") as copy:
                    while chunk := tag_buf.read(8 << 20):
                        copy.write(chunk)
                score_columns = "lead_id, workspace_id, score, points, rules_version, computed_at"
                with cur.copy(f"COPY lead_score ({score_columns}) FROM STDIN") as copy:
                    while chunk := score_buf.read(8 << 20):
                        copy.write(chunk)
                for tag_id, count in tag_counts.items():
                    cur.execute("UPDATE tag SET lead_count = %s WHERE id = %s", (count, tag_id))
            timings[f"copy ws{ws.workspace_id}"] = time.perf_counter() - t
            log(f"workspace {ws.workspace_id}: {n:,} leads generated+copied")
            next_id += n
        conn.execute("SET session_replication_role = origin")
        conn.execute("SELECT setval(pg_get_serial_sequence('lead', 'id'), %s)", (next_id - 1,))
        conn.commit()
        t = time.perf_counter()
        for ddl in index_ddl:
            conn.execute(ddl)
            conn.commit()
        timings["create indexes"] = time.perf_counter() - t
        log(f"{len(index_ddl)} indexes rebuilt in {timings['create indexes']:.1f} s")
        conn.execute("CREATE TABLE bench_meta (id int PRIMARY KEY, info jsonb NOT NULL)")
        info = {
            "seed_version": SEED_VERSION,
            "rows": rows,
            "rows2": rows2,
            "workspaces": [ws.__dict__ for ws in seeds],
            "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seed_seconds": None,
            "timings": timings,
        }
        conn.execute("INSERT INTO bench_meta VALUES (1, %s)", (json.dumps(info),))
        conn.commit()
    with psycopg.connect(dsn(db), autocommit=True) as conn:
        t = time.perf_counter()
        # What autovacuum would have done by the time a workspace holds a million leads: statistics and
        # the visibility map (index-only scans).
        conn.execute("VACUUM (ANALYZE) lead")
        conn.execute("VACUUM (ANALYZE) lead_tag")
        conn.execute("VACUUM (ANALYZE) lead_score")
        conn.execute("VACUUM (ANALYZE) tag")
        conn.execute("VACUUM (ANALYZE) stage")
        timings["vacuum analyze"] = time.perf_counter() - t
        info["timings"] = timings
        info["seed_seconds"] = round(time.perf_counter() - t0, 1)
        conn.execute("UPDATE bench_meta SET info = %s WHERE id = 1", (json.dumps(info),))
    log(f"seeded in {info['seed_seconds']} s: {timings}")
    return info


# ---------------------------------------------------------------- queries


@dataclass
class Query:
    name: str
    method: str
    path: str
    params: list[tuple[str, Any]] = field(default_factory=list)
    body: Any = None  # dict, or a callable(iteration) -> dict for alternating moves
    target_ms: float | None = 25.0  # None: reference row, no target
    ratio_target: float | None = 1.5
    note: str = ""
    # filled in
    app: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    db_n: int = 0
    raw: list[float] = field(default_factory=list)
    raw_main: list[float] = field(default_factory=list)
    statements: list[tuple[str, Any]] = field(default_factory=list)
    statements_alt: list[tuple[str, Any]] = field(default_factory=list)  # the move back (odd rounds)
    rows_returned: int = 0


def build_queries(db: str, info: dict[str, Any]) -> list[Query]:
    import psycopg

    from snapleads_app.domain.leads import repo

    ws = info["workspaces"][0]
    w = ws["workspace_id"]
    stages = ws["stage_ids"]
    tags = ws["tag_ids"]
    with psycopg.connect(dsn(db)) as conn:
        depth = info["rows"] // 2  # half-way down the listing
        created, lead_id = conn.execute(
            "SELECT created_at, id FROM lead WHERE workspace_id = %s AND deleted_at IS NULL "
            "ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1",
            (w, depth),
        ).fetchone()
        tag_counts = dict(
            conn.execute("SELECT id, lead_count FROM tag WHERE workspace_id = %s", (w,)).fetchall()
        )
        column = lambda status, n: [  # noqa: E731
            r[0]
            for r in conn.execute(
                "SELECT id FROM lead WHERE stage_id = %s AND deleted_at IS NULL ORDER BY position, id LIMIT %s",
                (stages[status], n),
            )
        ]
        new_cards, contacted_cards = column("new", 3), column("contacted", 2)
        stage_sizes = dict(
            conn.execute(
                "SELECT status, count(*) FROM lead WHERE workspace_id = %s AND deleted_at IS NULL GROUP BY status",
                (w,),
            ).fetchall()
        )
    cursor = repo.encode_cursor("-created", created, lead_id)
    card, c_above, c_below = new_cards[0], new_cards[1], new_cards[2]
    k_above, k_below = contacted_cards

    def move_body(i: int) -> dict[str, Any]:
        # Alternate: top of "contacted" (between its first two cards) and back to "new" (between the
        # cards that were 2nd and 3rd) — a stage change + status change every time, like a drag.
        if i % 2 == 0:
            return {"stage_id": stages["contacted"], "after_id": k_above, "before_id": k_below}
        return {"stage_id": stages["new"], "after_id": c_above, "before_id": c_below}

    rare_tag, common_tag = tags[-1], tags[0]
    return [
        Query(
            "baseline: GET /tags (20 rows, no lead query)",
            "GET",
            "/api/v1/tags",
            target_ms=None,
            ratio_target=None,
            note="fixed cost of an authenticated request",
        ),
        Query(
            "list linkedin+qualified (1st page)",
            "GET",
            "/api/v1/leads",
            [("platform", "linkedin"), ("status", "qualified"), ("limit", 50)],
        ),
        Query(
            "list 2 platforms+2 statuses",
            "GET",
            "/api/v1/leads",
            [
                ("platform", "instagram"),
                ("platform", "tiktok"),
                ("status", "contacted"),
                ("status", "responded"),
                ("limit", 50),
            ],
            note="extra: repeatable filters (IN lists)",
        ),
        Query(
            f"deep cursor page (~{depth // 1000}k down)",
            "GET",
            "/api/v1/leads",
            [("cursor", cursor), ("limit", 50)],
        ),
        Query(
            f"search rare ('zorbatech', {RARE_COMPANY_COUNT} rows)",
            "GET",
            "/api/v1/leads",
            [("search", "zorbatech"), ("limit", 50)],
        ),
        Query(
            "sort by score (-score, 1st page)",
            "GET",
            "/api/v1/leads",
            [("sort", "-score"), ("limit", 50)],
            note="extra: walks lead_score's (workspace_id, score, lead_id)",
        ),
        Query(
            "score filter (>= 80, hot band)",
            "GET",
            "/api/v1/leads",
            [("score_min", 80), ("limit", 50)],
            note="extra: a rare band (~0.2 % of leads), newest first",
        ),
        Query("search common ('silva')", "GET", "/api/v1/leads", [("search", "silva"), ("limit", 50)]),
        Query(
            "search medium ('renata')",
            "GET",
            "/api/v1/leads",
            [("search", "renata"), ("limit", 50)],
            note="extra: a first name (~1.2 % of rows)",
        ),
        Query(
            f"tag common ({TAGS[0][0]}, {tag_counts[common_tag]:,})",
            "GET",
            "/api/v1/leads",
            [("tags", common_tag), ("limit", 50)],
        ),
        Query(
            f"tag rare ({TAGS[-1][0]}, {tag_counts[rare_tag]:,})",
            "GET",
            "/api/v1/leads",
            [("tags", rare_tag), ("limit", 50)],
        ),
        Query(
            f"kanban 'new' column ({stage_sizes.get('new', 0):,} cards)",
            "GET",
            f"/api/v1/pipelines/stages/{stages['new']}/leads",
            [("limit", 50)],
        ),
        Query(
            f"kanban 'scheduled' column ({stage_sizes.get('scheduled', 0):,})",
            "GET",
            f"/api/v1/pipelines/stages/{stages['scheduled']}/leads",
            [("limit", 50)],
            note="extra: a small column",
        ),
        Query(
            "card move (new <-> contacted)",
            "POST",
            f"/api/v1/leads/{card}/move",
            body=move_body,
            target_ms=20.0,
            ratio_target=None,
        ),
    ]


# ---------------------------------------------------------------- auth


class Auth:
    def __init__(self, email: str) -> None:
        self.email = email
        self.token = ""
        self.issued: float | None = None  # not 0.0: monotonic() may be under 10 min on a fresh machine

    def header(self) -> dict[str, str]:
        if self.issued is None or time.monotonic() - self.issued > 10 * 60:  # access tokens live 15 min
            from snapleads_app.core.db import unit_of_work
            from snapleads_app.domain.accounts import service as accounts
            from snapleads_app.domain.accounts.models import ClientInfo, LoginIn

            with unit_of_work() as session:
                tokens = accounts.login(
                    session=session,
                    data=LoginIn(email=self.email, password=PASSWORD),
                    client=ClientInfo(ip="127.0.0.1", user_agent="leads_bench"),
                )
            self.token = tokens.access_token
            self.issued = time.monotonic()
        return {"Authorization": f"Bearer {self.token}"}


# ---------------------------------------------------------------- measurement


def capture_sql(queries: list[Query], auth: Auth) -> None:
    """Run each request once in-process and record the SQL (statement + parameters) it sends."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    import api_ext.middleware
    from api_ext.app import build_api
    from snapleads_app.core.db import get_engine

    api_ext.middleware.RATE_LIMIT_RULES = ()
    captured: list[tuple[str, Any]] = []
    recording = {"on": False}

    @event.listens_for(get_engine(), "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if recording["on"]:
            captured.append((statement, parameters))

    with TestClient(build_api()) as client:
        for q in queries:
            body = q.body(0) if callable(q.body) else q.body
            headers = auth.header()  # may log in: not part of the request's SQL
            captured.clear()
            recording["on"] = True
            resp = client.request(q.method, q.path, params=q.params, json=body, headers=headers)
            recording["on"] = False
            if resp.status_code >= 400:
                raise SystemExit(f"{q.name}: HTTP {resp.status_code} {resp.text[:300]}")
            q.statements = list(captured)
            if callable(
                q.body
            ):  # the move back: captured too, and the card is where the timed run expects it
                headers = auth.header()
                captured.clear()
                recording["on"] = True
                client.request(q.method, q.path, json=q.body(1), headers=headers)
                recording["on"] = False
                q.statements_alt = list(captured)
    event.remove(get_engine(), "before_cursor_execute", _record)


def main_statement(q: Query) -> int:
    """Index of the statement that reads the most from lead (the listing query itself)."""
    for i, (sql, _) in enumerate(q.statements):
        if "FROM lead" in sql and "LIMIT" in sql and "lead.id = %(id_1)s" not in sql:
            return i
    return 0


class RawRunner:
    """Replays a request's captured statements with psycopg: same SQL, same parameters, one connection,
    no prepared statements (like the app), one transaction. A write request (the card move) replays the
    statements of the move the API just made, so it rewrites the same values and commits like the app
    (the WAL flush of the commit is part of both figures)."""

    def __init__(self, db: str) -> None:
        import psycopg

        self.conn = psycopg.connect(dsn(db), prepare_threshold=None)

    def run(self, q: Query, main: int, i: int = 0) -> tuple[float, float]:
        statements = q.statements_alt if q.statements_alt and i % 2 == 1 else q.statements
        main_ms = 0.0
        t = time.perf_counter()
        with self.conn.cursor() as cur:
            for k, (sql, params) in enumerate(statements):
                ts = time.perf_counter()
                cur.execute(sql, params)
                if cur.description is not None:
                    cur.fetchall()
                if k == main:
                    main_ms = (time.perf_counter() - ts) * 1000
        self.conn.commit()
        return (time.perf_counter() - t) * 1000, main_ms

    def close(self) -> None:
        self.conn.close()


def measure(base: str, db: str, queries: list[Query], auth: Auth, n: int, warmup: int) -> None:
    """Per query: warm-up, then n rounds of (one API request, one raw replay) — interleaved so that
    background load on the machine hits both sides alike."""
    import httpx

    raw = RawRunner(db)
    with httpx.Client(base_url=base, timeout=30) as client:
        for q in queries:
            main = main_statement(q)
            total = warmup + n
            for i in range(total):
                body = q.body(i) if callable(q.body) else q.body
                headers = auth.header()
                t = time.perf_counter()
                resp = client.request(q.method, q.path, params=q.params, json=body, headers=headers)
                elapsed = (time.perf_counter() - t) * 1000
                if resp.status_code >= 400:
                    raise SystemExit(f"{q.name}: HTTP {resp.status_code} {resp.text[:300]}")
                raw_ms, main_ms = raw.run(q, main, i)
                if i < warmup:
                    continue
                timing = resp.headers["server-timing"]  # app;dur=12.34
                q.app.append(float(timing.split("dur=")[1]))
                q.client.append(elapsed)
                db_ms, db_n = resp.headers.get("x-bench-db", "0;n=0").split(";n=")
                q.db.append(float(db_ms))
                q.db_n = int(db_n)
                q.raw.append(raw_ms)
                q.raw_main.append(main_ms)
                if i == total - 1:
                    data = resp.json()
                    q.rows_returned = len(data["data"]) if isinstance(data, dict) and "data" in data else 1
            if callable(q.body) and total % 2 == 1:  # leave the card in its original column
                client.request(q.method, q.path, json=q.body(total), headers=auth.header())
            log(
                f"{q.name}: app p50 {pct(q.app, 50):.2f} p95 {pct(q.app, 95):.2f} | "
                f"raw p50 {pct(q.raw, 50):.2f} p95 {pct(q.raw, 95):.2f} ms ({len(q.statements)} statements)"
            )
    raw.close()


def cpu_reference_ms() -> float:
    """A fixed pure-Python loop (best of 5, ms): the same machine type runs from ≈ 8 to ≈ 16 ms depending
    on the host, and every figure of this report scales with it; compare runs with this in mind."""
    import timeit

    return min(timeit.repeat("sum(range(10**6))", number=10, repeat=5)) / 10 * 1000


def wait_for_quiet(max_wait: float, threshold: float) -> str:
    """Other work on a 2-core machine skews tails: wait (bounded) for a calm 1-minute load average."""
    deadline = time.monotonic() + max_wait
    load = os.getloadavg()[0]
    while load > threshold and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return f"{load:.2f}"


def alternatives(db: str, queries: list[Query], info: dict[str, Any], n: int) -> str:
    """Raw timings of the query shapes suggested for the misses, on the same data (evidence only)."""
    import psycopg

    by_name = {q.name.split(" (")[0]: q for q in queries}
    deep = by_name["deep cursor page"]
    deep_sql, deep_params = deep.statements[main_statement(deep)]
    tag_rare = next(q for q in queries if q.name.startswith("tag rare"))
    tag_sql, tag_params = tag_rare.statements[main_statement(tag_rare)]
    ws = info["workspaces"][0]
    cases: list[tuple[str, list[str], str, Any]] = [
        # The app now pages with the row comparison (created_at, id) < (v, i): its own shape is the fix.
        ("deep cursor, app shape", [], deep_sql, deep_params),
        ("tag rare, app shape (EXISTS), parallel plan allowed", [], tag_sql, tag_params),
        (
            "tag rare, app shape, max_parallel_workers_per_gather = 0",
            ["SET LOCAL max_parallel_workers_per_gather = 0"],
            tag_sql,
            tag_params,
        ),
        (
            "kanban count 'new', app shape (workspace_id + stage_id)",
            [],
            "SELECT count(*) FROM lead WHERE workspace_id = %(w)s AND deleted_at IS NULL AND stage_id = %(s)s",
            {"w": ws["workspace_id"], "s": ws["stage_ids"]["new"]},
        ),
        (
            "kanban count 'new', stage_id only (index-only scan)",
            [],
            "SELECT count(*) FROM lead WHERE deleted_at IS NULL AND stage_id = %(s)s",
            {"s": ws["stage_ids"]["new"]},
        ),
        (
            "kanban count, kept counter (read of one row)",
            [],
            "SELECT lead_count FROM tag WHERE id = %(t)s",
            {"t": ws["tag_ids"][0]},
        ),
    ]
    lines = [f"{'shape':<66} {'n':>4} {'p50':>8} {'p95':>8}"]
    with psycopg.connect(dsn(db), prepare_threshold=None) as conn:
        for name, setup, sql, params in cases:
            times = []
            for i in range(n + 3):
                t = time.perf_counter()
                for line in setup:
                    conn.execute(line)
                conn.execute(sql, params).fetchall()
                conn.rollback()
                if i >= 3:
                    times.append((time.perf_counter() - t) * 1000)
            lines.append(f"{name[:66]:<66} {n:>4} {pct(times, 50):>8.2f} {pct(times, 95):>8.2f}")
    return "\n".join(lines)


def explain(db: str, queries: list[Query]) -> str:
    import psycopg

    out = io.StringIO()
    with psycopg.connect(dsn(db), prepare_threshold=None) as conn:
        for q in queries:
            out.write(f"\n{'=' * 100}\n{q.name}\n{q.method} {q.path} {q.params if q.params else ''}\n")
            for k, (sql, params) in enumerate(q.statements):
                one_line = " ".join(sql.split())
                reads_leads = (" lead" in one_line or "lead_tag" in one_line) and (
                    "FROM lead" in one_line or "UPDATE lead" in one_line or "FROM lead_tag" in one_line
                )
                out.write(f"\n-- [{k + 1}/{len(q.statements)}] {compact_sql(one_line, reads_leads)}\n")
                out.write(f"-- params: {_short(params)}\n")
                if not reads_leads:
                    continue
                rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
                out.write("\n".join(r[0] for r in rows) + "\n")
                conn.rollback()
    return out.getvalue()


def compact_sql(one_line: str, full: bool) -> str:
    """The statement for the report: the 35-column select list of lead shortened; others cut."""
    one_line = re.sub(r"SELECT (lead\.\w+, )+lead\.\w+ FROM", "SELECT lead.<all 35 columns> FROM", one_line)
    return one_line[:3000] if full else one_line[:160] + (" ..." if len(one_line) > 160 else "")


def _short(params: Any) -> str:
    if isinstance(params, dict):
        text = ", ".join(f"{k}={str(v)[:60]}" for k, v in params.items())
        return text[:400] + (" ..." if len(text) > 400 else "")
    return str(params)[:300]


# ---------------------------------------------------------------- report


def table(queries: list[Query]) -> str:
    """Two ratios against the raw replay: `sql x` = the statements' time inside the app (db p95) over
    the same statements raw (the issue's "the same SQL run raw"); `req x` = the whole server time."""
    head = (
        f"{'query':<44} {'n':>4} {'app p50':>8} {'app p95':>8} {'app p99':>8} {'cli p95':>8} "
        f"{'db p50':>7} {'db p95':>7} {'stm':>3} {'raw p50':>8} {'raw p95':>8} {'sql x':>6} {'req x':>6}  "
        f"{'target':<20} verdict (time / sql x / req x)"
    )
    lines = [head, "-" * len(head)]
    for q in queries:
        app95, raw95, db95 = pct(q.app, 95), pct(q.raw, 95), pct(q.db, 95)
        ratio = app95 / raw95 if raw95 else float("inf")
        sql_ratio = db95 / raw95 if raw95 else float("inf")
        ok_time = q.target_ms is None or app95 <= q.target_ms
        if q.target_ms is None:
            target, verdict = "(reference)", "-"
        elif q.ratio_target is None:
            target = f"p95<={q.target_ms:.0f}ms"
            verdict = "time ok" if ok_time else "time NO"
        else:
            target = f"p95<={q.target_ms:.0f}ms, <={q.ratio_target}x"
            verdict = " / ".join(
                f"{label} {'ok' if ok else 'NO'}"
                for label, ok in (
                    ("time", ok_time),
                    ("sql", sql_ratio <= q.ratio_target),
                    ("req", ratio <= q.ratio_target),
                )
            )
        lines.append(
            f"{q.name[:44]:<44} {len(q.app):>4} {pct(q.app, 50):>8.2f} {app95:>8.2f} {pct(q.app, 99):>8.2f} "
            f"{pct(q.client, 95):>8.2f} {pct(q.db, 50):>7.2f} {db95:>7.2f} {len(q.statements):>3} "
            f"{pct(q.raw, 50):>8.2f} {raw95:>8.2f} {sql_ratio:>6.2f} {ratio:>6.2f}  {target:<20} {verdict}"
        )
    return "\n".join(lines)


def breakdown(queries: list[Query]) -> str:
    lines = [
        f"{'query':<44} {'app p50':>8} {'db p50':>7} {'other p50':>9} {'raw main p50':>12} {'raw main p95':>12}  rows",
    ]
    for q in queries:
        other = [a - d for a, d in zip(q.app, q.db, strict=True)]
        lines.append(
            f"{q.name[:44]:<44} {pct(q.app, 50):>8.2f} {pct(q.db, 50):>7.2f} {pct(other, 50):>9.2f} "
            f"{pct(q.raw_main, 50):>12.2f} {pct(q.raw_main, 95):>12.2f}  {q.rows_returned}"
        )
    return "\n".join(lines)


def wait_for(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"API server exited with {proc.returncode}")
        try:
            httpx.get(base + "/api/v1/health", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("API server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="leads in the big workspace")
    parser.add_argument("--rows2", type=int, default=100_000, help="leads in the second workspace (0: none)")
    parser.add_argument("--db", default="snapleads_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database; reuse it if already seeded")
    parser.add_argument("-n", "--iterations", type=int, default=100, help="timed requests per query (>= 50)")
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--quiet-wait", type=float, default=120, help="max seconds to wait for load < 1")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = sa_url(args.db)
    os.environ.setdefault("ENVIRONMENT", "development")
    os.environ.pop("REDIS_URL", None)  # in-memory event bus / broker stub in both processes
    started = time.perf_counter()

    state = database_state(args.db)
    wanted = {"seed_version": SEED_VERSION, "rows": args.rows, "rows2": args.rows2}
    if args.keep and state and all(state.get(k) == v for k, v in wanted.items()):
        log(f"reusing {args.db} (seeded {state['seeded_at']}, {state['seed_seconds']} s); migrating to head")
        migrate(args.db)  # a reused database may predate the newest migration
        info = state
    else:
        info = seed(args.db, args.rows, args.rows2)

    auth = Auth(info["workspaces"][0]["email"])
    queries = build_queries(args.db, info)
    log("capturing the SQL of each request (in-process TestClient)")
    capture_sql(queries, auth)

    base = f"http://127.0.0.1:{args.port}"
    server_log_path = Path(tempfile.gettempdir()) / f"leads_bench_server_{args.port}.log"
    server_log = server_log_path.open("wb")
    proc = subprocess.Popen(  # noqa: S603 - this interpreter and our own script
        [sys.executable, str(ROOT / "bench" / "support" / "leads_server.py"), str(args.port)],
        cwd=ROOT,
        env={**os.environ},
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(base, proc)
        log(
            f"API under uvicorn (pid {proc.pid}) at {base}; {args.warmup} warm-up + {args.iterations} timed each"
        )
        load_before = wait_for_quiet(args.quiet_wait, 1.0)
        measure(base, args.db, queries, auth, args.iterations, args.warmup)
        load_after = f"{os.getloadavg()[0]:.2f}"
    finally:
        proc.terminate()
        proc.wait(10)
        server_log.close()
    log("timing the suggested query shapes (raw)")
    alt = alternatives(args.db, queries, info, max(20, args.iterations // 3))
    plans = explain(args.db, queries)

    import psycopg

    with psycopg.connect(dsn(args.db)) as conn:
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('lead')), pg_size_pretty(pg_relation_size('lead')), "
            "(SELECT count(*) FROM lead), (SELECT count(*) FROM lead_tag), current_setting('server_version'), "
            "current_setting('shared_buffers'), current_setting('work_mem')"
        ).fetchone()
    header = (
        f"SnapLeads leads benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"machine: {os.cpu_count()} cores, {pyplatform.platform()}, Python {pyplatform.python_version()}, "
        f"PostgreSQL {sizes[4]} (shared_buffers {sizes[5]}, work_mem {sizes[6]})\n"
        f"data: {sizes[2]:,} leads ({args.rows:,} in workspace {info['workspaces'][0]['workspace_id']} + "
        f"{args.rows2:,} in a second one), {sizes[3]:,} lead_tag rows; lead table {sizes[1]} "
        f"({sizes[0]} with indexes); seeded {info['seeded_at']} in {info['seed_seconds']} s\n"
        f"app: FastAPI (api_ext.build_api) under uvicorn, 1 worker, subprocess; rate limits off "
        f"(api_ext.middleware.RATE_LIMIT_RULES = ()); REDIS_URL unset (in-memory bus); client httpx keep-alive, "
        f"sequential; API request and raw replay interleaved\n"
        f"cpu reference (sum(range(10**6)), best of 5): {cpu_reference_ms():.1f} ms\n"
        f"load average (1 min) at start/end of the timed part: {load_before} / {load_after} "
        f"(other work on the machine inflates tails)\n"
        f"app = Server-Timing app;dur (server time), cli = client round trip, db = time inside the DB driver "
        f"during the request (stm = statements per request, auth included), raw = the same statements "
        f"replayed with psycopg (prepare_threshold=None), sql x = db p95 / raw p95 (the app's SQL against the "
        f"same SQL raw), req x = app p95 / raw p95 (the whole request against the raw SQL). Times in ms; "
        f"{args.warmup} warm-up + {args.iterations} timed requests per query.\n"
    )
    report = (
        header
        + "\n"
        + table(queries)
        + "\n\nWhere the server time goes (p50, ms):\n"
        + breakdown(queries)
        + "\n\nSuggested query shapes for the misses, raw on the same data (ms; the kept-counter row "
        "reads tag.lead_count as a stand-in for a stage counter):\n" + alt + "\n"
    )
    print("\n" + report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report + "\n\nEXPLAIN (ANALYZE, BUFFERS) of the captured statements\n" + plans)
    log(f"report written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    if not args.keep:
        drop_database(args.db)
        log(f"dropped {args.db} (use --keep to reuse it)")
    log(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
