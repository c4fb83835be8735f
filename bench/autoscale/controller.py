#!/usr/bin/env python3
"""The autoscaling run of bench/autoscale.sh: a load that rises, holds and falls, and a controller
that starts and stops worker JVMs on the queue's backlog as Kubernetes' HPA (driven by KEDA's
metrics-api trigger) would. Standard library only.

- Load: paced POSTs to /api/v1/tasks/bulk/ (one request every 100 ms carrying what is due), the
  rate going 0 -> peak over --ramp seconds, holding --hold seconds, back to 0 over --fall seconds.
- Metric: `backlog` of GET /api/v1/queues/<q>/ (due new + processing), read once a second.
- Controller, every --period seconds: desired = ceil(current x (backlog / current) / target),
  target = one node's capacity, no change within the HPA's 10 % tolerance, clamped to
  [--min, --max]; one node more at most every --up-every seconds, one node fewer at most every
  --down-every seconds, and only when the highest recommendation of the last --window seconds
  (the scale-down stabilisation window) is below the current count. Scale-in is SIGTERM to the
  newest worker: it finishes or hands back what it holds and exits.
- Samples once a second into samples.csv; workers.json lists every worker JVM, its node id (from
  the workers table), when it started, was ready and stopped, and its exit code.
"""
import argparse
import csv
import http.client
import json
import math
import os
import signal
import subprocess
import threading
import time
import urllib.request

TOLERANCE = 0.1  # the HPA's default --horizontal-pod-autoscaler-tolerance


LOG = None


def say(line):
    print(line, flush=True)
    if LOG:
        LOG.write(line + "\n")
        LOG.flush()


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1) as r:
            return r.status == 200
    except Exception:
        return False


class Cpu:
    """CPU seconds per second of this database's PostgreSQL backends (their /proc/<pid>/stat), and
    of the whole machine (/proc/stat), between two calls."""

    def __init__(self, psql):
        self.psql = psql
        self.tick = os.sysconf("SC_CLK_TCK")
        self.seen = {}
        self.last = None

    @staticmethod
    def machine():
        v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        return sum(v) - v[3] - v[4], sum(v)  # busy (all but idle and iowait), total

    def sample(self, elapsed):
        out = subprocess.run(self.psql.split() + ["-c", "SELECT pid FROM pg_stat_activity WHERE datname ="
                                                  " current_database() AND pid <> pg_backend_pid()"],
                             capture_output=True, text=True).stdout
        used = 0.0
        seen = {}
        for pid in (line.strip() for line in out.splitlines() if line.strip()):
            try:
                f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks = int(f[11]) + int(f[12])
            used += ticks - self.seen.get(pid, ticks if self.last is None else 0)
            seen[pid] = ticks
        self.seen = seen
        busy, total = self.machine()
        cores = os.cpu_count()
        if self.last is None:
            self.last = (busy, total)
            return 0.0, 0.0
        share = (busy - self.last[0]) / max(1, total - self.last[1]) * cores
        self.last = (busy, total)
        return used / self.tick / max(elapsed, 1e-3), share


