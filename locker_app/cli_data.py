"""`flask --app wsgi locker export-sites FILE.csv` and `import-sites FILE.csv` (see services/site_import.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask import current_app

from .cli import locker
from .extensions import current_session, db
from .services import site_import


@locker.command("export-sites")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
def export_sites(path: str) -> None:
    """Write every site and compartment to a CSV file (one row per compartment; '-' for stdout)."""
    rows = site_import.export_rows(current_session())
    db.session.rollback()
    with click.open_file(path, "w", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=site_import.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    if path != "-":
        sites = len({row["site"] for row in rows})
        click.echo(f"exported {sites} sites, {len(rows)} compartments to {path}")


@locker.command("import-sites")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check the file and say what would change; change nothing")
def import_sites(path: Path, dry_run: bool) -> None:
    """Create or update sites and compartments from a CSV file; any error and nothing changes."""
    try:
        # utf-8-sig: spreadsheets often save UTF-8 with a byte order mark.
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise click.ClickException(f"{path} is not a UTF-8 CSV file: {exc}") from None
    try:
        plans = site_import.plan_import(header, rows)
        summary = site_import.apply_import(current_session(), current_app.extensions["locker.clock"](), plans,
                                           actor="cli:import-sites")
    except site_import.ImportRefused as refused:
        db.session.rollback()
        for error in refused.errors[:site_import.MAX_ERRORS]:
            click.echo(error, err=True)
        if len(refused.errors) > site_import.MAX_ERRORS:
            click.echo(f"... and {len(refused.errors) - site_import.MAX_ERRORS} more", err=True)
        raise click.ClickException(f"{path}: {refused}") from None
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would change" if dry_run else "changed"
    click.echo(f"{'dry run: ' if dry_run else ''}sites: {summary.sites_created} created, {summary.sites_updated} "
               f"updated, {summary.sites_unchanged} unchanged; compartments: {summary.compartments_created} created, "
               f"{summary.compartments_updated} updated, {summary.compartments_unchanged} unchanged, "
               f"{summary.compartments_not_in_file} not in the file (left as they are)")
    if not summary.changed:
        click.echo(f"nothing {verb}: the database already matches the file")
