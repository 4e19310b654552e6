"""The issue's yardstick for HTTP: a bare Flask endpoint under gunicorn that runs the floor's two transactions
(bench/floor.py) through psycopg in one request, with no token check, no idempotency record, no ORM and no
middleware. `make bench` serves it with the service's gunicorn shape and drives it with the same load generator,
so "bare Flask vs floor" shows what gunicorn, Flask and the GIL cost on this machine before any work of the
service's own. Not part of the product; served only by the bench.
"""

from __future__ import annotations

import os
import threading

import psycopg
from flask import Flask, Response, jsonify, request

from .floor import deposit, reserve

app = Flask(__name__)
_local = threading.local()


def _connection() -> psycopg.Connection:
    conn: psycopg.Connection | None = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(os.environ["BENCH_BARE_DSN"])
    return conn


@app.post("/pair")
def pair() -> Response:
    body = request.get_json()
    conn = _connection()
    parcel_id = reserve(conn, body["courier"], body["site"], body["n"], body["size"])
    deposit(conn, body["courier"], parcel_id, os.environ["BENCH_BARE_PEPPER"])
    return jsonify(parcel_id=parcel_id)
