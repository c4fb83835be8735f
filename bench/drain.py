#!/usr/bin/env python3
"""Drain measurement: create N tasks at once, then time how long the workers take to finish them.

1. N POST /api/v1/tasks/ requests are sent over C keep-alive connections (one thread each), as
   fast as the service answers. Every response must be 201 with an id.
2. PostgreSQL is then polled (psql) until every created task is done or failed (or, with
   --until processing, until every one is processing: memory.sh holds them there).

Prints one line that bench/run.sh parses:
  BENCH created=N non201=0 create_s=… create_rps=… drain_s=… total_s=…
where drain_s runs from the last create's response to the moment all N are final (the floor is
the service's processing delay, 3 s by default) and total_s from the first request sent.
Exit status 1 when a create did not get 201 or the tasks did not all finish within --timeout.

Standard library only, so it runs wherever python3 does.
"""

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.parse


def create_all(url, total, concurrency):
    """Sends `total` creates over `concurrency` connections; returns ids, failures, t0, t_last."""
    parsed = urllib.parse.urlsplit(url)
    next_index = iter(range(total))
    lock = threading.Lock()
    ids, failures = [], []
    last_response = [0.0]

    def worker():
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            body = json.dumps({"title": f"drain {i}"})
            try:
                conn.request(
                    "POST", "/api/v1/tasks/", body, {"Content-Type": "application/json"}
                )
                response = conn.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as e:
                # a broken keep-alive connection: report it, reconnect, go on
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
                with lock:
                    failures.append(f"{type(e).__name__}: {e}")
                continue
            now = time.monotonic()
            with lock:
                last_response[0] = max(last_response[0], now)
                if status == 201:
                    ids.append(json.loads(payload)["id"])
                else:
                    failures.append(f"HTTP {status}: {payload[:200]!r}")
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ids, failures, t0, last_response[0]


def psql(db_url, sql):
    out = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", db_url, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="service base URL, e.g. http://127.0.0.1:18080")
    ap.add_argument("--db-url", required=True, help="postgresql://… of the service's database")
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=600, help="seconds to wait for all final")
    ap.add_argument("--poll", type=float, default=0.05, help="seconds between polls")
    ap.add_argument(
        "--until",
        choices=("final", "processing"),
        default="final",
        help="wait until all are done/failed (default), or until all are processing (memory.sh)",
    )
    args = ap.parse_args()

    ids, failures, t0, t_last = create_all(args.url, args.tasks, args.concurrency)
    create_s = t_last - t0
    print(
        f"drain: {len(ids)} created with 201 in {create_s:.2f}s"
        f" ({len(ids) / create_s if create_s > 0 else 0:.0f}/s), {len(failures)} failed",
        file=sys.stderr,
    )
    for f in failures[:5]:
        print(f"drain: failure: {f}", file=sys.stderr)
    if not ids:
        print(f"BENCH created=0 non201={len(failures)}")
        return 1

    # Only this script creates tasks meanwhile, so the id range holds exactly our tasks.
    lo, hi = min(ids), max(ids)
    in_range = int(psql(args.db_url, f"SELECT count(*) FROM tasks WHERE id BETWEEN {lo} AND {hi}"))
    if in_range != len(ids):
        print(f"drain: warning: {in_range} rows in id range, {len(ids)} created", file=sys.stderr)
    waiting_for = "('done', 'failed')" if args.until == "final" else "('processing')"
    query = (
        "SELECT count(*) FROM tasks WHERE id BETWEEN "
        f"{lo} AND {hi} AND status NOT IN {waiting_for}"
    )
    deadline = time.monotonic() + args.timeout
    while True:
        left = int(psql(args.db_url, query))
        now = time.monotonic()
        if left == 0:
            break
        if now > deadline:
            print(f"drain: {left} tasks not {args.until} after {args.timeout}s", file=sys.stderr)
            print(f"BENCH created={len(ids)} non201={len(failures)} unfinished={left}")
            return 1
        time.sleep(args.poll)

    counts = psql(
        args.db_url,
        f"SELECT string_agg(status || '=' || n, ',' ORDER BY status) FROM"
        f" (SELECT status, count(*) AS n FROM tasks WHERE id BETWEEN {lo} AND {hi} GROUP BY 1) s",
    )
    print(f"drain: all {args.until} ({counts})", file=sys.stderr)
    print(
        f"BENCH created={len(ids)} non201={len(failures)} create_s={create_s:.3f}"
        f" create_rps={len(ids) / create_s if create_s > 0 else 0:.1f}"
        f" drain_s={now - t_last:.3f} total_s={now - t0:.3f} final={counts}"
    )
    return 0 if not failures and len(ids) == args.tasks else 1


if __name__ == "__main__":
    sys.exit(main())
