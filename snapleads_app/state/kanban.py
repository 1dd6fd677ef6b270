"""Kanban board: one column per stage of the chosen pipeline, lazily paged, moves via `move_lead`.

Drops arrive as {"lead_id", "stage_id", "after_id", "before_id"} (components/dnd.py computes the
neighbours from the pointer); the card moves on screen at once and the service decides the position.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import DomainError
from snapleads_app.domain.accounts import rules
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadFilter
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.pipelines.models import PipelinePublic
from snapleads_app.domain.tags.models import TagPublic
from snapleads_app.state.base import error_message, guarded, run_service
from snapleads_app.state.leads import LeadRow, Option, lead_row, load_lookups
from snapleads_app.state.realtime_leads import LeadsLiveState, observe_change, remember_own, start_live
from snapleads_app.state.session import SessionState

COLUMN_PAGE = 20
MAX_COLUMN = 100


@dataclasses.dataclass
class KanbanColumn:
    stage_id: str = ""
    name: str = ""
    color: str = ""
    status: str = ""
    total: int = 0
    has_more: bool = False
    loading: bool = False
    cards: list[LeadRow] = dataclasses.field(default_factory=list)


class KanbanState(SessionState):
    pipelines: rx.Field[list[Option]] = rx.field(default_factory=list)
    pipeline_id: rx.Field[str] = rx.field("")
    board: rx.Field[list[KanbanColumn]] = rx.field(default_factory=list)
    search: rx.Field[str] = rx.field("")
    loading: rx.Field[bool] = rx.field(True)
    can_edit: rx.Field[bool] = rx.field(False)
    _positions: dict[str, float] = {}  # noqa: RUF012 - lead id → position (for "load more")
    _tags: dict[int, TagPublic] = {}  # noqa: RUF012
    _names: dict[int, str] = {}  # noqa: RUF012
    _live_seen: int = 0
    _own_changes: dict[str, float] = {}  # noqa: RUF012

    @rx.var
    def stage_options(self) -> list[Option]:
        return [Option(value=c.stage_id, label=c.name, color=c.color) for c in self.board]

    def _filters(self) -> LeadFilter:
        return LeadFilter(search=self.search.strip()[:100] or None)

    async def _column_cards(
        self, ctx: Ctx, stage_id: int, limit: int, after: float | None = None
    ) -> tuple[list[LeadRow], int, bool]:
        cards, total = await run_service(
            leads.kanban_column,
            ctx=ctx,
            stage_id=stage_id,
            limit=limit,
            after_position=after,
            filters=self._filters(),
        )
        for lead in cards:
            self._positions[str(lead.id)] = lead.position
        rows = [lead_row(lead, self._tags, self._names) for lead in cards]
        return rows, total, len(cards) == limit

    async def _load_board(self, ctx: Ctx, pipeline: PipelinePublic, *, lookups: bool = True) -> None:
        self.loading = True
        try:
            if lookups:
                self._tags, self._names, _, _ = await load_lookups(ctx)
            self._positions = {}
            board = []
            for stage in pipeline.stages:
                cards, total, _ = await self._column_cards(ctx, stage.id, COLUMN_PAGE)
                board.append(
                    KanbanColumn(
                        stage_id=str(stage.id),
                        name=stage.name,
                        color=stage.color,
                        status=stage.status or "",
                        total=total,
                        has_more=total > len(cards),
                        cards=cards,
                    )
                )
            self.board = board
        finally:
            self.loading = False

    async def _reload_columns(self, ctx: Ctx, stage_ids: set[str]) -> None:
        board = list(self.board)
        for index, column in enumerate(board):
            if column.stage_id not in stage_ids:
                continue
            limit = min(MAX_COLUMN, max(COLUMN_PAGE, len(column.cards)))
            cards, total, _ = await self._column_cards(ctx, int(column.stage_id), limit)
            board[index] = dataclasses.replace(column, cards=cards, total=total, has_more=total > len(cards))
        self.board = board

    async def _pipeline(self, ctx: Ctx) -> PipelinePublic | None:
        found = await run_service(pipelines.list_pipelines, ctx=ctx)
        self.pipelines = [Option(value=str(p.id), label=p.name) for p in found]
        chosen = next((p for p in found if str(p.id) == self.pipeline_id), found[0] if found else None)
        self.pipeline_id = str(chosen.id) if chosen else ""
        return chosen

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        # Every change numbered up to here is in what this load reads; later ones make live_changed catch up.
        self._live_seen = await start_live(self, ctx.workspace_id)
        self.can_edit = rules.can(ctx.role, "leads.edit_assigned")
        pipeline = await self._pipeline(ctx)
        if pipeline is not None:
            await self._load_board(ctx, pipeline)
        return LeadsLiveState.link

    @rx.event
    @guarded
    async def set_pipeline(self, pipeline_id: str):
        self.pipeline_id = str(pipeline_id)
        ctx = await self._ctx()
        pipeline = await self._pipeline(ctx)
        if pipeline is not None:
            await self._load_board(ctx, pipeline, lookups=False)

    @rx.event
    @guarded
    async def set_search(self, value: str):
        self.search = str(value)[:100]
        ctx = await self._ctx()
        await self._reload_columns(ctx, {c.stage_id for c in self.board})

    @rx.event
    @guarded
    async def load_more(self, stage_id: str):
        ctx = await self._ctx()
        board = list(self.board)
        for index, column in enumerate(board):
            if column.stage_id != stage_id or not column.cards:
                continue
            after = self._positions.get(column.cards[-1].id)
            more, total, _ = await self._column_cards(ctx, int(stage_id), COLUMN_PAGE, after)
            known = {c.id for c in column.cards}
            cards = [*column.cards, *[c for c in more if c.id not in known]]
            board[index] = dataclasses.replace(column, cards=cards, total=total, has_more=total > len(cards))
        self.board = board

    # ------------------------------------------------------------ moves

    def _apply_locally(self, lead_id: str, stage_id: str, after_id: str, before_id: str) -> str | None:
        """Move the card on screen; returns the stage it came from (None if the card is not shown)."""
        board = [dataclasses.replace(c, cards=list(c.cards)) for c in self.board]
        source = next((c for c in board if any(card.id == lead_id for card in c.cards)), None)
        target = next((c for c in board if c.stage_id == stage_id), None)
        if source is None or target is None:
            return None
        card = next(card for card in source.cards if card.id == lead_id)
        source.cards = [c for c in source.cards if c.id != lead_id]
        index = len(target.cards)
        ids = [c.id for c in target.cards]
        if after_id in ids:
            index = ids.index(after_id) + 1
        elif before_id in ids:
            index = ids.index(before_id)
        target.cards.insert(index, card)
        if source is not target:
            source.total = max(0, source.total - 1)
            target.total += 1
            if target.status:
                card.status = target.status
        card.stage_id = stage_id
        self.board = board
        return source.stage_id

    @rx.event
    @guarded
    async def drop(self, info: dict[str, Any]):
        lead_id = str(info.get("lead_id") or "")
        stage_id = str(info.get("stage_id") or "")
        after_id = str(info.get("after_id") or "")
        before_id = str(info.get("before_id") or "")
        if not lead_id.isdigit() or not stage_id.isdigit():
            return None
        return await self._move(lead_id, stage_id, after_id, before_id)

    @rx.event
    @guarded
    async def move_to_stage(self, lead_id: str, stage_id: str):
        """Keyboard/menu fallback: the card goes to the end of the stage's column."""
        column = next((c for c in self.board if c.stage_id == stage_id), None)
        after_id = ""
        if column is not None and column.cards and not column.has_more:
            after_id = column.cards[-1].id
        return await self._move(str(lead_id), str(stage_id), after_id, "")

    async def _move(self, lead_id: str, stage_id: str, after_id: str, before_id: str):
        ctx = await self._ctx()
        current = next((c for c in self.board if any(card.id == lead_id for card in c.cards)), None)
        if current is not None and current.stage_id == stage_id:
            ids = [c.id for c in current.cards]
            index = ids.index(lead_id)
            above = ids[index - 1] if index > 0 else ""
            below = ids[index + 1] if index + 1 < len(ids) else ""
            if (after_id or "") == above and (before_id or "") == below:
                return None  # dropped where it was
        after_id = "" if after_id == lead_id else after_id
        before_id = "" if before_id == lead_id else before_id
        source_stage = self._apply_locally(lead_id, stage_id, after_id, before_id)
        self._own_changes = remember_own(self._own_changes, [lead_id])
        try:
            moved = await run_service(
                leads.move_lead,
                ctx=ctx,
                lead_id=int(lead_id),
                data=leads.MoveIn(
                    stage_id=int(stage_id),
                    after_id=int(after_id) if after_id.isdigit() else None,
                    before_id=int(before_id) if before_id.isdigit() else None,
                ),
            )
        except DomainError as exc:
            await self._reload_columns(ctx, {stage_id, source_stage or ""})
            return rx.toast.error(error_message(exc, self.lang), duration=6000)
        self._positions[lead_id] = moved.position
        return None

    # ------------------------------------------------------------ live

    @rx.event
    @guarded
    async def live_changed(self, version: int):
        action, change = await observe_change(self, version)
        if action == "skip" or not self.board:
            return
        ctx = await self._ctx()
        shown = {c.stage_id for c in self.board}
        if action == "partial" and change.get("stages"):
            stages = set(change["stages"].split(","))
            # A lead that left the board (deleted, another pipeline) may still be shown elsewhere.
            stages |= {
                c.stage_id
                for c in self.board
                for card in c.cards
                if card.id in change.get("ids", "").split(",")
            }
            await self._reload_columns(ctx, stages & shown)
        else:
            await self._reload_columns(ctx, shown)
