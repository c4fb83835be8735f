#!/usr/bin/env python3
"""Summarises a JFR recording (JDK 17 has no `jfr view`): reads `jfr print` text output and prints

- CPU: JVM user+system and machine total (jdk.CPULoad averages);
- execution samples per thread, hottest methods by self samples and by total (inclusive)
  samples, and self samples per component (our code, Vert.x, Netty, pg client, logging, JDK…);
- allocation (jdk.ObjectAllocationSample weights) by class and by allocating site (the first
  frame outside the JDK, so that the caller shows rather than ArrayList.grow); each thread's
  first sample is left out, as it weighs all the thread allocated before the recording;
- GC pauses (jdk.GarbageCollection) and contended monitors (jdk.JavaMonitorEnter).

Usage: jfr-summary.py RECORDING.jfr [--top N]
"""

import argparse
import collections
import re
import subprocess
import sys

EVENTS = "jdk.ExecutionSample,jdk.ObjectAllocationSample,jdk.GarbageCollection,jdk.CPULoad,jdk.JavaMonitorEnter"

# self samples are attributed to the first of these prefixes a frame's method matches
COMPONENTS = [
    ("io.taskservice.", "task-service code"),
    ("io.vertx.pgclient.", "Vert.x pg client"),
    ("io.vertx.sqlclient.", "Vert.x sql client"),
    ("io.vertx.ext.web.", "Vert.x web"),
    ("io.vertx.openapi.", "Vert.x openapi"),
    ("io.vertx.json.", "Vert.x json-schema"),
    ("io.vertx.", "Vert.x core"),
    ("io.netty.", "Netty"),
    ("com.fasterxml.jackson.", "Jackson"),
    ("ch.qos.logback.", "Logback"),
    ("org.slf4j.", "Logback"),
    ("io.micrometer.", "Micrometer"),
    ("java.", "JDK"),
    ("jdk.", "JDK"),
    ("sun.", "JDK"),
]

FRAME = re.compile(r"^\s+(?P<method>[^\s(]+)\((?P<args>[^)]*)\)(?: line: (?P<line>\d+))?")
UNITS = {"bytes": 1, "byte": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}
DURATION_UNITS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3, "min": 6e4}


def events(path):
    """Yields (type, fields, frames) for each event of `jfr print` output."""
    proc = subprocess.Popen(
        ["jfr", "print", "--stack-depth", "64", "--events", EVENTS, path],
        stdout=subprocess.PIPE,
        text=True,
    )
    etype, fields, frames, in_stack = None, {}, [], False
    for line in proc.stdout:
        if etype is None:
            m = re.match(r"^(jdk\.\w+) \{", line)
            if m:
                etype, fields, frames, in_stack = m.group(1), {}, [], False
            continue
        if line.startswith("}"):
            yield etype, fields, frames
            etype = None
        elif in_stack:
            if line.strip() == "]":
                in_stack = False
            else:
                m = FRAME.match(line)
                if m:
                    frames.append(m.group("method"))
        elif line.strip().startswith("stackTrace = ["):
            in_stack = True
        else:
            key, _, value = line.strip().partition(" = ")
            fields[key] = value
    proc.wait()
    if proc.returncode != 0:
        sys.exit(f"jfr print failed on {path}")


def size_bytes(text):
    number, _, unit = text.partition(" ")
    return float(number) * UNITS.get(unit.strip(), 1)


def millis(text):
    number, _, unit = text.partition(" ")
    return float(number) * DURATION_UNITS.get(unit.strip(), 1)


def percent(text):
    return float(text.rstrip("%"))


def component(method):
    for prefix, name in COMPONENTS:
        if method.startswith(prefix):
            return name
    return "other"


def is_jdk(method):
    return method.startswith(("java.", "jdk.", "sun."))


