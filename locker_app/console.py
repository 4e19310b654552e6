"""The `locker` console script: `flask --app wsgi locker ...` for an installed service.

`locker seed-demo` runs the `locker` group's command; anything else Flask knows (`locker db upgrade`,
`locker run`, `locker routes`) works as under `flask`. The app is built from the environment, as wsgi.py does."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo, load_dotenv


def _create() -> Flask:
    from . import create_app

    return create_app()


class LockerGroup(FlaskGroup):
    def _locker(self, ctx: click.Context) -> click.Group | None:
        app = ctx.ensure_object(ScriptInfo).load_app()
        group = app.cli.commands.get("locker")
        return group if isinstance(group, click.Group) else None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None:
            locker = self._locker(ctx)
            found = locker.get_command(ctx, cmd_name) if locker else None
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        locker = self._locker(ctx)
        return sorted(names | set(locker.list_commands(ctx) if locker else ()))


def main(**kwargs: Any) -> None:
    load_dotenv()
    LockerGroup(create_app=_create, help="The locker service's commands (flask --app wsgi locker ...).",
                load_dotenv=False).main(**kwargs)
