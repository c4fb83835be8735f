#!/usr/bin/env python3
"""Reports an autoscaling run (bench/autoscale.sh): throughput per number of worker nodes, the
database checks (every task final, exactly one 'finished' history row each, nothing lost by the
workers stopped with SIGTERM) and one picture, autoscale.svg (tasks/s offered, created and
finished; backlog against what the running nodes hold; nodes desired, running and ready), embedded
with the tables in autoscale.html. Without --psql only the picture and the throughput table are
made (the browser test draws a fixed sample that way). Standard library only. Exits 1 when a
check fails.
"""
import argparse
import csv
import html
import json
import os
import statistics
import subprocess

COLORS = {"offered": "#7f7f7f", "created": "#1f77b4", "finished": "#2ca02c", "backlog": "#d62728",
          "held": "#ff7f0e", "desired": "#9467bd", "nodes": "#17becf", "ready": "#1f3b73"}


def sql(psql, query):
    out = subprocess.run(psql.split() + ["-F", "\t", "-c", query], check=True,
                         capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def fmt(v, spec):
    return "\u2013" if v is None else format(v, spec)


def num(v):
    return float(v) if v not in ("", None) else None


def throughput(rows, capacity, delay_ms):
    """Per count k of ready nodes: seconds, mean finished/s, and the same over the saturated
    seconds (tasks waiting, k unchanged for delay + 2 s: every node full), against k x capacity
    / delay."""
    settle = delay_ms / 1000 + 2
    table = {}
    since, prev = 0, None
    for r in rows:
        k, s = int(r["ready"]), int(r["second"])
        if k != prev:
            since, prev = s, k
        e = table.setdefault(k, {"all": [], "sat": [], "created": [], "pg": [], "cpu": []})
        e["all"].append(float(r["finished"]))
        if int(r["new"]) > 0 and s - since >= settle:
            e["sat"].append(float(r["finished"]))
            e["created"].append(float(r["created"]))
            if num(r.get("pg_cpu")) is not None:
                e["pg"].append(float(r["pg_cpu"]))
                e["cpu"].append(float(r["machine_cpu"]))
    out = []
    for k in sorted(table):
        if k == 0:
            continue
        e = table[k]
        out.append({"nodes": k, "seconds": len(e["all"]), "mean": statistics.mean(e["all"]),
                    "sat_seconds": len(e["sat"]), "sat_mean": statistics.mean(e["sat"]) if e["sat"] else None,
                    "sat_created": statistics.mean(e["created"]) if e["created"] else None,
                    "pg_cpu": statistics.mean(e["pg"]) if e["pg"] else None,
                    "machine_cpu": statistics.mean(e["cpu"]) if e["cpu"] else None,
                    "ideal": k * capacity * 1000 / delay_ms})
    return out


def steps(points, x, y):
    """An SVG path of a step function through (second, value) points."""
    d = []
    for i, (s, v) in enumerate(points):
        if i == 0:
            d.append(f"M{x(s - 1):.1f},{y(v):.1f} H{x(s):.1f}")
        else:
            d.append(f"V{y(v):.1f} H{x(s):.1f}")
    return " ".join(d)


def nice_ticks(vmax):
    if vmax <= 0:
        return 1, [0, 1]
    raw = vmax / 5
    mag = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    top = step * (int(vmax / step) + (0 if vmax % step == 0 else 1))
    return top, [round(i * step, 6) for i in range(int(round(top / step)) + 1)]


def svg(rows, capacity, title):
    w, h, left, top, gap, right = 900, 150, 70, 60, 60, 240
    n = len(rows)
    span = max(int(rows[-1]["second"]), 1) if rows else 1
    x = lambda s: left + s / span * w
    sec = [int(r["second"]) for r in rows]
    col = lambda k: [num(r[k]) or 0.0 for r in rows]
    held = [int(r["nodes"]) * capacity for r in rows]
    fin = col("finished")
    # claims come in batches a delay apart: per-second finishes alias with the 1 s samples
    fin5 = [statistics.mean(fin[max(0, i - 4):i + 1]) for i in range(len(fin))]
    panels = [
        ("rate", "tasks per second", [("offered", "offered load", col("offered"), "6,4"),
                                      ("created", "created (201)", col("created"), None),
                                      ("finished", "finished (done + failed), 5 s mean", fin5, None)], False),
        ("backlog", "backlog of the queue (due new + processing)",
         [("backlog", "backlog", col("backlog"), None),
          ("held", "nodes \u00d7 capacity (the target)", held, "6,4")], True),
        ("nodes", "worker nodes", [("desired", "desired (HPA formula)", col("desired"), "6,4"),
                                   ("nodes", "running (started, not stopping)", col("nodes"), None),
                                   ("ready", "ready (consuming)", col("ready"), None)], True),
    ]
    height = top + len(panels) * (h + gap) + 10
    p = [f'<svg xmlns="http://www.w3.org/2000/svg" id="autoscale-chart" width="{left + w + right}" '
         f'height="{height}" viewBox="0 0 {left + w + right} {height}" font-family="sans-serif" font-size="12">',
         '<rect width="100%" height="100%" fill="white"/>',
         f'<text class="title" x="{left}" y="22" font-size="15">{html.escape(title)}</text>']
    for i, (key, label, series, stepped) in enumerate(panels):
        y0 = top + i * (h + gap)
        vmax = max([v for _, _, vals, _ in series for v in vals] + [1])
        if key == "nodes":
            vmax = int(vmax) + 1
            ticks = list(range(0, vmax + 1))
        else:
            vmax, ticks = nice_ticks(vmax)
        y = lambda v, y0=y0, vmax=vmax: y0 + h - v / vmax * h
        p.append(f'<g class="panel" data-panel="{key}">')
        p.append(f'<text class="panel-title" x="{left}" y="{y0 - 8}">{html.escape(label)}</text>')
        p.append(f'<line class="axis y" x1="{left}" x2="{left}" y1="{y0}" y2="{y0 + h}" stroke="#333"/>')
        p.append(f'<line class="axis x" x1="{left}" x2="{left + w}" y1="{y0 + h}" y2="{y0 + h}" stroke="#333"/>')
        for t in ticks:
            p.append(f'<line class="grid" x1="{left}" x2="{left + w}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#eee"/>'
                     f'<text class="tick y" x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
        xstep = next(s for s in (10, 20, 30, 60, 120, 300, 600, 1e9) if span / s <= 12)
        for s in range(0, span + 1, int(xstep)):
            p.append(f'<line class="tick x" x1="{x(s):.1f}" x2="{x(s):.1f}" y1="{y0 + h}" y2="{y0 + h + 4}" stroke="#333"/>'
                     f'<text class="tick x" x="{x(s):.1f}" y="{y0 + h + 16}" text-anchor="middle">{s} s</text>')
        for j, (name, text, vals, dash) in enumerate(series):
            pts = list(zip(sec, vals))
            style = f'fill="none" stroke="{COLORS[name]}" stroke-width="{1.2 if not stepped else 1.8}"' + (
                f' stroke-dasharray="{dash}"' if dash else "")
            if stepped:
                p.append(f'<path class="series" data-series="{name}" data-points="{n}" d="{steps(pts, x, y)}" {style}/>')
            else:
                line = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in pts)
                p.append(f'<polyline class="series" data-series="{name}" data-points="{n}" points="{line}" {style}/>')
            ly = y0 + 14 + j * 16
            p.append(f'<g class="legend" data-series="{name}"><line x1="{left + w + 10}" x2="{left + w + 30}" '
                     f'y1="{ly - 4}" y2="{ly - 4}" {style}/><text x="{left + w + 34}" y="{ly}" font-size="11">'
                     f'{html.escape(text)}</text></g>')
        p.append("</g>")
    p.append("</svg>")
    return "\n".join(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--out", required=True, help="directory for autoscale.svg, autoscale.html, report.md")
    ap.add_argument("--capacity", type=int, required=True)
    ap.add_argument("--delay-ms", type=int, required=True)
    ap.add_argument("--workers", help="workers.json of the run")
    ap.add_argument("--load", help="load.json of the run")
    ap.add_argument("--psql", help="psql command on the run's database; without it no checks")
    ap.add_argument("--queue", default="autoscale")
    ap.add_argument("--title", default="task-service autoscaling: load, backlog and worker nodes")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.csv)))
    os.makedirs(a.out, exist_ok=True)
    picture = svg(rows, a.capacity, a.title)
    open(f"{a.out}/autoscale.svg", "w").write(picture + "\n")

    table = throughput(rows, a.capacity, a.delay_ms)
    lines = ["| worker nodes ready | seconds | finished/s, mean | saturated seconds | finished/s when saturated"
             " | creates/s then | ideal (nodes \u00d7 capacity \u00f7 delay) | of the ideal"
             " | PostgreSQL CPU, cores (its backends) | tasks per PostgreSQL CPU-second | machine CPU busy, cores |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for e in table:
        sat = f"{e['sat_mean']:.0f}" if e["sat_mean"] is not None else "\u2013"
        cr = f"{e['sat_created']:.0f}" if e["sat_created"] is not None else "\u2013"
        of = f"{e['sat_mean'] / e['ideal']:.0%}" if e["sat_mean"] is not None else "\u2013"
        lines.append(f"| {e['nodes']} | {e['seconds']} | {e['mean']:.0f} | {e['sat_seconds']} | {sat} | {cr}"
                     f" | {e['ideal']:.0f} | {of} | {fmt(e['pg_cpu'], '.2f')}"
                     f" | {fmt(e['sat_mean'] / e['pg_cpu'] if e['pg_cpu'] and e['sat_mean'] else None, '.0f')}"
                     f" | {fmt(e['machine_cpu'], '.2f')} |")
    checks = []

    def check(name, ok, detail):
        checks.append((name, "ok" if ok else "FAILED", detail))

    workers = json.load(open(a.workers)) if a.workers else []
    load = json.load(open(a.load)) if a.load else None
    if a.psql:
        r = sql(a.psql, "SELECT count(*), count(*) FILTER (WHERE status IN ('done', 'failed')),"
                        " count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'failed')"
                        " FROM tasks")[0]
        total, final, done, failed = map(int, r)
        created = load["created"] if load else total
        check("every created task stored", total == created, f"{total} tasks in the table, {created} answered 201")
        check("every task final", final == total, f"{final} of {total} done or failed ({done} done, {failed} failed)")
        r = sql(a.psql, "SELECT count(*) FILTER (WHERE n = 0), count(*) FILTER (WHERE n > 1), count(*) FROM"
                        " (SELECT t.id, count(h.task_id) FILTER (WHERE h.event = 'finished') AS n FROM tasks t"
                        " LEFT JOIN task_history h ON h.task_id = t.id GROUP BY t.id) x")[0]
        none, twice, n = map(int, r)
        check("exactly one 'finished' history row per task", none == 0 and twice == 0,
              f"{n} tasks: {none} without, {twice} with more than one")
        stopped = [w for w in workers if w["why"] == "scale-in"]
        ids = [w["node_id"] for w in stopped if w["node_id"]]
        if stopped:
            lst = ",".join("'" + i.replace("'", "''") + "'" for i in ids) or "NULL"
            r = sql(a.psql, f"""
                WITH held AS (SELECT DISTINCT task_id FROM task_history
                              WHERE event IN ('claimed', 'recovered') AND worker IN ({lst})),
                     back AS (SELECT DISTINCT task_id FROM task_history
                              WHERE event = 'handed_back' AND worker IN ({lst})),
                     fin AS (SELECT h.task_id, count(*) AS n FROM task_history h JOIN held USING (task_id)
                             WHERE h.event = 'finished' GROUP BY h.task_id)
                SELECT (SELECT count(*) FROM held), (SELECT count(*) FROM back),
                       (SELECT count(*) FROM fin WHERE n = 1),
                       (SELECT count(*) FROM held h JOIN tasks t ON t.id = h.task_id
                        WHERE t.status IN ('done', 'failed'))""")[0]
            held, back, once, fin = map(int, r)
            rcs = [w["rc"] for w in stopped]
            check("scale-in by SIGTERM lost and doubled nothing",
                  len(ids) == len(stopped) and held == once == fin and all(rc == 0 for rc in rcs),
                  f"{len(stopped)} workers stopped by SIGTERM (exit codes {rcs}, node ids known for {len(ids)});"
                  f" they claimed {held} tasks and handed back {back}; {fin} of those are final,"
                  f" {once} with exactly one 'finished' row")
        else:
            check("scale-in by SIGTERM lost and doubled nothing", False, "no worker was stopped by scale-in")
        ends = [w for w in workers if w["why"] == "end of run"]
        served = [w for w in workers if w["ready"] is not None]
        failed_starts = [w for w in workers if w["ready"] is None]
        check("every worker that served exited 0 on SIGTERM", all(w["rc"] == 0 for w in served),
              f"{len(served)} worker JVMs served ({len(ends)} of them stopped at the end), exit codes"
              f" {[w['rc'] for w in served]}; {len(failed_starts)} never became ready"
              + "".join(f" ({w['name']}: exit {w['rc']} after {w['stopped'] - w['started']:.0f} s)" for w in failed_starts))
    peak_nodes = max((int(r["ready"]) for r in rows), default=0)
    sat = [e for e in table if e["sat_mean"] is not None]
    best = max(sat, key=lambda e: e["sat_mean"]) if sat else None
    summary = [f"- {len(rows)} s sampled; peak offered load {max((float(r['offered']) for r in rows), default=0):.0f}"
               f" tasks/s; most nodes ready at once: {peak_nodes}; backlog at most"
               f" {max((int(r['backlog']) for r in rows), default=0)}; oldest waiting task at most"
               f" {max((num(r['oldest_new_age_seconds']) or 0 for r in rows), default=0):.1f} s"]
    if best:
        summary.append(f"- highest finished/s when saturated: {best['sat_mean']:.0f} with {best['nodes']} nodes")
    if load:
        summary.append(f"- offered {load['offered']} tasks, created {load['created']}, rejected {load['rejected']}")
    for wk in workers:
        summary.append(f"- {wk['name']} ({wk['node_id']}): started {wk['started']:.0f} s, ready "
                       f"{'%.0f s' % wk['ready'] if wk['ready'] is not None else '-'}, stopped "
                       f"{'%.0f s' % wk['stopping'] if wk['stopping'] is not None else '-'} ({wk['why']}), exit {wk['rc']}")
    text = "\n".join(["# Autoscaling run", ""] + summary + ["", "## Throughput per number of worker nodes", ""]
                     + lines + (["", "## Checks", "", "| check | result | detail |", "|---|---|---|"]
                                + [f"| {n} | {r} | {d} |" for n, r, d in checks] if checks else [])) + "\n"
    open(f"{a.out}/report.md", "w").write(text)

    def html_table(md):
        out = ["<table>"]
        for i, line in enumerate(l for l in md if not l.startswith("|--") and not l.startswith("|---")):
            cells = [c.strip() for c in line.strip("|").split("|")]
            tag = "th" if i == 0 else "td"
            out.append("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>")
        return "\n".join(out + ["</table>"])

    page = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(a.title)}</title>",
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>",
            f"<h1>{html.escape(a.title)}</h1>", '<figure id="chart">', picture, "</figure>",
            "<ul>" + "".join(f"<li>{html.escape(s[2:])}</li>" for s in summary) + "</ul>",
            "<h2>Throughput per number of worker nodes</h2>", '<div id="throughput">', html_table(lines), "</div>"]
    if checks:
        page += ["<h2>Checks</h2>", '<div id="checks">',
                 html_table(["| check | result | detail |"] + [f"| {n} | {r} | {d} |" for n, r, d in checks]),
                 "</div>"]
    page.append("</body></html>")
    open(f"{a.out}/autoscale.html", "w").write("\n".join(page) + "\n")
    print(text)
    print(f"picture: {a.out}/autoscale.svg, page: {a.out}/autoscale.html")
    raise SystemExit(0 if all(c[1] == "ok" for c in checks) else 1)


if __name__ == "__main__":
    main()
