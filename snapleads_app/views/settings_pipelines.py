"""Settings → Pipelines: each pipeline with its ordered stages; rename, add, reorder, delete."""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.components.dialogs import confirm_dialog, form_dialog_footer
from snapleads_app.components.widgets import error_callout, page_header
from snapleads_app.state.i18n import tr
from snapleads_app.state.settings_pipelines import DEFAULT_NEW_STAGES, SettingsPipelinesState
from snapleads_app.views.settings_nav import settings_nav

P = SettingsPipelinesState


def _rename_input(row: Any, on_rename: Any, **props: Any) -> rx.Component:
    """`row`'s name, saved when the input loses focus (read-only for those who may not manage)."""
    return rx.input(
        default_value=row.name,
        key=row.id + row.name,
        on_blur=on_rename,
        read_only=~P.can_manage,
        aria_label=tr("pipelines.rename", name=row.name),
        flex="1",
        **props,
    )


def _stage_row(pipeline: Any, stage: Any, index: Any) -> rx.Component:
    editable_structure = P.can_manage & ~pipeline.is_default
    return rx.hstack(
        rx.box(width="0.8em", height="0.8em", border_radius="50%", background=stage.color, flex_shrink="0"),
        _rename_input(
            stage, lambda value: P.rename_stage(stage.id, value), size="2", data_testid="stage-name"
        ),
        rx.cond(
            editable_structure,
            rx.hstack(
                rx.icon_button(
                    rx.icon("arrow_up", size=14),
                    size="1",
                    variant="soft",
                    on_click=P.move_stage(pipeline.id, stage.id, -1),
                    disabled=index == 0,
                    aria_label=tr("common.move_up"),
                ),
                rx.icon_button(
                    rx.icon("arrow_down", size=14),
                    size="1",
                    variant="soft",
                    on_click=P.move_stage(pipeline.id, stage.id, 1),
                    disabled=index == pipeline.stages.length() - 1,
                    aria_label=tr("common.move_down"),
                ),
                rx.icon_button(
                    rx.icon("trash_2", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=P.delete_stage(stage.id),
                    aria_label=tr("common.delete"),
                ),
                spacing="1",
            ),
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def _delete_pipeline(pipeline: Any) -> rx.Component:
    return confirm_dialog(
        rx.button(
            rx.icon("trash_2", size=14),
            tr("pipelines.delete"),
            size="1",
            variant="soft",
            color_scheme="red",
        ),
        title=tr("pipelines.delete"),
        description=tr("pipelines.delete_confirm", name=pipeline.name),
        cancel_label=tr("common.cancel"),
        confirm=rx.button(tr("common.delete"), color_scheme="red", on_click=P.delete_pipeline(pipeline.id)),
    )


def _pipeline_card(pipeline: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _rename_input(
                    pipeline,
                    lambda value: P.rename_pipeline(pipeline.id, value),
                    size="3",
                    font_weight="bold",
                ),
                rx.cond(pipeline.is_default, rx.badge(tr("pipelines.default_badge"), radius="full")),
                rx.cond(P.can_manage & ~pipeline.is_default, _delete_pipeline(pipeline)),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.cond(
                pipeline.is_default, rx.text(tr("pipelines.default_hint"), size="1", color_scheme="gray")
            ),
            rx.vstack(
                rx.foreach(pipeline.stages, lambda s, i: _stage_row(pipeline, s, i)),
                spacing="2",
                width="100%",
            ),
            rx.cond(
                P.can_manage & ~pipeline.is_default,
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="stage_name",
                            id="new-stage-" + pipeline.id,
                            placeholder=tr("pipelines.new_stage"),
                            aria_label=tr("pipelines.new_stage"),
                            size="2",
                            flex="1",
                            max_length=60,
                        ),
                        rx.button(
                            rx.icon("plus", size=14),
                            tr("pipelines.add_stage"),
                            size="2",
                            variant="soft",
                            type="submit",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=lambda form: P.add_stage(pipeline.id, form),
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        size="3",
        data_testid="pipeline-card",
    )


def _new_pipeline_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), tr("pipelines.new"), id="new-pipeline")),
        rx.dialog.content(
            rx.dialog.title(tr("pipelines.new")),
            rx.form(
                rx.vstack(
                    rx.text(tr("pipelines.name"), as_="label", html_for="pipeline-name", size="2"),
                    rx.input(name="name", id="pipeline-name", required=True, max_length=80, width="100%"),
                    rx.text(tr("pipelines.stages"), as_="label", html_for="pipeline-stages", size="2"),
                    rx.text_area(
                        name="stages",
                        id="pipeline-stages",
                        default_value=DEFAULT_NEW_STAGES,
                        rows="6",
                        width="100%",
                    ),
                    error_callout(P.error),
                    form_dialog_footer(
                        tr("common.cancel"),
                        rx.button(tr("pipelines.create"), type="submit", id="create-pipeline"),
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=P.create_pipeline,
            ),
            max_width="30em",
        ),
        open=P.new_open,
        on_open_change=P.set_new_open,
    )


def settings_pipelines_view() -> rx.Component:
    return rx.vstack(
        settings_nav(),
        page_header(
            tr("pipelines.title"), tr("pipelines.subtitle"), rx.cond(P.can_manage, _new_pipeline_dialog())
        ),
        rx.cond(
            P.loaded,
            rx.vstack(rx.foreach(P.pipelines, _pipeline_card), spacing="4", width="100%"),
            rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
        ),
        spacing="5",
        width="100%",
    )
