"""`make bench`: the locker service under gunicorn against PostgreSQL, measured against the floor in one run.

    .venv/bin/python -m bench            # full run, under 15 minutes
    BENCH_QUICK=1 .venv/bin/python -m bench   # a tenth of the data, shorter runs, under 2 minutes

Prints its tables, then one line per figure: `ratio NAME: VALUE`. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from . import database, doors, latency, occupancy, offline_check, relay, wave
from .database import PEPPER, ROOT_DIR, Seeded, bench_schema, site_code
from .server import THREADS, WORKER_CLASS, WORKERS, Service
from .stats import percentile


@dataclass(frozen=True)
class Plan:
    quick: bool
    large_sites: int  # x100 compartments
    large_parcels: int
    parcel_sites: int
    seconds: float  # each throughput run
    latency_samples: int
    occupancy_samples: int
    relay_messages: int
    wave_seconds: float = 60  # the morning wave at WAVE_RATE parcels/s
    door_samples: int = 100
    offline_rounds: int = 20
    concurrency: int = 16


WAVE_RATE = 40.0


def plan(quick: bool) -> Plan:
    if quick:
        return Plan(True, 1_000, 10_000, 100, 8, 100, 30, 300, wave_seconds=15, door_samples=20, offline_rounds=5)
    return Plan(False, 10_000, 100_000, 1_000, 30, 400, 100, 1_500)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="a tenth of the data and shorter runs (also BENCH_QUICK=1)")
    parser.add_argument("--seconds", type=float, help="length of each throughput run")
    parser.add_argument("--concurrency", type=int, default=16, help="couriers at once in the throughput runs")
    parser.add_argument("--explain", action="store_true", help="also print EXPLAIN ANALYZE of the hot SELECTs")
    return parser.parse_args(argv)


# --- throughput, from processes of their own ------------------------------------------------------------------

def _run_process(module: str, job: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", module], cwd=ROOT_DIR, input=json.dumps(job), capture_output=True,
                          text=True, timeout=job["seconds"] + 120, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def courier_sites(seeded: Seeded, concurrency: int) -> dict[str, list[list[str]]]:
    """Each courier of each throughput run (service, floor, bare Flask) its own sites, up to 40, away from the
    stored parcels, so that no run fills another's compartments. (Before this was computed from the data, the
    quick run's floor couriers past the 1,000th site found no site and died silently.)"""
    per = min(40, (seeded.sites - seeded.parcel_sites) // (3 * concurrency))
    first = seeded.parcel_sites + 1
    return {run: [[site_code(first + (r * concurrency + n) * per + k) for k in range(per)]
                  for n in range(concurrency)]
            for r, run in enumerate(("service", "floor", "bare"))}


def throughput(service: Service, schema: str, seeded: Seeded, p: Plan, concurrency: int) -> dict[str, Any]:
    sites = courier_sites(seeded, concurrency)
    http_job = {"port": service.port, "concurrency": concurrency, "seconds": p.seconds, "sites": sites["service"]}
    floor_job = {"dsn": database.libpq_dsn(database.bench_url(), schema), "concurrency": concurrency,
                 "seconds": p.seconds, "pepper": PEPPER, "first_courier": 17, "sites": sites["floor"]}
    floor_before = _run_process("bench.floor", {**floor_job, "seconds": p.seconds / 2})
    service_cpu = service.cpu_seconds()
    via_http = _run_process("bench.loadgen", http_job)
    via_http["service_cpu"] = service.cpu_seconds() - service_cpu
    bare_service = Service(schema, "bench.bare_app:app", conf=None)
    try:
        bare_cpu = bare_service.cpu_seconds()
        bare = _run_process("bench.loadgen", {**http_job, "port": bare_service.port, "mode": "bare",
                                              "first_courier": 33, "sites": sites["bare"]})
        bare["service_cpu"] = bare_service.cpu_seconds() - bare_cpu
    finally:
        bare_service.stop()
    floor_after = _run_process("bench.floor", {**floor_job, "seconds": p.seconds / 2})
    floor = {"pairs": floor_before["pairs"] + floor_after["pairs"], "errors": floor_before["errors"]
             + floor_after["errors"], "wall": floor_before["wall"] + floor_after["wall"],
             "cpu": floor_before["cpu"] + floor_after["cpu"]}
    return {"http": via_http, "floor": floor, "bare": bare}


# --- the report ----------------------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)) + " |")


def latency_row(name: str, times: list[float]) -> list[str]:
    return [name, str(len(times)), ms(statistics.median(times)), ms(percentile(times, 0.9)),
            ms(percentile(times, 0.99))]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    p = plan(args.quick)
    if args.seconds:
        p = Plan(**{**p.__dict__, "seconds": args.seconds})
    started = time.perf_counter()
    print(f"bench: {'QUICK' if p.quick else 'full'} run against {database.bench_url()} "
          f"(gunicorn {WORKERS} workers x {THREADS} threads, {WORKER_CLASS})", flush=True)
    results: dict[str, Any] = {}
    with bench_schema("small") as small_schema, bench_schema("large") as large_schema:
        t0 = time.perf_counter()
        small = database.seed(small_schema, sites=10, parcels=10, parcel_sites=1, known=10)
        large = database.seed(large_schema, sites=p.large_sites, parcels=p.large_parcels,
                              parcel_sites=p.parcel_sites, known=10)
        results["seed_seconds"] = time.perf_counter() - t0
        print(f"seeded in {results['seed_seconds']:.1f} s", flush=True)
        if args.explain:
            from .explain import explain, print_plans

            print_plans(explain(large_schema, large))

        fake = relay.FakeTwilioProcess()
        try:
            results["relay_concurrency"] = n = relay.relay_concurrency()
            results["relay"] = relay.relay_rate(small_schema, fake.url, p.relay_messages)
            results["sdk_alone"] = relay.sdk_rate(fake.url, p.relay_messages, n)
            results["raw_http"] = relay.raw_rate(fake.url, p.relay_messages, n)
        finally:
            fake.stop()
        print("relay done", flush=True)

        results["occupancy_small"], results["occupancy_large"] = latency.in_turns(
            latency.occupancy_summaries(small_schema), latency.occupancy_summaries(large_schema),
            p.occupancy_samples, warmup=5)
        print("occupancy done", flush=True)

        small_service, large_service = Service(small_schema), Service(large_schema)
        try:
            results["reserve_small"], results["reserve_large"] = latency.in_turns(
                latency.reservations(small_service.port, small), latency.reservations(large_service.port, large),
                p.latency_samples, warmup=20)
            results["pickup_small"], results["pickup_large"] = latency.in_turns(
                latency.pickups(small_service.port, small_schema, small),
                latency.pickups(large_service.port, large_schema, large), p.latency_samples, warmup=10)
        finally:
            small_service.stop()
        print("latency done", flush=True)
        try:
            results["throughput"] = throughput(large_service, large_schema, large, p, args.concurrency)
            results["rss_mib"] = large_service.peak_rss_mib()
        finally:
            large_service.stop()
    # The resident's figures, each on a schema of its own (the large data set is gone by now).
    results["wave"] = wave.run_wave(WAVE_RATE, p.wave_seconds)
    print("wave done", flush=True)
    results["doors"] = doors.run_doors(p.door_samples, max(3, p.door_samples // 10))
    print("doors done", flush=True)
    results["offline"] = offline_check.measure(p.offline_rounds)
    report(p, small, large, results, args.concurrency, time.perf_counter() - started)
    return 0


def report(p: Plan, small: Seeded, large: Seeded, r: dict[str, Any], concurrency: int, elapsed: float) -> None:
    table("Data", ["case", "sites", "compartments", "stored parcels", "districts of"],
          [["small", str(small.sites), f"{small.compartments:,}", str(small.parcels), "10 sites"],
           ["large", f"{large.sites:,}", f"{large.compartments:,}", f"{large.parcels:,}", "10 sites"]])
    tp = r["throughput"]
    h, f, b = tp["http"], tp["floor"], tp["bare"]
    h_rate, f_rate, b_rate = len(h["pairs"]) / h["wall"], len(f["pairs"]) / f["wall"], len(b["pairs"]) / b["wall"]
    table(f"Reserve+deposit pairs at {concurrency} concurrent couriers ({large.compartments:,} compartments)",
          ["path", "pairs", "errors", "pairs/s", "pair p50 ms", "pair p99 ms", "driver CPU % of a core"],
          [["HTTP (gunicorn)", str(len(h["pairs"])), str(len(h["errors"])), f"{h_rate:.1f}",
            ms(statistics.median(h["pairs"])), ms(percentile(h["pairs"], 0.99)), f"{100 * h['cpu'] / h['wall']:.0f}"],
           ["bare Flask, floor SQL, 1 request", str(len(b["pairs"])), str(len(b["errors"])), f"{b_rate:.1f}",
            ms(statistics.median(b["pairs"])), ms(percentile(b["pairs"], 0.99)), f"{100 * b['cpu'] / b['wall']:.0f}"],
           ["floor (psycopg)", str(len(f["pairs"])), str(len(f["errors"])), f"{f_rate:.1f}",
            ms(statistics.median(f["pairs"])), ms(percentile(f["pairs"], 0.99)), f"{100 * f['cpu'] / f['wall']:.0f}"]])
    per_pair = 1000 * h["service_cpu"] / max(1, len(h["pairs"]))
    bare_per_pair = 1000 * b["service_cpu"] / max(1, len(b["pairs"]))
    print(f"gunicorn workers' CPU per pair: service {per_pair:.1f} ms, bare Flask {bare_per_pair:.1f} ms; "
          f"floor driver CPU per pair: {1000 * f['cpu'] / max(1, len(f['pairs'])):.1f} ms")
    print(f"bare Flask vs floor (the issue's yardstick, not a goal): {b_rate / f_rate:.3f}; "
          f"service vs bare Flask: {h_rate / b_rate:.3f}")
    table("HTTP requests inside those pairs", ["request", "count", "p50 ms", "p90 ms", "p99 ms"],
          [latency_row("reserve", h["reserve"]), latency_row("deposit", h["deposit"])])
    table("Sequential latency, one client", ["what", "samples", "p50 ms", "p90 ms", "p99 ms"],
          [latency_row(f"reserve, {small.compartments:,} compartments", r["reserve_small"]),
           latency_row(f"reserve, {large.compartments:,} compartments", r["reserve_large"]),
           latency_row(f"kiosk pickup, {small.parcels} parcels", r["pickup_small"]),
           latency_row(f"kiosk pickup, {large.parcels:,} parcels", r["pickup_large"]),
           latency_row(f"occupancy of a district, {small.compartments:,} compartments", r["occupancy_small"]),
           latency_row(f"occupancy of a district, {large.compartments:,} compartments", r["occupancy_large"])])
    print(f"occupancy measured through: {occupancy.source()}")
    rl, sdk, raw = r["relay"], r["sdk_alone"], r["raw_http"]

    def sms_row(name: str, x: dict[str, Any]) -> list[str]:
        return [name, str(x["messages"]), f"{x['messages'] / x['wall']:.1f}", f"{100 * x['cpu'] / x['wall']:.0f}",
                f"{1000 * x['cpu'] / max(1, x['messages']):.2f}"]

    table(f"SMS to the local fake Twilio, concurrency {r['relay_concurrency']}",
          ["path", "messages", "messages/s", "CPU % of a core", "CPU ms per message"],
          [sms_row("relay (relay_job, Twilio SDK)", rl), sms_row("Twilio SDK alone (no database)", sdk),
           sms_row("bare HTTP posts (http.client)", raw)])
    print(f"\npeak RSS of one web worker: {r['rss_mib']:.1f} MiB; whole run {elapsed:.0f} s"
          f"{' (QUICK: a tenth of the data)' if p.quick else ''}")
    print(f"relay vs Twilio SDK alone (not a goal, the SDK's own share): "
          f"{(rl['messages'] / rl['wall']) / (sdk['messages'] / sdk['wall']):.3f}")
    print(f"assign p50/p99 through HTTP: pair {ms(statistics.median(h['pairs'])).strip()} / "
          f"{ms(percentile(h['pairs'], 0.99)).strip()} ms")
    med = statistics.median
    print(f"ratio assign_http_vs_raw_sql: {h_rate / f_rate:.3f}")
    print(f"ratio pickup_100k_vs_10: {med(r['pickup_large']) / med(r['pickup_small']):.3f}")
    print(f"ratio assign_1m_vs_1k: {med(r['reserve_large']) / med(r['reserve_small']):.3f}")
    print(f"ratio occupancy_1m_vs_1k: {med(r['occupancy_large']) / med(r['occupancy_small']):.3f}")
    print(f"ratio relay_vs_raw_http: {(rl['messages'] / rl['wall']) / (raw['messages'] / raw['wall']):.3f}")
    print(f"ratio web_worker_peak_rss_mib: {r['rss_mib']:.1f}")
    print(f"ratio service_cpu_ms_per_pair: {per_pair:.1f}")
    if "wave" in r:
        wave.report(r["wave"])
    if "doors" in r:
        doors.report(r["doors"])
    if "offline" in r:
        offline_check.report(r["offline"])


if __name__ == "__main__":
    sys.exit(main())
