#!/usr/bin/env python3
"""Checks a soak run (bench/soak.sh) and reports it: one table (report.md) and one picture
(soak.svg: creates/s, finishes/s and p99 latency over time, faults marked). Exits 1 when a check
fails. Standard library only; the database is read through the psql command given.
"""
import argparse
import csv
import glob
import json
import os
import re
import statistics
import subprocess
from datetime import datetime

FAULT_WINDOW = (-2, 60)  # seconds around a fault in which an ERROR line counts as explained


def sql(psql, query):
    out = subprocess.run(psql.split() + ["-F", "\t", "-c", query], check=True,
                         capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def outcome(title):
    return ("done", "success") if len(title) % 2 == 0 else ("failed", "error")


def heap_series(out, start):
    """After-GC heap (MiB) per process incarnation: {label: [(seconds since soak start, MiB)]}."""
    born = {}
    with open(f"{out}/incarnations.log") as f:
        for line in f:
            epoch, name, pid = line.split()
            born[pid] = (name, float(epoch))
    series = {}
    for path in glob.glob(f"{out}/gc-*.log"):
        pid = re.search(r"-(\d+)\.log$", path).group(1)
        if pid not in born:
            continue
        name, epoch = born[pid]
        points = []
        with open(path) as f:
            for line in f:
                m = re.search(r"^\[([\d.]+)s\].*?(\d+)M->(\d+)M\((\d+)M\)", line)
                if m:
                    points.append((epoch - start + float(m.group(1)), int(m.group(3))))
        if points:
            series[f"{name} (pid {pid})"] = points
    return series


def trend(points, warmup=60):
    """(first third median, last third median) of the after-GC heap past the warm-up, or None."""
    pts = [p for p in points if p[0] - points[0][0] >= warmup]
    if len(pts) < 9 or pts[-1][0] - pts[0][0] < 120:
        return None
    third = len(pts) // 3
    return statistics.median(v for _, v in pts[:third]), statistics.median(v for _, v in pts[-third:])


def error_lines(out, start, faults):
    explained, unexplained = [], []
    for path in glob.glob(f"{out}/*.log"):
        node = os.path.basename(path)[:-4]
        if node.startswith("gc-") or node in ("loadgen", "proxy", "faults", "incarnations"):
            continue
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"^(\d{4}-\d\d-\d\dT[\d:.]+Z) ERROR ", line)
                if not m:
                    continue
                t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() - start
                # log times are UTC; timestamp() read them as local time
                t += datetime.now().astimezone().utcoffset().total_seconds()
                near = [name for at, name in faults if FAULT_WINDOW[0] <= t - at <= FAULT_WINDOW[1]]
                (explained if near else unexplained).append((round(t, 1), node, line.strip()[:300], near))
    return explained, unexplained


