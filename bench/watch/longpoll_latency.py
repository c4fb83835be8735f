#!/usr/bin/env python3
"""Long-poll latency: how long after a task's final commit its waiting long poll is answered.

Creates TASKS tasks, CONCURRENCY at a time; for each, sends GET /api/v1/tasks/{id}/?wait=60 right
after the create and records, when the answer arrives, now minus the task's updated_at (the
database's clock on this machine): the time from the completion's commit to the answer at the
client, which bounds "commit to bytes leaving the node" from above. Prints p50/p95/p99/max in ms.

  python3 bench/watch/longpoll_latency.py --port 8000 --tasks 300 --concurrency 20
"""
import argparse
import concurrent.futures
import datetime
import http.client
import json
import statistics
import time


def one(port, title):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    conn.request("POST", "/api/v1/tasks/", json.dumps({"title": title}),
                 {"Content-Type": "application/json"})
    created = json.loads(conn.getresponse().read())
    conn.request("GET", f"/api/v1/tasks/{created['id']}/?wait=60")
    response = conn.getresponse()
    body = response.read()
    arrived = datetime.datetime.now(datetime.timezone.utc)
    conn.close()
    task = json.loads(body)
    if task["status"] not in ("done", "failed"):
        return None
    finished = datetime.datetime.fromisoformat(task["updated_at"].replace("Z", "+00:00"))
    return (arrived - finished).total_seconds() * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(lambda i: one(args.port, "t" * (1 + i % 2)), range(args.tasks)))
    latencies = sorted(r for r in results if r is not None)
    unanswered = len(results) - len(latencies)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]

    print(f"long polls: {len(results)} ({unanswered} answered before final), "
          f"{time.monotonic() - started:.1f} s")
    if latencies:
        print(f"completion commit -> answer at the client, ms: p50 {pct(50):.1f}  p95 {pct(95):.1f}"
              f"  p99 {pct(99):.1f}  max {latencies[-1]:.1f}  mean {statistics.mean(latencies):.1f}")


if __name__ == "__main__":
    main()
