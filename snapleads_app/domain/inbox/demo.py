"""Demo inbox for the seeded workspace (`seed-demo`): templates and a few lively conversations spread
over the last days — unread ones, answered ones, one archived — so `make run` shows a real inbox."""

from __future__ import annotations

from sqlmodel import Session, col, select

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.domain.inbox import service
from snapleads_app.domain.inbox.models import Conversation, Direction, InboundIn, Message
from snapleads_app.domain.leads.models import Lead
from snapleads_app.domain.templates import service as templates
from snapleads_app.domain.templates.models import Category, TemplateIn

TEMPLATES: tuple[tuple[str, Category, str], ...] = (
    (
        "Primeiro contato",
        "outreach",
        "Oi {{first_name|tudo bem}}! Vi o trabalho da {{company|sua empresa}} e adorei.",
    ),
    (
        "Follow-up 3 dias",
        "follow_up",
        "{{first_name|Oi}}, conseguiu ver minha última mensagem? Posso te ligar amanhã?",
    ),
    ("Agendar reunião", "meeting", "Que tal uma conversa de 15 minutos esta semana, {{first_name}}?"),
)

# (hours ago, direction, text); conversations in order of the demo leads.
SCRIPTS: tuple[tuple[tuple[float, Direction, str], ...], ...] = (
    (
        (50, "outbound", "Oi Ana! Vi a Padaria Pão Dourado no Instagram, que capricho."),
        (49, "inbound", "Obrigada! Vocês fazem o quê exatamente?"),
        (26, "outbound", "Ajudamos padarias a vender pelo Instagram. Posso te mostrar em 15 min?"),
        (0.5, "inbound", "Pode ser amanhã às 10h?"),
        (0.2, "inbound", "Ah, e quanto custa?"),
    ),
    (
        (30, "outbound", "Bruno, tudo bem? Vi seu post sobre a Studio Fit."),
        (2, "inbound", "Tudo ótimo! Me conta mais."),
    ),
    (
        (72, "outbound", "Oi Carla! Posso te mandar uma proposta?"),
        (70, "inbound", "Pode sim, manda por aqui."),
        (69, "outbound", "Enviado! Qualquer dúvida me chama."),
    ),
    ((5, "inbound", "Vi o anúncio de vocês, ainda tem vaga para a demonstração?"),),
    ((100, "outbound", "Oi Elisa, tudo bem?"), (99, "inbound", "Não tenho interesse, obrigada.")),
)


def seed(*, session: Session, ctx: Ctx) -> None:
    for name, category, body in TEMPLATES:
        templates.create_template(
            session=session, ctx=ctx, data=TemplateIn(name=name, body=body, category=category)
        )
    lead_ids = list(
        session.exec(
            select(Lead.id)
            .where(col(Lead.workspace_id) == ctx.workspace_id)
            .order_by(col(Lead.id))
            .limit(len(SCRIPTS))
        )
    )
    for n, (lead_id, script) in enumerate(zip(lead_ids, SCRIPTS, strict=False)):
        for hours_ago, direction, text in script:
            clock.advance(-hours_ago * 3600)
            try:
                got = service.receive_inbound(
                    session=session,
                    ctx=ctx,
                    data=InboundIn(
                        lead_id=int(lead_id or 0),
                        body=text,
                        direction=direction,
                        external_id=f"demo-{n}-{hours_ago}",
                    ),
                )
            finally:
                clock.advance(hours_ago * 3600)
            if direction == "outbound":
                msg = session.get(Message, got.message.id)
                conv = session.get(Conversation, got.conversation_id)
                if msg is not None and conv is not None:
                    service.apply_status(
                        session=session, ctx=ctx, msg=msg, conv=conv, status="read" if n % 2 else "delivered"
                    )
    conversations = list(
        session.exec(select(Conversation).where(col(Conversation.workspace_id) == ctx.workspace_id))
    )
    for conv in conversations:
        if conv.last_message_direction == "outbound" or "obrigada" in conv.last_message_preview.lower():
            conv.unread_count = 0
            session.add(conv)
    last = next((c for c in conversations if "Não tenho interesse" in c.last_message_preview), None)
    if last is not None:
        service.archive(session=session, ctx=ctx, conversation_id=int(last.id or 0))
