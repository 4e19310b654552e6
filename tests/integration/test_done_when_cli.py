"""The issue's "done when", through the commands an operator types on a fresh demo."""

from __future__ import annotations

import re

from locker_app import cli
from tests.conftest import Api, World, code_from


def run(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["locker", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_fresh_demo_release_remind_expire_and_return(app, sms, clock, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "_demo_file", lambda: tmp_path / "demo.env")
    demo = run(app, "seed-demo")
    courier_token = re.search(r"courier API token: (\S+)", demo).group(1)
    kiosk_token = re.search(r"/kiosk/\?token=(\S+)", demo).group(1)
    api = Api(app.test_client(), World(courier_token, "", kiosk_token, ""))

    def jobs_at(offset: str) -> dict[str, int]:
        output = run(app, "run-jobs", "--at", offset)
        # Each command is its own process in real life: the next one starts from the real time again.
        app.extensions["locker.clock"] = clock
        return {name: int(count) for name, count in re.findall(r"^([\w-]+): (\d+)$", output, re.M)}

    stale = api.reserve(size="M").get_json()["parcel_id"]
    assert jobs_at("+14min")["release-reservations"] == 0
    assert jobs_at("+30min")["release-reservations"] == 1
    assert api.get(stale).get_json()["state"] == "cancelled"

    reserved = api.reserve(size="S", phone="010-2222-3333").get_json()
    parcel_id = reserved["parcel_id"]
    assert api.deposit(parcel_id).status_code == 200
    done = jobs_at("+25h")
    assert done["send-reminders"] == 1 and done["sms-relay"] == 2  # the delivery SMS and the reminder
    delivery, reminder = sms.sent
    assert reminder["to"] == "+821022223333" and "찾아가세요" in reminder["body"]
    resident_code = code_from(delivery["body"])

    done = run(app, "run-jobs", "--at", "+8d")  # the clock stays there: the courier comes the same day
    assert "expire-parcels: 1" in done and "send-reminders: 0" in done
    assert "반송" in sms.sent[-1]["body"] and sms.sent[-1]["to"] == "+821022223333"
    assert api.pickup(resident_code).status_code == 403

    returns = api.client.get("/api/v1/returns", headers={"Authorization": f"Bearer {courier_token}"}).get_json()
    assert [p["parcel_id"] for p in returns["parcels"]] == [parcel_id]
    return_code = api._post(f"/api/v1/parcels/{parcel_id}/return").get_json()["return_code"]
    opened = api.pickup(return_code)
    assert opened.status_code == 200 and opened.get_json()["compartments"] == [reserved["compartment"]]
    assert api.get(parcel_id).get_json()["state"] == "returned"
