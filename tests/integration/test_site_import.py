"""export-sites / import-sites: a district's sites in one CSV file, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.models import Compartment, Site
from locker_app.services.site_import import COLUMNS
from tests.conftest import row_counts, seed_world


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["locker", *args])


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def write(path: Path, rows: list[dict[str, str]], columns=COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def snapshot(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Site.code, Site.name, Site.district, Site.timezone, Site.lat, Site.free_hours, Site.fee_per_day,
                      Compartment.label, Compartment.size, Compartment.accessible, Compartment.in_service)
            .join(Compartment, Compartment.site_id == Site.id).order_by(Site.code, Compartment.label)).all()
        db.session.rollback()
        return [tuple(r) for r in rows]


def district(count: int) -> list[dict[str, str]]:
    rows = []
    for n in range(count):
        for i, size in enumerate(["S"] * 10 + ["M"] * 6 + ["L"] * 3 + ["XL"]):
            rows.append({"site": f"GANGNAM-{n:03d}", "name": f"강남 {n}번 안심택배함", "district": "Gangnam-gu",
                         "timezone": "Asia/Seoul", "lat": "37.5", "lon": "127.04", "compartment": f"A{i + 1:02d}",
                         "size": size, "accessible": "true" if i == 0 else "false", "in_service": "true"})
    return rows


def test_export_then_import_elsewhere_round_trips(make_app, app, tmp_path, db_url):
    seed_world(app)
    with app.app_context():
        db.session.execute(sa.text("UPDATE compartments SET in_service = false WHERE label = 'A02'"))
        db.session.execute(sa.text("UPDATE sites SET free_hours = 24, fee_per_day = 500 WHERE code = 'MAPO-002'"))
        db.session.commit()
    exported = tmp_path / "sites.csv"
    result = cli(app, "export-sites", str(exported))
    assert result.exit_code == 0 and "exported 2 sites, 16 compartments" in result.output
    rows = read(exported)
    assert list(rows[0]) == list(COLUMNS) and len(rows) == 16
    original = snapshot(app)

    # Another deployment (a fresh database) loads the file and ends up with the same sites.
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM kiosks"))
        db.session.execute(sa.text("DELETE FROM compartments"))
        db.session.execute(sa.text("DELETE FROM sites"))
        db.session.commit()
    assert snapshot(app) == []
    result = cli(app, "import-sites", str(exported))
    assert result.exit_code == 0, result.output
    assert "sites: 2 created" in result.output
    assert snapshot(app) == original

    again = cli(app, "import-sites", str(exported))
    assert again.exit_code == 0 and "nothing changed" in again.output


def test_a_district_of_two_hundred_sites_loads_at_once_and_reimports_as_a_no_op(app, tmp_path):
    path = write(tmp_path / "gangnam.csv", district(200))
    result = cli(app, "import-sites", str(path))
    assert result.exit_code == 0, result.output
    assert "sites: 200 created" in result.output and "4000 created" in result.output
    counts = row_counts(app)
    assert counts["sites"] == 200 and counts["compartments"] == 4000
    again = cli(app, "import-sites", str(path))
    assert "200 unchanged" in again.output and "nothing changed" in again.output
    assert row_counts(app) == counts


def test_an_edited_file_updates_adds_and_leaves_the_rest(app, tmp_path):
    seed_world(app)
    exported = tmp_path / "sites.csv"
    cli(app, "export-sites", str(exported))
    rows = [r for r in read(exported) if r["site"] == "MAPO-001"]
    rows[0]["accessible"] = "true"            # A01 of MAPO-001
    rows[1]["in_service"] = "false"           # A02
    for row in rows:
        row["name"] = "마포구청 안심택배함 (신관)"
    rows.append({**rows[-1], "compartment": "B01", "size": "XL", "accessible": "false", "in_service": "true"})
    result = cli(app, "import-sites", str(write(tmp_path / "edit.csv", rows)))
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output and "compartments: 1 created, 2 updated" in result.output
    by_label = {row[7]: row for row in snapshot(app) if row[0] == "MAPO-001"}
    assert by_label["A01"][9] is True and by_label["A02"][10] is False and by_label["B01"][8] == "XL"
    assert by_label["A03"][1] == "마포구청 안심택배함 (신관)"
    # MAPO-002 was not in the file: untouched.
    assert {row[1] for row in snapshot(app) if row[0] == "MAPO-002"} == {"망원동 안심택배함"}


def _bad(rows, **change):
    return [{**rows[0], **change}, *rows[1:]]


@pytest.mark.parametrize(("change", "message"), [
    ({"size": "XXL"}, "size 'XXL' must be one of"),
    ({"timezone": "Mars/Olympus"}, "not a known time zone"),
    ({"site": "bad code"}, "use capitals"),
    ({"lat": "123"}, "between -90 and 90"),
    ({"free_hours": "-1"}, "free_hours '-1' must be a whole number"),
    ({"accessible": "maybe"}, "use true or false"),
    ({"name": "another name"}, "differs from"),
    ({"compartment": "A02"}, "appears twice"),
])
def test_one_bad_row_and_nothing_changes(app, tmp_path, change, message):
    good = district(3)
    rows = [*good[:-1], {**good[-1], **change}]
    before = row_counts(app)
    result = cli(app, "import-sites", str(write(tmp_path / "bad.csv", rows)))
    assert result.exit_code != 0
    assert message in result.output and "nothing was changed" in result.output
    assert row_counts(app) == before


def test_every_error_is_reported_with_its_line(app, tmp_path):
    rows = district(1)
    rows[3]["size"] = "XXL"
    rows[7]["timezone"] = "Nowhere"
    result = cli(app, "import-sites", str(write(tmp_path / "bad.csv", rows)))
    assert "line 5: size" in result.output and "line 9: timezone" in result.output


def test_bad_headers_and_empty_files_are_refused(app, tmp_path):
    before = row_counts(app)
    unknown = write(tmp_path / "unknown.csv", district(1), columns=[*COLUMNS, "colour"])
    assert "unknown columns: colour" in cli(app, "import-sites", str(unknown)).output
    missing = write(tmp_path / "missing.csv", district(1), columns=[c for c in COLUMNS if c != "size"])
    assert "missing columns: size" in cli(app, "import-sites", str(missing)).output
    empty = write(tmp_path / "empty.csv", [])
    assert "no rows" in cli(app, "import-sites", str(empty)).output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("site,name,compartment,size\nX-1,caf\xe9,A01,S\n".encode("latin-1"))
    assert "not a UTF-8 CSV" in cli(app, "import-sites", str(latin)).output
    assert row_counts(app) == before


def test_a_new_site_needs_a_name(app, tmp_path):
    rows = [{k: v for k, v in row.items() if k != "name"} for row in district(1)]
    result = cli(app, "import-sites", str(write(tmp_path / "noname.csv", rows)))
    assert result.exit_code != 0 and "is new and needs name" in result.output


def test_an_occupied_compartment_keeps_its_size(app, api, tmp_path):
    reserved = api.reserve(size="S").get_json()
    exported = tmp_path / "sites.csv"
    cli(app, "export-sites", str(exported))
    rows = read(exported)
    for row in rows:
        if row["site"] == "MAPO-001" and row["compartment"] == reserved["compartment"]:
            row["size"] = "L"
    before = snapshot(app)
    result = cli(app, "import-sites", str(write(tmp_path / "resize.csv", rows)))
    assert result.exit_code != 0 and "holds a parcel" in result.output
    assert snapshot(app) == before


def test_dry_run_changes_nothing(app, tmp_path):
    before = row_counts(app)
    result = cli(app, "import-sites", "--dry-run", str(write(tmp_path / "d.csv", district(2))))
    assert result.exit_code == 0 and "dry run: sites: 2 created" in result.output
    assert row_counts(app) == before


def test_a_spreadsheet_file_with_a_byte_order_mark_is_read(app, tmp_path):
    path = write(tmp_path / "excel.csv", district(1))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert cli(app, "import-sites", str(path)).exit_code == 0
    assert row_counts(app)["sites"] == 1


def test_formulas_are_exported_as_text_and_imported_back_as_they_were(app, tmp_path):
    """OWASP CSV injection: a cell starting with = + - @ tab or CR runs as a formula in a spreadsheet."""
    seed_world(app)
    names = {"MAPO-001": '=HYPERLINK("http://evil.example","Mapo")', "MAPO-002": "'@already quoted"}
    with app.app_context():
        for code, name in names.items():
            db.session.execute(sa.text("UPDATE sites SET name = :n, district = :d, lon = -0.5 WHERE code = :c"),
                               {"n": name, "d": "+cmd|' /C calc'!A0" if code == "MAPO-001" else "-2+3", "c": code})
        db.session.commit()
    exported = tmp_path / "sites.csv"
    assert cli(app, "export-sites", str(exported)).exit_code == 0
    rows = {row["site"]: row for row in read(exported)}
    for row in rows.values():
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (column, cell)
            assert not cell.startswith("-") or column in ("lat", "lon"), (column, cell)
    assert rows["MAPO-001"]["name"] == "'" + names["MAPO-001"]
    assert rows["MAPO-001"]["lon"] == "-0.5"  # a plain number stays a number
    before = snapshot(app)
    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET name = 'changed', district = 'changed'"))
        db.session.commit()
    result = cli(app, "import-sites", str(exported))
    assert result.exit_code == 0, result.output
    assert snapshot(app) == before  # names and districts exactly as they were, apostrophes included