class Load(threading.Thread):
    """Offers rate(t) tasks/s as bulk creates; counts what was offered and what was created."""

    def __init__(self, args, t0):
        super().__init__(daemon=True)
        self.a, self.t0 = args, t0
        self.offered = 0
        self.created = 0
        self.failed = 0
        self.done = False
        self.lock = threading.Lock()

    def rate(self, t):
        a = self.a
        if t < a.ramp:
            return a.peak * t / a.ramp
        if t < a.ramp + a.hold:
            return a.peak
        if t < a.ramp + a.hold + a.fall:
            return a.peak * (1 - (t - a.ramp - a.hold) / a.fall)
        return 0.0

    def scheduled(self, t):
        """Tasks the schedule offers in [0, t): the integral of rate."""
        a, peak = self.a, self.a.peak
        total = peak * min(t, a.ramp) ** 2 / (2 * a.ramp)
        if t > a.ramp:
            total += peak * min(t - a.ramp, a.hold)
        if t > a.ramp + a.hold:
            u = min(t - a.ramp - a.hold, a.fall)
            total += peak * (u - u * u / (2 * a.fall))
        return int(total)

    def run(self):
        a = self.a
        length = a.ramp + a.hold + a.fall
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
        due = 0.0  # tasks due so far (fractional)
        sent = 0
        seq = 0
        tick = 0.1
        next_at = self.t0
        while True:
            now = time.time()
            t = now - self.t0
            if t >= length:
                break
            due += self.rate(t) * tick
            n = min(int(due) - sent, 1000)
            if n > 0:
                body = json.dumps([{"title": f"autoscale {seq + i}", "queue": a.queue} for i in range(n)])
                seq += n
                sent += n
                with self.lock:
                    self.offered += n
                try:
                    conn.request("POST", "/api/v1/tasks/bulk/", body, {"Content-Type": "application/json"})
                    r = conn.getresponse()
                    r.read()
                    ok = r.status == 201
                except Exception:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
                    ok = False
                with self.lock:
                    if ok:
                        self.created += n
                    else:
                        self.failed += n
            next_at += tick
            time.sleep(max(0.0, next_at - time.time()))
        self.done = True

    def counts(self):
        with self.lock:
            return self.offered, self.created, self.failed



