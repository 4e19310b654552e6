"""The public locker directory: addresses anyone may use, a coarse availability, nothing about a parcel."""

from __future__ import annotations

import json

import pytest

from locker_app.directory.listing import availability
from locker_app.extensions import db
from locker_app.models import Site

PUBLIC_KEYS = {"site", "name", "address", "district", "opening_hours", "lat", "lon", "accessible", "availability"}


@pytest.fixture
def addressed(app, world):
    with app.app_context():
        site = db.session.query(Site).filter_by(code="MAPO-001").one()
        site.address = "서울특별시 마포구 월드컵로 212 마포구청 1층"
        site.opening_hours = "24시간"
        db.session.commit()
    return world


def test_lists_every_site_with_its_address_without_a_token(client, addressed):
    answer = client.get("/api/v1/public/sites")
    assert answer.status_code == 200
    sites = {s["site"]: s for s in answer.get_json()["sites"]}
    assert set(sites) == {"MAPO-001", "MAPO-002"}
    assert sites["MAPO-001"]["address"] == "서울특별시 마포구 월드컵로 212 마포구청 1층"
    assert sites["MAPO-001"]["opening_hours"] == "24시간"
    assert sites["MAPO-001"]["availability"] == "room"
    assert all(set(s) == PUBLIC_KEYS for s in sites.values())
    # Korean stays readable in the JSON, not \uXXXX escapes.
    assert "마포구청" in answer.get_data(as_text=True)


def test_a_full_site_is_pickup_only_and_nothing_tells_about_the_parcels(client, api, addressed):
    phones, trackings = [], []
    for number in range(6):  # MAPO-002 has six compartments
        phone, tracking = f"010-5555-{1000 + number}", f"CJ{9000 + number}"
        reserved = api.reserve("MAPO-002", "S", phone=phone, tracking=tracking)
        assert reserved.status_code == 201, reserved.get_json()
        assert api.deposit(reserved.get_json()["parcel_id"]).status_code == 200
        phones.append(phone)
        trackings.append(tracking)
    answer = client.get("/api/v1/public/sites")
    body = answer.get_data(as_text=True)
    sites = {s["site"]: s for s in answer.get_json()["sites"]}
    assert sites["MAPO-002"]["availability"] == "pickup-only"
    for secret in [*trackings, *(p.replace("-", "") for p in phones), *(p[-4:] for p in phones)]:
        assert secret not in body
    page = client.get("/sites/?lang=en").get_data(as_text=True)
    assert "Pickup only" in page
    for secret in trackings:
        assert secret not in page


@pytest.mark.parametrize(("free", "in_service", "expected"), [
    (0, 10, "pickup-only"), (1, 10, "almost-full"), (2, 10, "almost-full"), (3, 10, "room"),
    (1, 3, "almost-full"), (2, 3, "room"), (0, 0, "pickup-only"),
])
def test_availability_is_coarse(free, in_service, expected):
    assert availability(free, in_service) == expected


def test_sorted_by_distance_from_a_point_and_searchable(client, addressed):
    near_mangwon = client.get("/api/v1/public/sites?lat=37.5556&lon=126.9104").get_json()["sites"]
    assert [s["site"] for s in near_mangwon] == ["MAPO-002", "MAPO-001"]
    assert near_mangwon[0]["distance_km"] < 0.1 < near_mangwon[1]["distance_km"]
    near_office = client.get("/api/v1/public/sites?lat=37.5663&lon=126.9019").get_json()["sites"]
    assert [s["site"] for s in near_office] == ["MAPO-001", "MAPO-002"]
    found = client.get("/api/v1/public/sites", query_string={"q": "월드컵로"}).get_json()["sites"]
    assert [s["site"] for s in found] == ["MAPO-001"]
    assert client.get("/api/v1/public/sites?q=nowhere").get_json() == {"sites": []}


@pytest.mark.parametrize("query", ["lat=abc&lon=1", "lat=91&lon=1", "lat=nan&lon=1", "lat=37.5", "sort=price",
                                   "lon=inf&lat=3", "q=" + "x" * 101, "lat=1_0&lon=1", "lat=%201&lon=1"])
def test_bad_queries_are_problems(client, addressed, query):
    answer = client.get(f"/api/v1/public/sites?{query}")
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    assert json.loads(answer.get_data(as_text=True))["type"] == "invalid-input"
    assert client.get(f"/sites/?{query}").status_code == 400


def test_page_in_korean_by_default_and_english_when_asked(client, addressed):
    korean = client.get("/sites/")
    assert korean.status_code == 200
    text = korean.get_data(as_text=True)
    assert '<html lang="ko">' in text and "주소 복사" in text and "서울특별시 마포구 월드컵로 212" in text
    english = client.get("/sites/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Copy address" in english
    # The page loads nothing from elsewhere but the map's tiles.
    assert "img-src 'self' data: https://tile.openstreetmap.org" in korean.headers["Content-Security-Policy"]
    assert "script-src 'self';" in korean.headers["Content-Security-Policy"]


def test_address_from_the_cli_and_the_csv(app, tmp_path):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["locker", "create-site", "SEOCHO-001", "--name", "서초구청 안심택배함",
                               "--compartments", "S:2", "--district", "Seocho-gu",
                               "--address", "서울특별시 서초구 남부순환로 2584", "--opening-hours", "06:00-24:00"])
    assert made.exit_code == 0, made.output
    refused = runner.invoke(args=["locker", "create-site", "SEOCHO-002", "--name", "x", "--compartments", "S:1",
                                  "--address", "line one\x07"])
    assert refused.exit_code != 0
    out = tmp_path / "sites.csv"
    assert runner.invoke(args=["locker", "export-sites", str(out)]).exit_code == 0
    exported = out.read_text(encoding="utf-8")
    assert "address" in exported.splitlines()[0] and "서울특별시 서초구 남부순환로 2584" in exported
    edited = exported.replace("서울특별시 서초구 남부순환로 2584", "서울특별시 서초구 남부순환로 2585")
    out.write_text(edited, encoding="utf-8")
    imported = runner.invoke(args=["locker", "import-sites", str(out)])
    assert imported.exit_code == 0, imported.output
    with app.app_context():
        assert db.session.query(Site).filter_by(code="SEOCHO-001").one().address == "서울특별시 서초구 남부순환로 2585"


def test_the_json_api_takes_a_number_or_nothing_while_the_form_may_send_it_empty(client, addressed):
    assert client.get("/api/v1/public/sites?lat=&lon=").status_code == 400
    assert client.get("/sites/?lat=&lon=&q=").status_code == 200