def table(title, counter, total, top, unit="samples", fmt=None):
    print(f"\n## {title}\n")
    for key, value in counter.most_common(top):
        shown = fmt(value) if fmt else f"{value:>7}"
        print(f"  {100.0 * value / total:5.1f}%  {shown}  {key}")
    if not counter:
        print(f"  (no {unit})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recording")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()

    threads = collections.Counter()
    self_methods = collections.Counter()
    total_methods = collections.Counter()
    components = collections.Counter()
    callers = collections.Counter()
    samples = 0
    alloc_class = collections.Counter()
    alloc_site = collections.Counter()
    alloc_total = 0.0
    alloc_threads = set()
    gcs, gc_pause, gc_longest = 0, 0.0, 0.0
    gc_causes = collections.Counter()
    cpu = collections.defaultdict(list)
    monitors = collections.Counter()
    monitor_ms = 0.0

    for etype, fields, frames in events(args.recording):
        if etype == "jdk.ExecutionSample":
            if not frames:
                continue
            samples += 1
            thread = fields.get("sampledThread", "?").split(" (")[0].strip('"')
            threads[re.sub(r"-\d+$", "-N", thread)] += 1
            self_methods[frames[0]] += 1
            callers[next((f for f in frames if not is_jdk(f)), frames[0])] += 1
            components[component(frames[0])] += 1
            for method in set(frames):
                total_methods[method] += 1
        elif etype == "jdk.ObjectAllocationSample":
            # A thread's first sample in the recording weighs everything the thread allocated
            # since it started (hundreds of MB on an event loop): leave it out.
            thread = fields.get("eventThread", "?")
            if thread not in alloc_threads:
                alloc_threads.add(thread)
                continue
            weight = size_bytes(fields.get("weight", "0 bytes"))
            alloc_total += weight
            alloc_class[fields.get("objectClass", "?").split(" (")[0]] += weight
            site = next((f for f in frames if not is_jdk(f)), frames[0] if frames else "?")
            alloc_site[site] += weight
        elif etype == "jdk.GarbageCollection":
            gcs += 1
            pause = millis(fields.get("sumOfPauses", "0 ms"))
            gc_pause += pause
            gc_longest = max(gc_longest, millis(fields.get("longestPause", "0 ms")))
            gc_causes[f'{fields.get("name", "?")} / {fields.get("cause", "?")}'.replace('"', "")] += 1
        elif etype == "jdk.CPULoad":
            for key in ("jvmUser", "jvmSystem", "machineTotal"):
                if key in fields:
                    cpu[key].append(percent(fields[key]))
        elif etype == "jdk.JavaMonitorEnter":
            monitors[fields.get("monitorClass", "?").split(" (")[0]] += 1
            monitor_ms += millis(fields.get("duration", "0 ms"))

    print(f"# JFR summary of {args.recording}")
    if cpu:
        avg = {k: sum(v) / len(v) for k, v in cpu.items()}
        print(
            f"\nCPU (average of {len(cpu['machineTotal'])} jdk.CPULoad samples, % of all cores):"
            f" JVM user {avg.get('jvmUser', 0):.1f}%, JVM system {avg.get('jvmSystem', 0):.1f}%,"
            f" machine total {avg.get('machineTotal', 0):.1f}%"
        )
    print(f"Execution samples: {samples}")
    table("Samples per thread (trailing numbers folded to N)", threads, samples or 1, args.top)
    table("Self samples per component", components, samples or 1, args.top)
    table("Hottest methods, self (top frame)", self_methods, samples or 1, args.top)
    table("Self samples by the first non-JDK frame (who calls the JDK code)", callers, samples or 1, args.top)
    table("Hottest methods, total (anywhere on the stack)", total_methods, samples or 1, args.top + 15)

    mb = lambda v: f"{v / 1e6:9.1f} MB"  # noqa: E731
    print(f"\nAllocation (sampled, weighted): {alloc_total / 1e6:.0f} MB in total")
    table("Allocated bytes by class", alloc_class, alloc_total or 1, args.top, "allocations", mb)
    table(
        "Allocated bytes by site (first non-JDK frame)",
        alloc_site,
        alloc_total or 1,
        args.top,
        "allocations",
        mb,
    )

    print(
        f"\n## GC\n\n  {gcs} collections, {gc_pause:.0f} ms paused in total,"
        f" longest pause {gc_longest:.1f} ms"
    )
    for cause, n in gc_causes.most_common():
        print(f"  {n:>5}  {cause}")
    print(
        f"\n## Contended monitors (jdk.JavaMonitorEnter, over the 20 ms threshold)\n\n"
        f"  {sum(monitors.values())} events, {monitor_ms:.0f} ms blocked in total"
    )
    for cls, n in monitors.most_common(10):
        print(f"  {n:>5}  {cls}")


if __name__ == "__main__":
    main()
