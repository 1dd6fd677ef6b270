"""/inbox — conversation list, thread, composer with templates, lead side panel; updates live."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.lead_widgets import score_badge
from snapleads_app.components.live import watch
from snapleads_app.components.widgets import empty_state, options_select, search_input, visually_hidden
from snapleads_app.state.i18n import tr
from snapleads_app.state.inbox import PLATFORMS, InboxState
from snapleads_app.state.leads import STATUSES
from snapleads_app.state.realtime_inbox import InboxShared
from snapleads_app.state.session import SessionState
from snapleads_app.state.viewing import ConversationShared, ViewingState
from snapleads_app.views.leads_common import lead_avatar, platform_label, platform_tag, status_label

S = InboxState
BORDER = f"1px solid {rx.color('gray', 4)}"


def _delivery(status: Any) -> rx.Component:
    """A message's delivery status: an icon with its translated name (also for screen readers)."""
    icon = rx.match(
        status,
        ("pending", rx.icon("clock", size=12)),
        ("sent", rx.icon("check", size=12)),
        ("delivered", rx.icon("check_check", size=12)),
        ("read", rx.icon("check_check", size=12, color=rx.color("blue", 10))),
        ("failed", rx.icon("circle_alert", size=12, color=rx.color("red", 10))),
        rx.fragment(),
    )
    label = rx.match(
        status,
        *[(s, tr(f"inbox.status.{s}")) for s in ("pending", "sent", "delivered", "read", "failed")],
        status,
    )
    return rx.hstack(icon, rx.text(label, size="1"), spacing="1", align="center", data_status=status)


# ---------------------------------------------------------------- list


