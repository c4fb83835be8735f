#!/usr/bin/env python3
"""The soak's clients: creates at a steady rate, each with its own Idempotency-Key, retried with
the same key and body until a 201 arrives, whatever happens to the service meanwhile.

Open loop: requests are due at fixed times whether or not earlier ones have been answered, and a
request's latency counts from when it was due. Writes, in --out:
  keys.NAME.jsonl  one line per key: {"key", "title", "id", "attempts", "replays"}
  stats.NAME.csv   one line per second: answers by kind and the latency percentiles of that second
Several processes (--name) share the rate on a busy machine: one Python process alone gets too
little of the CPU to keep up.
Standard library only (HTTP/1.1 keep-alive over asyncio streams).
"""
import argparse
import asyncio
import json
import random
import signal
import time
import uuid


class Stats:
    def __init__(self, start):
        self.start = start
        self.rows = {}

    def row(self, t):
        sec = int(t - self.start)
        r = self.rows.get(sec)
        if r is None:
            r = self.rows[sec] = {"created": 0, "replayed": 0, "attempts": 0, "s409": 0, "s503": 0,
                                  "s5xx": 0, "s4xx": 0, "errors": 0, "lat": []}
        return r

    def write(self, path):
        with open(path, "w") as f:
            f.write("second,created,replayed,attempts,s409,s503,s5xx,s4xx,errors,p50_ms,p99_ms\n")
            for sec in sorted(self.rows):
                r = self.rows[sec]
                lat = sorted(r["lat"])
                p50 = lat[int(0.50 * (len(lat) - 1))] if lat else ""
                p99 = lat[int(0.99 * (len(lat) - 1))] if lat else ""
                f.write(f"{sec},{r['created']},{r['replayed']},{r['attempts']},{r['s409']},{r['s503']},"
                        f"{r['s5xx']},{r['s4xx']},{r['errors']},{p50 and round(p50 * 1000, 2)},"
                        f"{p99 and round(p99 * 1000, 2)}\n")


class Connection:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def post(self, path, headers, body, timeout):
        if self.writer is None:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), timeout)
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        self.writer.write(head.encode() + body)
        return await asyncio.wait_for(self._response(), timeout)

    async def _response(self):
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self):
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception:
                pass
        self.reader = self.writer = None


async def run(args):
    host, port = args.host, args.port
    start = args.start or time.time()
    stats = Stats(start)
    queue = asyncio.Queue()
    results = []
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    rng = random.Random(args.seed)

    async def schedule():
        n = 0
        interval = 1.0 / args.rate
        t0 = time.time()
        while not stopping.is_set() and time.time() - t0 < args.duration:
            due = t0 + n * interval
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            length = rng.randint(5, 60)
            title = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(length)).strip() or "t"
            queue.put_nowait({"key": str(uuid.uuid4()), "title": title, "due": due})
            n += 1

    async def client():
        conn = Connection(host, port)
        while True:
            job = await queue.get()
            if job is None:
                conn.close()
                return
            body = json.dumps({"title": job["title"]}).encode()
            headers = {"Content-Type": "application/json", "Idempotency-Key": f'"{job["key"]}"'}
            attempts = replays = 0
            backoff = 0.1
            first = True
            while True:
                attempts += 1
                sent = time.time()
                try:
                    status, h, resp = await conn.post("/api/v1/tasks/", headers, body, args.timeout)
                except (OSError, ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
                    conn.close()
                    status, h, resp = None, {}, b""
                now = time.time()
                r = stats.row(now)
                r["attempts"] += 1
                # the first attempt's latency counts from when it was due (open loop)
                r["lat"].append(now - (job["due"] if first else sent))
                first = False
                if status == 201:
                    replayed = h.get("idempotent-replayed") == "true"
                    r["replayed" if replayed else "created"] += 1
                    replays += replayed
                    results.append({"key": job["key"], "title": job["title"],
                                    "id": json.loads(resp)["id"], "attempts": attempts,
                                    "replays": replays})
                    break
                if status is None:
                    r["errors"] += 1
                elif status == 409:
                    r["s409"] += 1
                elif status == 503:
                    r["s503"] += 1
                elif status >= 500:
                    r["s5xx"] += 1
                else:
                    # a 4xx other than 409 would be a bug: record it and give up on the key
                    r["s4xx"] += 1
                    results.append({"key": job["key"], "title": job["title"], "id": None,
                                    "attempts": attempts, "status": status,
                                    "body": resp.decode(errors="replace")[:200]})
                    break
                if time.time() - start > args.duration + args.drain:
                    results.append({"key": job["key"], "title": job["title"], "id": None,
                                    "attempts": attempts, "status": status})
                    break
                await asyncio.sleep(backoff * (0.5 + rng.random()))
                backoff = min(backoff * 2, 5.0)

    clients = [asyncio.create_task(client()) for _ in range(args.connections)]
    await schedule()
    for _ in clients:
        queue.put_nowait(None)
    await asyncio.gather(*clients)
    with open(f"{args.out}/keys.{args.name}.jsonl", "w") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")
    stats.write(f"{args.out}/stats.{args.name}.csv")
    ok = sum(1 for r in results if r["id"] is not None)
    print(f"LOADGEN keys={len(results)} created={ok} unfinished={len(results) - ok} "
          f"seconds={time.time() - start:.0f}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--rate", type=float, required=True, help="creates per second")
    p.add_argument("--duration", type=float, required=True, help="seconds of new creates")
    p.add_argument("--drain", type=float, default=180, help="seconds to keep retrying after that")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    p.add_argument("--name", default="0", help="this client process's name, in its file names")
    p.add_argument("--start", type=float, help="epoch second the statistics count from")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