class Workers:
    """Worker JVMs started and stopped by the controller."""

    def __init__(self, args, out):
        self.a, self.out = args, out
        self.nodes = []  # dicts: slot, pid, proc, node_id, started, ready, stopping, stopped, rc, why
        self.lock = threading.Lock()

    def running(self):  # what the HPA counts as current: started and not being stopped
        return [n for n in self.nodes if n["stopping"] is None]

    def known_ids(self):
        out = subprocess.run(self.a.psql.split() + ["-c", "SELECT node_id FROM workers WHERE role = 'worker'"],
                             capture_output=True, text=True).stdout
        return {line.strip() for line in out.splitlines() if line.strip()}

    def start(self, t):
        a = self.a
        used = {n["slot"] for n in self.nodes if n["stopped"] is None}
        slot = min(s for s in range(1, a.max + 2) if s not in used)
        port = a.port + slot
        env = dict(os.environ, TASKS_ROLE="worker", TASKS_HTTP_PORT=str(port), TASKS_DB_URL=a.db_url,
                   TASKS_QUEUES=f"{a.queue}={a.capacity}", TASKS_PROCESSING_DELAY_MS=str(a.delay_ms),
                   TASKS_SHUTDOWN_GRACE_MS=str(a.grace_ms), TASKS_DB_POOL_SIZE=str(a.pool),
                   TASKS_LOG_FORMAT="text", **dict(kv.split("=", 1) for kv in a.env))
        log = open(f"{self.out}/worker-{len(self.nodes) + 1}.log", "w")
        proc = subprocess.Popen(["java"] + a.java_opts.split() + ["-jar", a.jar], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        node = {"name": f"worker-{len(self.nodes) + 1}", "slot": slot, "port": port, "pid": proc.pid,
                "proc": proc, "node_id": None, "started": t, "ready": None, "stopping": None,
                "stopped": None, "rc": None, "why": None, "before": self.known_ids()}
        with open(f"{self.out}/pids", "a") as f:
            f.write(f"{proc.pid}\n")
        self.nodes.append(node)
        say(f"[autoscale {t:6.1f}s] start {node['name']} (pid {proc.pid}, port {port})")

    def stop(self, node, t, why):
        node["stopping"], node["why"] = t, why
        say(f"[autoscale {t:6.1f}s] SIGTERM {node['name']} (pid {node['pid']}, {why})")
        node["proc"].send_signal(signal.SIGTERM)

    def poll(self, t):
        """Marks workers ready or exited; returns the number ready and not stopping."""
        for n in self.nodes:
            if n["stopped"] is None and n["proc"].poll() is not None:
                n["stopped"], n["rc"] = t, n["proc"].returncode
                if n["stopping"] is None:
                    n["stopping"], n["why"] = t, "exited by itself"
                say(f"[autoscale {t:6.1f}s] {n['name']} exited with {n['rc']}")
            if n["ready"] is None and n["stopped"] is None and ready(n["port"]):
                n["ready"] = t
                new = self.known_ids() - n["before"] - {m["node_id"] for m in self.nodes}
                n["node_id"] = sorted(new)[0] if len(new) == 1 else None
                say(f"[autoscale {t:6.1f}s] {n['name']} ready ({n['node_id']})")
        return sum(1 for n in self.nodes if n["ready"] is not None and n["stopping"] is None)

    def dump(self):
        keep = ("name", "port", "pid", "node_id", "started", "ready", "stopping", "stopped", "rc", "why")
        with open(f"{self.out}/workers.json", "w") as f:
            json.dump([{k: n[k] for k in keep} for n in self.nodes], f, indent=1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--port", type=int, required=True, help="the HTTP node; workers take the next ports")
    p.add_argument("--jar", required=True)
    p.add_argument("--db-url", required=True)
    p.add_argument("--psql", required=True)
    p.add_argument("--queue", default="autoscale")
    p.add_argument("--capacity", type=int, default=200)
    p.add_argument("--delay-ms", type=int, default=1000)
    p.add_argument("--grace-ms", type=int, default=10000)
    p.add_argument("--pool", type=int, default=8)
    p.add_argument("--min", type=int, default=1)
    p.add_argument("--max", type=int, default=5)
    p.add_argument("--period", type=float, default=2)
    p.add_argument("--up-every", type=float, default=10)
    p.add_argument("--down-every", type=float, default=15)
    p.add_argument("--window", type=float, default=30)
    p.add_argument("--peak", type=float, default=800)
    p.add_argument("--ramp", type=float, default=60)
    p.add_argument("--hold", type=float, default=90)
    p.add_argument("--fall", type=float, default=60)
    p.add_argument("--tail", type=float, default=120, help="most seconds after the load to drain and scale in")
    p.add_argument("--drain-limit", type=float, default=300,
                   help="most seconds past the tail to wait for the backlog to drain")
    p.add_argument("--java-opts", default="-Xmx256m")
    p.add_argument("--env", action="append", default=[], help="NAME=VALUE for every worker")
    a = p.parse_args()
    if a.min < 1:
        p.error("--min must be at least 1")

    global LOG
    LOG = open(f"{a.out}/controller.log", "a")
    stop_now = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_now.set())
    signal.signal(signal.SIGINT, lambda *_: stop_now.set())

    workers = Workers(a, a.out)
    t0 = time.time()
    for _ in range(a.min):
        workers.start(0.0)
    # the load starts once the first workers consume the queue
    while workers.poll(time.time() - t0) < a.min:
        if stop_now.is_set() or any(n["stopped"] is not None for n in workers.nodes):
            workers.dump()
            raise SystemExit("a worker did not start")
        time.sleep(0.2)
    t0 = time.time()
    for n in workers.nodes:
        n["started"], n["ready"] = 0.0, 0.0
    load = Load(a, t0)
    load.start()
    load_end = a.ramp + a.hold + a.fall

    recommendations = []  # (t, desired)
    last_up = last_down = -1e9
    last_control = -1e9
    prev_final = None
    desired = a.min
    fields = ["second", "offered", "created", "rejected", "backlog", "new", "processing",
              "oldest_new_age_seconds", "desired", "nodes", "ready", "consumers", "finished", "finished_total",
              "pg_cpu", "machine_cpu"]
    f = open(f"{a.out}/samples.csv", "w", newline="")
    w = csv.writer(f)
    w.writerow(fields)
    prev_offered = prev_created = prev_failed = 0
    second = 0
    drained_at = None
    cpu = Cpu(a.psql)
    cpu.sample(1)
    last_cpu = time.time()
    while not stop_now.is_set():
        second += 1
        time.sleep(max(0.0, t0 + second - time.time()))
        t = time.time() - t0
        try:
            q = get_json(f"http://127.0.0.1:{a.port}/api/v1/queues/{a.queue}/")
        except Exception as e:  # the queue appears with its first task or worker
            q = {"backlog": 0, "oldest_new_age_seconds": None, "consumers": None,
                 "counts": {"new": 0, "processing": 0, "done": 0, "failed": 0, "cancelled": 0}}
            if not str(e).startswith("HTTP Error 404"):
                say(f"[autoscale {t:6.1f}s] queue read failed: {e}")
        now = time.time()
        pg_cpu, machine_cpu = cpu.sample(now - last_cpu)
        last_cpu = now
        c = q["counts"]
        final = c["done"] + c["failed"] + c["cancelled"]
        finished = 0 if prev_final is None else final - prev_final
        prev_final = final
        n_ready = workers.poll(t)
        _, created, failed = load.counts()
        offered = load.scheduled(second)  # what the schedule offered by this second, sent or not
        backlog = q["backlog"]

        if t - last_control >= a.period:
            last_control = t
            current = len(workers.running())
            per_node = backlog / current
            ratio = per_node / a.capacity
            raw = current if abs(ratio - 1) <= TOLERANCE else math.ceil(current * ratio)
            desired = max(a.min, min(a.max, raw))
            recommendations.append((t, desired))
            recommendations = [(s, d) for s, d in recommendations if t - s <= a.window]
            stabilised = max(d for _, d in recommendations)
            if desired > current and t - last_up >= a.up_every:
                workers.start(t)
                last_up = t
            elif stabilised < current and t - last_down >= a.down_every:
                newest = max(workers.running(), key=lambda n: n["started"])
                workers.stop(newest, t, "scale-in")
                last_down = t

        w.writerow([second, offered - prev_offered, created - prev_created, failed - prev_failed, backlog,
                    c["new"], c["processing"], "" if q["oldest_new_age_seconds"] is None
                    else q["oldest_new_age_seconds"], desired, len(workers.running()), n_ready,
                    "" if q["consumers"] is None else q["consumers"], finished, final,
                    f"{pg_cpu:.2f}", f"{machine_cpu:.2f}"])
        f.flush()
        prev_offered, prev_created, prev_failed = offered, created, failed

        if load.done and backlog == 0 and c["new"] == 0 and final >= created:
            drained_at = drained_at or t
            # the run ends once drained and scaled in (or the tail is over)
            if len(workers.running()) <= a.min and all(n["stopped"] is not None for n in workers.nodes
                                                       if n["stopping"] is not None):
                break
        if t > load_end + a.tail and (drained_at is not None or t > load_end + a.tail + a.drain_limit):
            # scale-in may be unfinished; the remaining workers stop below, once nothing waits
            say(f"[autoscale {t:6.1f}s] tail of {a.tail:.0f} s over")
            break
    f.close()
    # the end: the remaining workers stop the same way (SIGTERM)
    t = time.time() - t0
    for n in workers.running():
        workers.stop(n, t, "end of run")
    deadline = time.time() + 60
    while any(n["stopped"] is None for n in workers.nodes) and time.time() < deadline:
        workers.poll(time.time() - t0)
        time.sleep(0.2)
    for n in workers.nodes:
        if n["stopped"] is None:
            n["proc"].kill()
            n["proc"].wait()
            n["stopped"], n["rc"] = time.time() - t0, "SIGKILL after 60 s"
    workers.dump()
    offered, created, failed = load.counts()
    with open(f"{a.out}/load.json", "w") as f:
        json.dump({"offered": offered, "created": created, "rejected": failed, "drained_at": drained_at,
                   "load_end": load_end, "t0": t0}, f)
    say(f"[autoscale] offered {offered}, created {created}, rejected {failed}")


if __name__ == "__main__":
    main()