def _conversation_item(conv: Any) -> rx.Component:
    active = conv.id == S.selected_id
    return rx.el.button(
        rx.hstack(
            lead_avatar(conv.initials, conv.avatar_url),
            rx.vstack(
                rx.hstack(
                    rx.text(conv.name, weight="bold", size="2", trim="both", class_name="truncate"),
                    rx.spacer(),
                    rx.text(conv.when, size="1", color_scheme="gray"),
                    width="100%",
                    align="center",
                ),
                rx.hstack(
                    rx.cond(conv.outbound, rx.icon("corner_up_right", size=12, color=rx.color("gray", 9))),
                    rx.text(
                        conv.preview,
                        size="1",
                        color_scheme="gray",
                        style={"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap"},
                        flex="1",
                        data_testid="conversation-preview",
                    ),
                    rx.cond(
                        conv.unread > 0,
                        rx.badge(
                            conv.unread,
                            color_scheme="violet",
                            variant="solid",
                            radius="full",
                            data_testid="unread-badge",
                            aria_label=tr("inbox.unread_count", count=conv.unread),
                        ),
                    ),
                    width="100%",
                    align="center",
                    spacing="1",
                ),
                rx.hstack(
                    platform_tag(conv.platform),
                    rx.cond(conv.assignee != "", rx.text(conv.assignee, size="1", color_scheme="gray")),
                    spacing="2",
                    align="center",
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        on_click=S.select(conv.id),
        data_testid="conversation-item",
        data_conversation=conv.id,
        aria_current=rx.cond(active, "true", "false"),
        style={
            "all": "unset",
            "boxSizing": "border-box",
            "display": "block",
            "width": "100%",
            "padding": "0.6em 0.75em",
            "cursor": "pointer",
            "borderBottom": BORDER,
            "background": rx.cond(active, rx.color("violet", 3), "transparent"),
            "fontWeight": rx.cond(conv.unread > 0, "600", "400"),
            "&:hover": {"background": rx.color("gray", 3)},
            "&:focus-visible": {"outline": f"2px solid {rx.color('violet', 8)}"},
        },
    )


def _filters() -> rx.Component:
    return rx.vstack(
        search_input(S.search, S.set_search, tr("inbox.search"), "inbox-search", width="100%"),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(aria_label=tr("inbox.filter_status"), id="filter-status"),
                rx.select.content(
                    rx.select.item(tr("inbox.open"), value="open"),
                    rx.select.item(tr("inbox.archived"), value="archived"),
                    rx.select.item(tr("inbox.all"), value="all"),
                ),
                value=S.status_filter,
                on_change=S.set_status_filter,
                size="1",
            ),
            rx.select.root(
                rx.select.trigger(aria_label=tr("inbox.filter_platform"), id="filter-platform"),
                rx.select.content(
                    rx.select.item(tr("inbox.all_platforms"), value="all"),
                    *[rx.select.item(platform_label(p), value=p) for p in PLATFORMS],
                ),
                value=S.platform_filter,
                on_change=S.set_platform_filter,
                size="1",
            ),
            options_select(
                S.members,
                value=S.assignee_filter,
                on_change=S.set_assignee_filter,
                trigger={"aria_label": tr("inbox.filter_assignee"), "id": "filter-assignee"},
                first=(
                    rx.select.item(tr("inbox.everyone"), value="all"),
                    rx.select.item(tr("inbox.mine"), value="me"),
                    rx.select.item(tr("inbox.unassigned"), value="none"),
                ),
                size="1",
            ),
            spacing="1",
            wrap="wrap",
        ),
        rx.el.label(
            rx.hstack(
                rx.switch(checked=S.unread_only, on_change=S.toggle_unread, size="1", id="filter-unread"),
                rx.text(tr("inbox.unread_only"), size="1"),
                spacing="2",
                align="center",
            ),
        ),
        spacing="2",
        padding="0.75em",
        border_bottom=BORDER,
        width="100%",
    )


def _list_column() -> rx.Component:
    return rx.vstack(
        _filters(),
        rx.box(
            rx.cond(
                S.conversations.length() > 0,
                rx.fragment(
                    rx.foreach(S.conversations, _conversation_item),
                    rx.cond(
                        S.has_more_conversations,
                        rx.center(
                            rx.button(
                                tr("inbox.more"), variant="ghost", size="1", on_click=S.more_conversations
                            ),
                            padding="0.5em",
                        ),
                    ),
                ),
                rx.center(
                    rx.text(
                        rx.cond(S.loaded, tr("inbox.no_conversations"), tr("common.loading")),
                        color_scheme="gray",
                        size="2",
                    ),
                    padding="2em",
                ),
            ),
            overflow_y="auto",
            flex="1",
            width="100%",
            id="conversation-list",
            role="list",
        ),
        # Targets of the j/k shortcuts (also reachable for keyboard users).
        rx.el.button(
            visually_hidden(tr("inbox.next")),
            id="inbox-next",
            on_click=S.move(1),
            style={"position": "absolute", "left": "-9999px"},
        ),
        rx.el.button(
            visually_hidden(tr("inbox.previous")),
            id="inbox-prev",
            on_click=S.move(-1),
            style={"position": "absolute", "left": "-9999px"},
        ),
        spacing="0",
        width="22em",
        min_width="18em",
        border_right=BORDER,
        height="100%",
    )


# ---------------------------------------------------------------- thread


def _message(msg: Any) -> rx.Component:
    bubble = rx.box(
        rx.text(
            msg.body,
            size="2",
            style={"whiteSpace": "pre-wrap", "overflowWrap": "anywhere"},
            data_testid="message-body",
        ),
        rx.hstack(
            rx.cond(msg.is_template, rx.icon("file_text", size=12, color=rx.color("gray", 9))),
            rx.cond(msg.sender != "", rx.text(msg.sender, size="1", color_scheme="gray")),
            rx.text(msg.time, size="1", color_scheme="gray"),
            rx.cond(msg.outbound, _delivery(msg.status)),
            spacing="2",
            justify="end",
            align="center",
        ),
        rx.cond(
            msg.status == "failed",
            rx.hstack(
                rx.text(msg.error, size="1", color_scheme="red"),
                rx.button(
                    rx.icon("rotate_cw", size=12),
                    tr("inbox.retry"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.retry(msg.id),
                    disabled=~S.can_send,
                ),
                spacing="2",
                align="center",
            ),
        ),
        padding="0.5em 0.75em",
        border_radius="0.8em",
        max_width="70%",
        background=rx.cond(msg.outbound, rx.color("violet", 3), rx.color("gray", 3)),
        data_testid="message",
        data_message=msg.id,
        data_direction=rx.cond(msg.outbound, "outbound", "inbound"),
    )
    return rx.fragment(
        rx.cond(
            msg.day != "",
            rx.center(
                rx.badge(msg.day, variant="surface", color_scheme="gray", radius="full"),
                padding_y="0.5em",
                data_testid="day-separator",
            ),
        ),
        rx.flex(bubble, justify=rx.cond(msg.outbound, "end", "start"), width="100%"),
    )


def _live_message(entry: Any) -> rx.Component:
    """A message that reached this tab through the shared state before its own list caught up (it
    disappears from here in the same update that adds it to `S.messages`: never shown twice)."""
    outbound = entry["outbound"] == "1"
    return rx.cond(
        (entry["conversation_id"] == S.selected_id)
        & (entry["id"].to(int) > S.last_message_id)
        & (entry["at_ms"].to(int) > S.live_since_ms),
        rx.flex(
            rx.box(
                rx.text(
                    entry["body"],
                    size="2",
                    style={"whiteSpace": "pre-wrap", "overflowWrap": "anywhere"},
                    data_testid="message-body",
                ),
                rx.cond(outbound, rx.hstack(_delivery(entry["status"]), justify="end")),
                padding="0.5em 0.75em",
                border_radius="0.8em",
                max_width="70%",
                background=rx.cond(outbound, rx.color("violet", 3), rx.color("gray", 3)),
                data_testid="message",
                data_message=entry["id"],
                data_direction=rx.cond(outbound, "outbound", "inbound"),
            ),
            justify=rx.cond(outbound, "end", "start"),
            width="100%",
        ),
    )


def _viewer(viewer: Any) -> rx.Component:
    """Another user with this conversation open ("Ana is viewing"); never the user themself."""
    return rx.cond(
        (viewer["user_id"] != SessionState.user_id.to_string())
        & (ConversationShared.conversation_id == S.selected_id),
        rx.badge(
            rx.icon("eye", size=12),
            tr("inbox.viewing", name=viewer["name"]),
            color_scheme="green",
            variant="soft",
            radius="full",
            data_testid="viewing",
            data_user=viewer["user_id"],
        ),
    )


def _thread_header() -> rx.Component:
    conv = S.selected
    return rx.hstack(
        lead_avatar(conv.initials, conv.avatar_url),
        rx.vstack(
            rx.text(conv.name, weight="bold", id="thread-title"),
            rx.hstack(platform_tag(conv.platform), rx.badge(conv.channel, variant="outline"), spacing="2"),
            rx.hstack(
                rx.foreach(ConversationShared.viewers, _viewer),
                spacing="1",
                wrap="wrap",
                id="thread-viewers",
                aria_live="polite",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.cond(
            S.can_assign,
            options_select(
                S.members,
                value=conv.assignee_id,
                on_change=S.assign,
                trigger={
                    "aria_label": tr("inbox.assign"),
                    "placeholder": tr("inbox.assign"),
                    "id": "assign-picker",
                },
                first=(rx.select.item(tr("inbox.round_robin"), value="round_robin"),),
                size="1",
            ),
            rx.cond(conv.assignee != "", rx.text(conv.assignee, size="1", color_scheme="gray")),
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("mail", size=14),
                variant="soft",
                size="2",
                on_click=S.mark_unread,
                disabled=~S.can_send,
                aria_label=tr("inbox.mark_unread"),
                id="inbox-unread",
            ),
            content=tr("inbox.mark_unread"),
        ),
        rx.button(
            rx.icon(rx.cond(conv.status == "archived", "archive_restore", "archive"), size=14),
            rx.cond(conv.status == "archived", tr("inbox.reopen"), tr("inbox.archive")),
            variant="soft",
            size="2",
            on_click=S.archive,
            disabled=~S.can_send,
            id="inbox-archive",
            data_status=conv.status,
            title=tr("inbox.archive_hint"),
        ),
        padding="0.75em",
        border_bottom=BORDER,
        width="100%",
        align="center",
        spacing="3",
    )


def _template_picker() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            options_select(
                S.templates,
                value=S.template_id,
                on_change=S.choose_template,
                trigger={
                    "aria_label": tr("inbox.template"),
                    "placeholder": tr("inbox.template"),
                    "id": "template-picker",
                },
                size="1",
            ),
            rx.cond(
                S.template_id != "",
                rx.button(tr("inbox.clear_template"), variant="ghost", size="1", on_click=S.clear_template),
            ),
            spacing="2",
            align="center",
        ),
        rx.cond(
            S.template_preview != "",
            rx.box(
                rx.text(tr("inbox.preview_for_lead"), size="1", color_scheme="gray"),
                rx.text(
                    S.template_preview, size="2", style={"whiteSpace": "pre-wrap"}, id="template-preview"
                ),
                rx.cond(
                    S.missing.length() > 0,
                    rx.callout(
                        tr("inbox.missing_values", names=S.missing.join(", ")),
                        icon="triangle_alert",
                        color_scheme="amber",
                        size="1",
                        id="missing-values",
                    ),
                ),
                rx.button(
                    tr("inbox.use_template"),
                    size="1",
                    variant="soft",
                    on_click=S.use_template,
                    id="use-template",
                ),
                padding="0.5em",
                border=BORDER,
                border_radius="0.5em",
                width="100%",
                display="flex",
                flex_direction="column",
                gap="0.4em",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _composer() -> rx.Component:
    return rx.cond(
        S.can_send,
        rx.vstack(
            _template_picker(),
            rx.hstack(
                rx.text_area(
                    value=S.composer,
                    on_change=S.set_composer,
                    placeholder=tr("inbox.composer_placeholder"),
                    aria_label=tr("inbox.composer_placeholder"),
                    id="composer",
                    rows="3",
                    width="100%",
                    resize="vertical",
                ),
                rx.button(
                    rx.icon("send", size=14),
                    tr("inbox.send"),
                    on_click=S.send,
                    loading=S.sending,
                    disabled=S.composer.strip() == "",
                    id="send-message",
                ),
                width="100%",
                align="end",
            ),
            padding="0.75em",
            border_top=BORDER,
            width="100%",
            spacing="2",
        ),
        rx.box(
            rx.text(tr("inbox.read_only"), size="1", color_scheme="gray"),
            padding="0.75em",
            border_top=BORDER,
            width="100%",
        ),
    )


def _thread_column() -> rx.Component:
    return rx.cond(
        S.selected_id != "",
        rx.vstack(
            _thread_header(),
            rx.box(
                rx.cond(
                    S.more_before,
                    rx.center(
                        rx.button(
                            tr("inbox.load_older"),
                            variant="ghost",
                            size="1",
                            on_click=S.load_older,
                            loading=S.loading_older,
                            id="load-older",
                        ),
                        padding="0.5em",
                    ),
                ),
                rx.vstack(
                    rx.foreach(S.messages, _message),
                    rx.foreach(InboxShared.recent, _live_message),
                    spacing="2",
                    width="100%",
                ),
                id="thread",
                overflow_y="auto",
                flex="1",
                width="100%",
                padding="0.75em",
                aria_live="polite",
                style={"overflowAnchor": "auto"},
            ),
            _composer(),
            spacing="0",
            flex="1",
            height="100%",
            min_width="0",
        ),
        rx.center(
            empty_state("inbox", tr("inbox.pick_title"), tr("inbox.pick_body")),
            flex="1",
            height="100%",
        ),
    )


# ---------------------------------------------------------------- lead panel


def _lead_panel() -> rx.Component:
    return rx.cond(
        S.selected_id != "",
        rx.vstack(
            rx.text(tr("inbox.lead"), weight="bold"),
            rx.text(S.selected.name, size="3"),
            rx.foreach(
                S.lead_fields,
                lambda f: rx.vstack(
                    rx.text(
                        rx.match(
                            f["key"],
                            *[
                                (k, tr(f"inbox.field.{k}"))
                                for k in (
                                    "platform",
                                    "username",
                                    "email",
                                    "phone",
                                    "company",
                                    "headline",
                                    "location",
                                )
                            ],
                            f["key"],
                        ),
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.text(
                        rx.cond(f["key"] == "platform", platform_label(f["value"]), f["value"]),
                        size="2",
                        style={"overflowWrap": "anywhere"},
                    ),
                    spacing="0",
                ),
            ),
            rx.hstack(
                rx.foreach(
                    S.lead_tags, lambda t: rx.badge(t.name, style={"background": t.color, "color": "white"})
                ),
                wrap="wrap",
                spacing="1",
            ),
            rx.hstack(
                rx.text(tr("inbox.score"), size="1", color_scheme="gray"),
                score_badge(S.lead_score),
                align="center",
            ),
            rx.text(tr("inbox.lead_status"), size="1", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(aria_label=tr("inbox.lead_status"), id="lead-status"),
                rx.select.content(*[rx.select.item(status_label(s), value=s) for s in STATUSES]),
                value=S.lead_status,
                on_change=S.set_lead_status,
                disabled=~S.can_edit_lead,
                size="1",
            ),
            rx.link(tr("inbox.open_lead"), href="/leads", size="1"),
            width="17em",
            min_width="14em",
            padding="0.75em",
            border_left=BORDER,
            height="100%",
            overflow_y="auto",
            spacing="2",
            id="lead-panel",
        ),
    )


def inbox_view() -> rx.Component:
    return rx.vstack(
        watch(InboxShared.version, S.live_changed),
        # The open conversation → this tab's "viewing" presence (others see "Ana is viewing").
        watch(S.selected_id, ViewingState.view),
        rx.hstack(
            rx.heading(tr("nav.inbox"), size="7"),
            rx.text(tr("inbox.shortcuts"), size="1", color_scheme="gray"),
            align="baseline",
            spacing="3",
            wrap="wrap",
        ),
        rx.hstack(
            _list_column(),
            _thread_column(),
            _lead_panel(),
            spacing="0",
            width="100%",
            height="calc(100vh - 9em)",
            min_height="28em",
            border=BORDER,
            border_radius="0.8em",
            overflow="hidden",
            background=rx.color("gray", 1),
            position="relative",
        ),
        width="100%",
        spacing="3",
        id="inbox-page",
        on_unmount=ViewingState.stop,
    )