def svg(out, stats, finishes, faults, length):
    w, h, left, top, gap = 960, 170, 70, 50, 40
    panels = [("creates/s (201, new task)", [(int(r["second"]), float(r["created"])) for r in stats], "#1f77b4"),
              ("finishes/s (done + failed)", sorted(finishes.items()), "#2ca02c"),
              ("p99 latency, ms (log scale)", [(int(r["second"]), float(r["p99_ms"])) for r in stats if r["p99_ms"]],
               "#d62728")]
    span = max([length] + [s for _, pts, _ in panels for s, _ in pts]) + 1
    height = top + len(panels) * (h + gap) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + left + 20}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="100%" height="100%" fill="white"/>',
             f'<text x="{left}" y="18" font-size="14">task-service soak: {length:.0f} s, faults marked</text>']
    import math
    for i, (title, pts, color) in enumerate(panels):
        y0 = top + i * (h + gap)
        log = "log" in title
        vals = [v for _, v in pts if v > 0] or [1]
        vmax = max(vals)
        if log:
            lo, hi = math.log10(max(min(vals), 0.1)), math.log10(vmax) + 0.1
            scale = lambda v: y0 + h - (math.log10(max(v, 0.1)) - lo) / max(hi - lo, 1e-9) * h
            ticks = [10 ** e for e in range(int(math.floor(lo)), int(math.ceil(hi)) + 1)]
        else:
            scale = lambda v: y0 + h - v / (vmax * 1.1) * h
            step = 10 ** max(0, len(str(int(vmax))) - 1)
            ticks = [k * step for k in range(0, int(vmax * 1.1 / step) + 1)]
        parts.append(f'<text x="{left}" y="{y0 - 6}">{title}</text>')
        parts.append(f'<rect x="{left}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#999"/>')
        for t in ticks:
            y = scale(t)
            if y0 <= y <= y0 + h:
                parts.append(f'<line x1="{left - 4}" x2="{left}" y1="{y:.1f}" y2="{y:.1f}" stroke="#999"/>'
                             f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
        x = lambda s: left + s / span * w
        line = " ".join(f"{x(s):.1f},{scale(v):.1f}" for s, v in sorted(pts) if v > 0 or not log)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="1.2"/>')
        for k, (at, name) in enumerate(faults):
            parts.append(f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{y0}" y2="{y0 + h}" '
                         f'stroke="#ff7f0e" stroke-dasharray="4,3"/>')
            if i == 0:
                # alternate two rows, so that faults close together keep readable labels
                parts.append(f'<text x="{x(at) + 3:.1f}" y="{y0 + 12 + 12 * (k % 2)}" fill="#c05000"'
                             f' font-size="10">{name}</text>')
    y = top + len(panels) * (h + gap) - gap + 16
    for s in range(0, int(span) + 1, max(10, int(span / 10) // 10 * 10)):
        parts.append(f'<text x="{left + s / span * w:.1f}" y="{y}" text-anchor="middle">{s} s</text>')
    parts.append("</svg>")
    with open(f"{out}/soak.svg", "w") as f:
        f.write("\n".join(parts))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--psql", required=True)
    args = p.parse_args()
    out = args.out
    start = float(open(f"{out}/start").read())
    end = float(open(f"{out}/end").read()) if os.path.exists(f"{out}/end") else start
    faults = []
    with open(f"{out}/faults.log") as f:
        for line in f:
            at, name = line.rstrip("\n").split(" ", 1)
            faults.append((float(at), name))
    # the client processes' figures per second: counts add up, the p99 is the worst one's
    merged = {}
    for path in glob.glob(f"{out}/stats.*.csv"):
        for r in csv.DictReader(open(path)):
            m = merged.setdefault(int(r["second"]), {"second": r["second"], "p99_ms": ""})
            for k in ("created", "replayed", "attempts", "s409", "s503", "s5xx", "s4xx", "errors"):
                m[k] = int(m.get(k, 0)) + int(r[k])
            if r["p99_ms"] and (not m["p99_ms"] or float(r["p99_ms"]) > float(m["p99_ms"])):
                m["p99_ms"] = r["p99_ms"]
    stats = [merged[s] for s in sorted(merged)]
    keys = [json.loads(line) for path in glob.glob(f"{out}/keys.*.jsonl") for line in open(path)]

    rows = sql(args.psql, "SELECT t.id, t.status, coalesce(t.result, ''), k.key, t.title FROM tasks t"
                          " LEFT JOIN idempotency_keys k ON k.task_id = t.id")
    by_id = {int(r[0]): r for r in rows}
    checks = []

    def check(name, ok, detail):
        checks.append((name, "ok" if ok else "FAILED", detail))

    unfinished = [k for k in keys if k["id"] is None]
    check("every key got a 201", not unfinished,
          f"{len(keys) - len(unfinished)} of {len(keys)} keys; {sum(k['attempts'] for k in keys) - len(keys)}"
          f" retries, {sum(k.get('replays', 0) for k in keys)} answered as replays")
    wrong_task = [k for k in keys if k["id"] is not None and (
        k["id"] not in by_id or by_id[k["id"]][3] != k["key"] or by_id[k["id"]][4] != k["title"])]
    check("each key's task is the one its client got", not wrong_task,
          f"{len(wrong_task)} keys whose stored task differs" + (f", e.g. {wrong_task[0]}" if wrong_task else ""))
    orphans = [r for r in rows if not r[3]]
    key_ids = {k["id"] for k in keys}
    check("no other rows", not orphans and len(rows) == len(key_ids),
          f"{len(rows)} tasks for {len(key_ids)} keys; {len(orphans)} tasks without a key")
    not_final = [r for r in rows if r[1] not in ("done", "failed")]
    wrong = [r for r in rows if r[1] in ("done", "failed") and (r[1], r[2]) != outcome(r[4])]
    check("every task final with the right outcome", not not_final and not wrong,
          f"{len(not_final)} not final, {len(wrong)} with the wrong outcome")
    history = sql(args.psql, "SELECT to_regclass('task_history') IS NOT NULL")[0][0] == "t"
    if history:
        counts = sql(args.psql, "SELECT count(*) FILTER (WHERE n <> 1), count(*) FROM (SELECT t.id,"
                                " count(h.task_id) FILTER (WHERE h.event = 'finished') AS n FROM tasks t"
                                " LEFT JOIN task_history h ON h.task_id = t.id GROUP BY t.id) x")[0]
        check("each task finished exactly once (task_history)", counts[0] == "0",
              f"{counts[0]} of {counts[1]} tasks without exactly one 'finished' event")
    else:
        logged = {}
        for path in glob.glob(f"{out}/worker-*.log"):
            for line in open(path, errors="replace"):
                m = re.search(r" - task (\d+): (done|failed) \(", line)
                if m:
                    logged[m.group(1)] = logged.get(m.group(1), 0) + 1
        twice = [t for t, n in logged.items() if n > 1]
        check("no task finished twice (worker logs; no task_history table in this build)", not twice,
              f"{len(logged)} completions logged, {len(twice)} tasks completed more than once")

    series = heap_series(out, start)
    verdicts = []
    heap_ok = True
    for label, pts in sorted(series.items()):
        t = trend(pts)
        if t is None:
            continue
        grows = t[1] > t[0] * 1.25 + 4
        heap_ok &= not grows
        verdicts.append(f"{label}: {t[0]:.0f} -> {t[1]:.0f} MiB")
    check("heap after GC without upward trend", heap_ok,
          "; ".join(verdicts) or "no process lived long enough to tell")

    explained, unexplained = error_lines(out, start, faults)
    check("no ERROR line a fault does not explain", not unexplained,
          f"{len(explained)} ERROR lines within {FAULT_WINDOW[1]} s after a fault, {len(unexplained)} others"
          + (f", e.g. {unexplained[0][1]} at {unexplained[0][0]} s: {unexplained[0][2]}" if unexplained else ""))

    finishes = {int(r[0]): float(r[1]) for r in sql(
        args.psql, f"SELECT floor(extract(epoch FROM updated_at) - {start})::int, count(*) FROM tasks"
                   " WHERE status IN ('done', 'failed') GROUP BY 1")}
    length = max([int(r["second"]) for r in stats] + [0])
    svg(out, stats, finishes, faults, length)

    attempts = sum(int(r["attempts"]) for r in stats)
    lat = [float(r["p99_ms"]) for r in stats if r["p99_ms"]]
    lines = [f"# Soak {os.path.basename(os.path.abspath(out))}", "",
             f"- {length} s of client activity, {len(keys)} keys, {attempts} requests"
             f" ({sum(int(r['s503']) for r in stats)} x 503, {sum(int(r['s409']) for r in stats)} x 409,"
             f" {sum(int(r['s5xx']) for r in stats)} x other 5xx,"
             f" {sum(int(r['errors']) for r in stats)} connection errors or timeouts);"
             f" p99 latency per second (first attempt counted from when it was due): median"
             f" {statistics.median(lat) if lat else 0:.0f} ms, worst {max(lat) if lat else 0:.0f} ms",
             "- faults (seconds after the start): " + ", ".join(f"{name} at {at:.0f}" for at, name in faults),
             "", "| check | result | detail |", "|---|---|---|"]
    lines += [f"| {n} | {r} | {d} |" for n, r, d in checks]
    if unexplained:
        lines += ["", "Unexplained ERROR lines:"] + [f"- {t} s {node}: {text}" for t, node, text, _ in unexplained[:20]]
    if explained:
        lines += ["", "ERROR lines near faults (first 10):"] + [
            f"- {t} s {node} (after {', '.join(near)}): {text[:160]}" for t, node, text, near in explained[:10]]
    text = "\n".join(lines) + "\n"
    open(f"{out}/report.md", "w").write(text)
    print(text)
    print(f"picture: {out}/soak.svg")
    raise SystemExit(0 if all(c[1] == "ok" for c in checks) else 1)


if __name__ == "__main__":
    main()
