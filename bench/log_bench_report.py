#!/usr/bin/python3
"""Helpers of bench/run_log_bench.sh: machine facts, redis-benchmark parsing, RESULTS.md.

  log_bench_report.py machine --dir DIR --label start      one JSON line about the machine
  log_bench_report.py redis --size S ... --append-to F < redis.out
                                                   a JSON line from redis-benchmark's output
  log_bench_report.py failure --kind K --what W --error E   the JSON line of a failed run
  log_bench_report.py write --results run.jsonl --out RESULTS.md ...

Figures are decimal: MB is 10^6 bytes, latencies are in microseconds in the JSON and in
milliseconds in the report.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


# --- machine ------------------------------------------------------------------------------

def machine(args):
    cpu = ""
    for line in sh("lscpu").splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    fs = sh("findmnt", "-n", "-T", args.dir, "-o", "SOURCE,FSTYPE,OPTIONS").split()
    redis_version = re.search(r"v=(\S+)", sh("redis-server", "--version"))
    print(json.dumps({
        "kind": "machine",
        "label": args.label,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "dir": os.path.abspath(args.dir),
        "fs_source": fs[0] if len(fs) > 0 else "",
        "fs_type": fs[1] if len(fs) > 1 else "",
        "fs_options": fs[2] if len(fs) > 2 else "",
        "loadavg": open("/proc/loadavg").read().split()[:3],
        "librdkafka": sh("pkg-config", "--modversion", "rdkafka"),
        "redis": redis_version.group(1) if redis_version else "",
    }))


# --- redis-benchmark output -----------------------------------------------------------------

def redis(args):
    text = sys.stdin.read().replace("\r", "\n")
    rps = re.search(r"throughput summary:\s*([\d.]+) requests per second", text)
    summary = re.search(
        r"latency summary \(msec\):\s*\n\s*avg\s+min\s+p50\s+p95\s+p99\s+max\s*\n\s*"
        r"([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", text)
    if not rps or not summary:
        sys.exit("log_bench_report: no throughput or latency summary in redis-benchmark's output")
    avg, _min, p50, _p95, p99, mx = (float(x) for x in summary.groups())
    # p99.9 from the percentile distribution: the first row at or above 99.9%.
    p999 = None
    section = text.split("Latency by percentile distribution:", 1)
    if len(section) == 2:
        for m in re.finditer(r"^([\d.]+)% <= ([\d.]+) milliseconds", section[1], re.M):
            if float(m.group(1)) >= 99.9:
                p999 = float(m.group(2))
                break
    if p999 is None:
        p999 = mx
    msgs_s = float(rps.group(1))
    record = {
        "kind": "redis", "fsync": args.fsync, "appendfsync": args.appendfsync,
        "size": args.size, "messages": args.messages, "msgs_s": round(msgs_s),
        "mb_s": round(msgs_s * args.size / 1e6, 2),
        "latency_us": {"p50": p50 * 1e3, "p99": p99 * 1e3, "p999": p999 * 1e3, "max": mx * 1e3,
                       "mean": avg * 1e3},
    }
    with open(args.append_to, "a") as f:
        f.write(json.dumps(record) + "\n")
    print(f"  {args.size} B x {args.messages}: {msgs_s:.0f} XADD/s "
          f"{record['mb_s']:.1f} MB/s, latency p50 {p50:.2f} ms p99 {p99:.2f} ms "
          f"p99.9 {p999:.2f} ms")


def failure(args):
    print(json.dumps({"kind": args.kind, "failed": True, "what": args.what,
                      "error": args.error}))


# --- RESULTS.md -------------------------------------------------------------------------------

def n(x):
    return "—" if x is None else f"{x:,.0f}"


def mb(x):
    return "—" if x is None else f"{x:,.1f}"


def ms(us):
    return "—" if us is None else f"{us / 1e3:,.2f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def pct(r):
    return "—" if r is None else f"{100 * r:.0f}%"


def cpu(run, phase):
    """CPU the benchmark process used in a phase, as a share of one core."""
    seconds, cpu_seconds = run.get(f"{phase}_s"), run.get(f"{phase}_cpu_s")
    if not seconds or cpu_seconds is None:
        return "—"
    return f"{100 * cpu_seconds / seconds:.0f}%"


def verdict(ok):
    return "—" if ok is None else ("**pass**" if ok else "**FAIL**")


def size_name(size):
    return "1 KiB" if size == 1024 else f"{size} B"


def chunk_name(chunk):
    return f"{chunk // 1048576} MiB" if chunk >= 1048576 else f"{chunk // 1024} KiB"


def median_run(runs):
    """One record standing for repeated runs of a configuration: produce figures and
    latency from the run with the median produce rate, consume figures from the run with
    the median consume rate, the produce range over all runs, client errors summed."""
    by_produce = sorted(runs, key=lambda r: r["produce_msgs_s"])
    out = dict(by_produce[(len(runs) - 1) // 2])
    consumed = sorted((r for r in runs if r.get("consume_msgs_s") is not None),
                      key=lambda r: r["consume_msgs_s"])
    if consumed:
        c = consumed[(len(consumed) - 1) // 2]
        for k in ("consume_msgs_s", "consume_mb_s", "consume_s", "consume_cpu_s", "consumed"):
            out[k] = c.get(k)
    out["runs"] = len(runs)
    out["produce_min"] = by_produce[0]["produce_msgs_s"]
    out["produce_max"] = by_produce[-1]["produce_msgs_s"]
    out["client_errors"] = sum(r.get("produce_client_errors", 0) +
                               r.get("consume_client_errors", 0) for r in runs)
    return out


def spread(run):
    """The produce rates of all runs as 'min–max' in thousands."""
    if not run or run["runs"] < 2:
        return "—"
    return f"{run['produce_min'] / 1e3:,.0f}k–{run['produce_max'] / 1e3:,.0f}k"


def gb(x):
    return "—" if x is None else f"{x / 1e9:,.2f}"


def dirty_figures(run):
    """Dirty page cache at the end of a disk run, and the dirty level where the kernel
    starts throttling writers (halfway between the background threshold and the
    threshold, as balance_dirty_pages does), in bytes; None where not known."""
    dirty = run.get("dirty_bytes_at_end", -1)
    background = run.get("dirty_background_threshold_bytes", -1)
    threshold = run.get("dirty_threshold_bytes", -1)
    throttle = (background + threshold) / 2 if background >= 0 and threshold >= 0 else None
    return (dirty if dirty >= 0 else None), throttle


def throttled(run):
    dirty, throttle = dirty_figures(run)
    return dirty is not None and throttle is not None and dirty >= throttle


def ceiling_notes(t1, buffered_ref, sizes):
    """Lines for beneath the targets: for each message size, whether half the mock
    cluster's rate (what the fsync=interval target asks of eddy) is above what buffered
    writes into the page cache sustain on this machine. The target's verdict is not
    changed; this says when no log writing through the page cache could meet it here."""
    if buffered_ref is None:
        return ["- The buffered-write ceiling was not measured in this run, so the table "
                "below cannot tell whether the fsync=interval target is within this "
                "machine's reach."]
    lines = []
    for size in sizes:
        rows = [(e, m) for (sz, _a, _p), e, m, _r, _ok in t1 if sz == size and e and m]
        if not rows:
            continue
        limit = buffered_ref * 1e6 / size
        halves = [m["produce_msgs_s"] / 2 for _e, m in rows]
        above = [h for h in halves if h > limit]
        of_limit = [e["produce_msgs_s"] / limit for e, _m in rows]
        half_text = (f"{n(min(halves))}–{n(max(halves))} msg/s "
                     f"({mb(min(halves) * size / 1e6)}–{mb(max(halves) * size / 1e6)} MB/s)")
        eddy_text = (f"eddy's fsync=interval runs reach {pct(min(of_limit))}–"
                     f"{pct(max(of_limit))} of that ceiling")
        ceiling_text = (f"this machine's buffered-write ceiling of {n(limit)} msg/s "
                        f"({mb(buffered_ref)} MB/s, buffered writes into the page cache with no "
                        "fsync; see the disk section)")
        if len(above) == len(rows):
            lines.append(
                f"- **fsync=interval, {size_name(size)}: the target is above this machine's "
                f"buffered-write ceiling.** Half the mock cluster's rate is {half_text}, "
                f"above {ceiling_text}, in all {len(rows)} configurations. No log that writes "
                "these messages to files through the page cache can meet the 50% target on "
                f"this machine, whatever its fsync policy; {eddy_text}. The verdict above is "
                "still computed as the target states it (eddy / mock >= 50%).")
        elif above:
            lines.append(
                f"- **fsync=interval, {size_name(size)}: the target is above this machine's "
                f"buffered-write ceiling in {len(above)} of {len(rows)} configurations.** "
                f"Half the mock cluster's rate is {half_text}, against {ceiling_text}. Where "
                "half the mock's rate is above the ceiling no log that writes these messages "
                "to files through the page cache can meet the 50% target on this machine; "
                f"{eddy_text}. The verdict "
                "above is still computed as the target states it (eddy / mock >= 50%).")
        else:
            lines.append(
                f"- fsync=interval, {size_name(size)}: half the mock cluster's rate, "
                f"{half_text}, is below {ceiling_text}: the machine does not stand in the "
                "way of the target.")
    return lines


def parse_tags(text):
    return dict(kv.split("=", 1) for kv in text.split() if "=" in kv)


def write(args):
    records = [json.loads(line) for line in open(args.results) if line.strip()]
    machines = {r["label"]: r for r in records if r["kind"] == "machine"}
    start = machines.get("start", {})
    end = machines.get("end", {})
    failures = [r for r in records if r.get("failed")]

    all_disk_runs = [r for r in records if r["kind"] == "disk" and not r.get("failed")]
    # Appends with fdatasync after each chunk: the disk's durable-write bandwidth.
    disk_runs = [r for r in all_disk_runs if r.get("sync", "each") == "each"]
    # Appends without any sync: the page cache's buffered-write ceiling.
    buffered_runs = [r for r in all_disk_runs if r.get("sync") == "none"]
    disk = {r["chunk_bytes"]: r for r in disk_runs if "when" not in r}
    # 1 MiB measurements taken right before and after the fsync=always runs.
    adjacent = {r["when"]: r for r in disk_runs if "when" in r}
    mock_runs, eddy_runs, redis_runs = {}, {}, {}
    for r in records:
        if r.get("failed"):
            continue
        if r["kind"] == "log":
            key = (r["size"], r["acks"], r["partitions"])
            if r.get("target") == "mock":
                mock_runs.setdefault(key, []).append(r)
            else:
                eddy_runs.setdefault((r["fsync"],) + key, []).append(r)
        elif r["kind"] == "redis":
            redis_runs[(r["fsync"], r["size"])] = r
    mock = {k: median_run(v) for k, v in mock_runs.items()}
    eddy = {k: median_run(v) for k, v in eddy_runs.items()}
    failed_count = {}
    for f in failures:
        t = parse_tags(f["what"])
        key = None
        if f["what"].startswith("eddy"):
            key = ("eddy", t.get("fsync"), int(t.get("size", 0)), t.get("acks"),
                   int(t.get("partitions", 0)))
        elif f["what"].startswith("mock"):
            key = ("mock", int(t.get("size", 0)), t.get("acks"), int(t.get("partitions", 0)))
        if key:
            failed_count[key] = failed_count.get(key, 0) + 1

    def runs_text(run, failed_key):
        failed = failed_count.get(failed_key, 0)
        text = f"{run['runs']}" if run else "0"
        return text + (f" (+{failed} FAILED)" if failed else "")

    sizes = [100, 1024]
    acks_list = ["1", "all"]
    parts_list = [1, 4]
    policies = ["always", "interval:1000", "never"]
    ref_chunk = 1048576
    # The reference for the fsync=always target: the disk's sustained rate (the second half
    # of a run long enough to outlast a virtual disk's burst) measured right before and
    # after those runs, averaged; else the 1 MiB figure from the start of the run.
    def sustained(d):
        return d.get("sustained_mb_s", d["mb_s"])

    if adjacent:
        disk_ref = sum(sustained(a) for a in adjacent.values()) / len(adjacent)
        disk_ref_text = (
            f"the sustained rate (second half of a {args.disk_sustain_seconds} s run) of "
            f"{chunk_name(ref_chunk)} appends right before and after the fsync=always runs, "
            "averaged (" + ", ".join(
                f"{k}: {mb(sustained(v))}" for k, v in sorted(
                    adjacent.items(), key=lambda kv: kv[0] != "before-always")) + " MB/s)")
    else:
        disk_ref = sustained(disk[ref_chunk]) if ref_chunk in disk else None
        disk_ref_text = f"the sustained {chunk_name(ref_chunk)} figure of the disk table"
    best_disk = max((d["mb_s"] for d in disk_runs), default=None)

    # The reference for the fsync=interval runs: what buffered writes sustain (second half
    # of runs long enough to get past pages just freed, which the kernel reuses much
    # faster), measured right before the interval runs and after the never runs, averaged;
    # else the one from the start of the run.
    around = [b for b in buffered_runs if b.get("when") in ("before-interval", "after-never")]
    if around:
        buffered_ref = sum(sustained(b) for b in around) / len(around)
        buffered_ref_text = (
            "second half of the buffered runs right before the fsync=interval runs and after "
            "the fsync=never runs, averaged (" + ", ".join(
                f"{b['when']}: {mb(sustained(b))}" for b in around) + " MB/s)")
    elif buffered_runs:
        buffered_ref = sustained(buffered_runs[0])
        buffered_ref_text = f"second half of the {buffered_runs[0].get('when', 'start')} run"
    else:
        buffered_ref = None
        buffered_ref_text = "not measured"

    out = []
    w = out.append
    w("# eddy log benchmark: results")
    w("")
    w(f"Written by `bench/run_log_bench.sh` on {start.get('date', '?')}; "
      "every figure below comes from that one invocation. "
      "How to run it and what each figure means: [README.md](README.md).")
    w("")

    # Targets first: that is what a reader wants to know.
    w("## Targets")
    w("")
    w("| target | configurations | passed | verdict |")
    w("|---|---|---|---|")
    t1 = []
    for size in sizes:
        for acks in acks_list:
            for parts in parts_list:
                e = eddy.get(("interval:1000", size, acks, parts))
                m = mock.get((size, acks, parts))
                r = ratio(e and e["produce_msgs_s"], m and m["produce_msgs_s"])
                t1.append(((size, acks, parts), e, m, r, None if r is None else r >= 0.5))
    t2 = []
    for acks in acks_list:
        for parts in parts_list:
            e = eddy.get(("always", 1024, acks, parts))
            r = ratio(e and e["produce_mb_s"], disk_ref)
            t2.append(((acks, parts), e, r, None if r is None else r >= 0.7))
    t3 = []
    for policy in policies:
        for size in sizes:
            rd = redis_runs.get((policy, size))
            best = None
            for parts in parts_list:
                e = eddy.get((policy, size, "all", parts))
                if e and (best is None or e["produce_msgs_s"] > best["produce_msgs_s"]):
                    best = e
            e1 = eddy.get((policy, size, "all", 1))
            r1 = ratio(e1 and e1["produce_msgs_s"], rd and rd["msgs_s"])
            rb = ratio(best and best["produce_msgs_s"], rd and rd["msgs_s"])
            t3.append(((policy, size), e1, best, rd, r1, rb, None if r1 is None else r1 > 1.0))
    t4 = []
    for policy in policies:
        for size in sizes:
            for acks in acks_list:
                for parts in parts_list:
                    e = eddy.get((policy, size, acks, parts))
                    r = ratio(e and e.get("consume_msgs_s"), e and e["produce_msgs_s"])
                    t4.append(((policy, size, acks, parts), e, r, None if r is None else r >= 1.0))

    def summary_row(name, rows, idx):
        verdicts = [row[idx] for row in rows]
        measured = [v for v in verdicts if v is not None]
        total = len(verdicts)
        passed = sum(1 for v in measured if v)
        if not measured:
            overall = "not measured"
        elif len(measured) < total:
            overall = f"{verdict(all(measured))} (only {len(measured)} of {total} measured)"
        else:
            overall = verdict(all(measured))
        w(f"| {name} | {total} | {passed} | {overall} |")

    summary_row("fsync=interval: produce >= 50% of the mock cluster's rate", t1, 4)
    summary_row("fsync=always, 1 KiB: produce >= 70% of the disk's sustained fdatasync'd "
                f"bandwidth ({chunk_name(ref_chunk)} appends)", t2, 3)
    summary_row("faster than Redis Streams at the same durability (acks=all, 1 partition "
                "vs one stream)", t3, 6)
    summary_row("consume at least as fast as produce (every eddy run)", t4, 3)
    w("")
    for line in ceiling_notes(t1, buffered_ref, sizes):
        w(line)
    w("")

    w("### fsync=interval:1000 against the mock cluster (messages/s)")
    w("")
    w("The disk limit columns give the disk's sustained fdatasync'd bandwidth (below) in "
      "messages/s: with `interval:1000` every byte still reaches the disk within a second, so "
      "eddy cannot sustain more than that for long, however fast the client. The buffered "
      f"write limit columns give what buffered writes into the page cache (no fsync at all) "
      f"sustain on this machine, {mb(buffered_ref)} MB/s ({buffered_ref_text}), in "
      "messages/s: no log that writes its messages to files through the page cache can go "
      "faster here, whatever its fsync policy. Both limits count message payload only; eddy "
      "also writes its record and batch headers.")
    w("")
    w("| size | acks | partitions | eddy | mock cluster | eddy / mock | >= 50% | disk limit "
      "msg/s | eddy / disk limit | buffered write limit msg/s | eddy / buffered limit |")
    w("|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for (size, acks, parts), e, m, r, ok in t1:
        limit = disk_ref * 1e6 / size if disk_ref else None
        buffered_limit = buffered_ref * 1e6 / size if buffered_ref else None
        w(f"| {size_name(size)} | {acks} | {parts} | {n(e and e['produce_msgs_s'])} | "
          f"{n(m and m['produce_msgs_s'])} | {pct(r)} | {verdict(ok)} | {n(limit)} | "
          f"{pct(ratio(e and e['produce_msgs_s'], limit))} | {n(buffered_limit)} | "
          f"{pct(ratio(e and e['produce_msgs_s'], buffered_limit))} |")
    w("")
    w(f"### fsync=always, 1 KiB messages, against the disk ({chunk_name(ref_chunk)} appends "
      "+ fdatasync)")
    w("")
    w(f"Disk: {mb(disk_ref)} MB/s, {disk_ref_text}. The best disk figure of the whole run "
      f"(any chunk size, including bursts) was {mb(best_disk)} MB/s (see the disk table).")
    w("")
    w("| acks | partitions | eddy MB/s | disk MB/s | eddy / disk | eddy / best disk burst | "
      ">= 70% |")
    w("|---|---|---:|---:|---:|---:|---|")
    for (acks, parts), e, r, ok in t2:
        rb = ratio(e and e["produce_mb_s"], best_disk)
        w(f"| {acks} | {parts} | {mb(e and e['produce_mb_s'])} | {mb(disk_ref)} | {pct(r)} | "
          f"{pct(rb)} | {verdict(ok)} |")
    w("")
    w("### eddy (acks=all) against Redis Streams (XADD) at the same durability (messages/s)")
    w("")
    w("| eddy fsync | redis appendfsync | size | eddy 1 partition | eddy best of 1/4 partitions "
      "| redis | eddy(1) / redis | eddy(best) / redis | faster |")
    w("|---|---|---|---:|---:|---:|---:|---:|---|")
    for (policy, size), e1, best, rd, r1, rb, ok in t3:
        w(f"| {policy} | {rd['appendfsync'] if rd else '—'} | {size_name(size)} | "
          f"{n(e1 and e1['produce_msgs_s'])} | {n(best and best['produce_msgs_s'])} | "
          f"{n(rd and rd['msgs_s'])} | {pct(r1)} | {pct(rb)} | {verdict(ok)} |")
    w("")

    # Every figure.
    w("## eddy")
    w("")
    w(f"Each configuration ran {args.repeats} times (rounds interleaved); the table gives the "
      "median run (produce figures and latency from the run with the median produce rate, "
      "consume figures from the run with the median consume rate) and the range of produce "
      "rates over all runs. "
      "Produce: messages/s and MB/s from the first produce() call to the last delivery report; "
      "latency from each produce() call to its delivery report. Consume: from assign() to the "
      "last message, every message checked (count, size, order per partition). Client CPU: "
      "the CPU time of the benchmark process (producer or consumer, all librdkafka threads) "
      "over the phase's wall time, in % of one core; near 200% the client, not eddy, is the "
      "limit. Client errors: librdkafka log lines at error level over all runs (requests the "
      "client retried or responses it could not parse; the runs still succeeded).")
    w("")
    w("| fsync | size | acks | partitions | runs | messages | produce msg/s | range | "
      "produce MB/s | p50 ms | p99 ms | p99.9 ms | consume msg/s | consume MB/s | "
      "consume / produce | client CPU produce, consume | client errors |")
    w("|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for policy in policies:
        for size in sizes:
            for acks in acks_list:
                for parts in parts_list:
                    e = eddy.get((policy, size, acks, parts))
                    runs = runs_text(e, ("eddy", policy, size, acks, parts))
                    if e is None:
                        w(f"| {policy} | {size_name(size)} | {acks} | {parts} | {runs} |"
                          + " |" * 12)
                        continue
                    lat = e["latency_us"]
                    w(f"| {policy} | {size_name(size)} | {acks} | {parts} | {runs} | "
                      f"{n(e['messages'])} | {n(e['produce_msgs_s'])} | {spread(e)} | "
                      f"{mb(e['produce_mb_s'])} | {ms(lat['p50'])} | {ms(lat['p99'])} | "
                      f"{ms(lat['p999'])} | {n(e.get('consume_msgs_s'))} | "
                      f"{mb(e.get('consume_mb_s'))} | "
                      f"{pct(ratio(e.get('consume_msgs_s'), e['produce_msgs_s']))} | "
                      f"{cpu(e, 'produce')}, {cpu(e, 'consume')} | {e['client_errors']} |")
    w("")

    w("## librdkafka mock cluster (in-process, one broker, over loopback)")
    w("")
    w("The same producer, same settings, against `rd_kafka_mock_cluster_new()`: the ceiling "
      "of what the client and loopback allow on this machine. The mock broker keeps only the "
      "last ~5 MB of each partition, so nothing is consumed back from it. Process CPU "
      "includes the mock broker's threads.")
    w("")
    w("| size | acks | partitions | runs | messages | produce msg/s | range | produce MB/s | "
      "p50 ms | p99 ms | p99.9 ms | process CPU |")
    w("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        for acks in acks_list:
            for parts in parts_list:
                m = mock.get((size, acks, parts))
                runs = runs_text(m, ("mock", size, acks, parts))
                if m is None:
                    w(f"| {size_name(size)} | {acks} | {parts} | {runs} |" + " |" * 8)
                    continue
                lat = m["latency_us"]
                w(f"| {size_name(size)} | {acks} | {parts} | {runs} | {n(m['messages'])} | "
                  f"{n(m['produce_msgs_s'])} | {spread(m)} | {mb(m['produce_mb_s'])} | "
                  f"{ms(lat['p50'])} | {ms(lat['p99'])} | {ms(lat['p999'])} | "
                  f"{cpu(m, 'produce')} |")
    w("")

    w("## Disk: sequential appends to a fresh file")
    w("")
    w(f"A fresh file in `{start.get('dir', '?')}` (the file system of eddy's data dirs in this "
      "run), random bytes, every chunk appended at its end; the file is removed afterwards. "
      "MB/s is over the whole run; the second half shows the sustained rate once a burst "
      "the machine absorbs faster is used up.")
    w("")
    w("### fdatasync after each chunk")
    w("")
    w(f"{args.disk_seconds} s per chunk size at the start, {args.disk_sustain_seconds} s for "
      "the measurements around the fsync=always runs. The burst is the virtual disk's (a "
      "host cache).")
    w("")
    w("| when | chunk | MB/s | second half MB/s | fdatasync/s | write+fdatasync p50 ms | "
      "p99 ms |")
    w("|---|---|---:|---:|---:|---:|---:|")
    for d in disk_runs:
        w(f"| {d.get('when', 'start')} | {chunk_name(d['chunk_bytes'])} | {mb(d['mb_s'])} | "
          f"{mb(sustained(d))} | {n(d['chunks_s'])} | {ms(d['chunk_us']['p50'])} | "
          f"{ms(d['chunk_us']['p99'])} |")
    w("")
    w("### buffered write (page cache, no fsync)")
    w("")
    w(f"The same appends with no sync at all, {args.disk_sustain_seconds} s each, at the "
      "start, right before the fsync=interval runs and after the fsync=never runs: the "
      "ceiling of any log that writes through the page cache, whatever its fsync policy. "
      "The burst here is pages just freed (by a deleted file or data dir), which the kernel "
      "hands out again at memory speed; other free pages of this virtual machine are much "
      "slower to fill the first time (the guest hands free memory back to the host, which "
      "must back it again), and the second half, past the freed pages, shows that rate. "
      "The dirty columns check that writeback did not slow the writer down: the kernel "
      "throttles writers only once dirty memory passes halfway between its background "
      "threshold and its threshold; a run that got there is marked (throttled), and its "
      "rate is the disk's writeback, not the page cache's.")
    w("")
    w("| when | chunk | GB written | MB/s | second half MB/s | writes/s | write p50 ms | p99 ms | "
      "dirty at end GB | throttling starts at GB |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b in buffered_runs:
        dirty, throttle = dirty_figures(b)
        w(f"| {b.get('when', 'start')} | {chunk_name(b['chunk_bytes'])} | "
          f"{b['bytes'] / 1e9:,.1f} | {mb(b['mb_s'])} | {mb(sustained(b))} | "
          f"{n(b['chunks_s'])} | {ms(b['chunk_us']['p50'])} | {ms(b['chunk_us']['p99'])} | "
          f"{gb(dirty)} | {gb(throttle)}{' (throttled)' if throttled(b) else ''} |")
    if not buffered_runs:
        w("| not measured | | | | | | | | | |")
    w("")

    w("## Redis Streams (`XADD`, AOF on)")
    w("")
    w("| eddy's policy | appendfsync | size | XADDs | XADD/s | MB/s | p50 ms | p99 ms | "
      "p99.9 ms |")
    w("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for policy in policies:
        for size in sizes:
            rd = redis_runs.get((policy, size))
            if rd is None:
                w(f"| {policy} | | {size_name(size)} | not measured | | | | | |")
                continue
            lat = rd["latency_us"]
            w(f"| {policy} | {rd['appendfsync']} | {size_name(size)} | {n(rd['messages'])} | "
              f"{n(rd['msgs_s'])} | {mb(rd['mb_s'])} | {ms(lat['p50'])} | {ms(lat['p99'])} | "
              f"{ms(lat['p999'])} |")
    w("")

    if failures:
        w("## Failed runs")
        w("")
        for f in failures:
            w(f"- {f['what']}: `{f['error'].strip()}`")
        w("")

    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| CPU | {start.get('cpu', '?')}, {start.get('cores', '?')} cores |")
    w(f"| memory | {start.get('mem_gib', '?')} GiB |")
    w(f"| kernel | {start.get('kernel', '?')} |")
    w(f"| data dir file system | {start.get('fs_type', '?')} on {start.get('fs_source', '?')} "
      f"({start.get('fs_options', '?')}) |")
    w(f"| load average (1/5/15 min) at start, end | {' '.join(start.get('loadavg', []))}; "
      f"{' '.join(end.get('loadavg', []))} |")
    w(f"| librdkafka | {start.get('librdkafka', '?')} |")
    w(f"| redis-server | {start.get('redis', '?')} |")
    w(f"| finished | {end.get('date', '?')} |")
    w("")

    w("## Command and settings")
    w("")
    w(f"- Command: `{args.command}`.")
    msgs = dict(kv.split("=") for kv in args.messages.split(","))
    w(f"- Messages per eddy and mock run: {int(msgs['100']):,} of 100 B, {int(msgs['1024']):,} "
      f"of 1 KiB, each produce phase capped at {args.max_seconds} s (a capped run reports what "
      "it produced in that time); the consumer reads back everything produced. Each "
      f"configuration runs {args.repeats} times. Counts are chosen so that the whole matrix "
      "runs in under ~10 minutes on a 2-core machine.")
    w("- One producer (one librdkafka instance, one thread calling produce()), messages "
      "round-robin over the partitions, null keys, random payload with the message's sequence "
      "number in its first 8 bytes. One consumer, assign() of every partition from the "
      "beginning. Producer and consumer run one after the other, in the same process.")
    w("- eddy: `eddy serve --data-dir <fresh dir> --kafka-addr 127.0.0.1:<free port> --fsync "
      "<policy>`, topics made with `eddy topics create`. One server per fsync policy. `sync` "
      "before each run, so a run does not pay for the writeback of the runs before it.")
    red = dict(kv.split("=") for kv in ",".join(args.redis).split(","))
    w(f"- Redis: `redis-server --appendonly yes --appendfsync <always|everysec|no> --save ''` in "
      f"a directory on the same file system; `redis-benchmark -n N -P {red['pipeline']} -c "
      f"{red['clients']} XADD s<size> '*' f <value>` with N = {int(red['100']):,} (100 B) and "
      f"{int(red['1024']):,} (1 KiB); XLEN checked afterwards. Its latency is redis-benchmark's "
      "own (per request, pipelined).")
    w("- librdkafka settings (identical for eddy and the mock cluster; `acks` per run):")
    w("")
    w("```")
    w(args.settings)
    w("```")
    w("")
    w("## Reading these figures")
    w("")
    w("- MB is 10^6 bytes of message payload (keys, headers and batch overhead not counted).")
    w("- The producer runs flat out, so produce latency is mostly time spent queued in the "
      "client behind earlier messages (queue.buffering.max.* bound it): it is the latency of a "
      "saturated pipeline, not of a lone message.")
    w("- Producer, broker, Redis and the mock cluster share the same 2 cores; other work on the "
      "machine (see the load averages) moves figures by tens of percent between runs.")
    w("- The data dir's virtual disk takes a burst of a gigabyte or more several times faster "
      "than it sustains (see the disk table); a run that starts with that burst available "
      "writes faster than one that follows other writes, which is why the ranges of the 1 KiB "
      "runs are wide and why the targets compare with the sustained rate.")
    w("- Writing into the page cache is limited too (the buffered-write table): new pages fill "
      "at the second-half rate there, pages just freed by a deleted file or data dir much "
      "faster (the start of each run). "
      "Every log that writes through the page cache shares that ceiling whatever its fsync "
      "policy, and a run that starts right after a deletion writes its first gigabytes "
      "faster.")
    w("")

    # The engine and checkpoint benchmarks (bench/run_engine_bench.py,
    # bench/run_checkpoint_bench.py) keep their own sections of the same file between
    # markers: carry them over rather than drop them.
    text = "\n".join(out)
    try:
        old = open(args.out).read()
        for name in ("engine-bench", "checkpoint-bench"):
            begin, end = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
            if begin in old and end in old:
                text = (text.rstrip("\n") + "\n\n" +
                        old[old.index(begin):old.index(end) + len(end)] + "\n")
    except FileNotFoundError:
        pass
    with open(args.out, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("machine")
    m.add_argument("--dir", required=True)
    m.add_argument("--label", required=True)
    r = sub.add_parser("redis")
    r.add_argument("--size", type=int, required=True)
    r.add_argument("--messages", type=int, required=True)
    r.add_argument("--fsync", required=True)
    r.add_argument("--appendfsync", required=True)
    r.add_argument("--append-to", required=True)
    fl = sub.add_parser("failure")
    fl.add_argument("--kind", required=True)
    fl.add_argument("--what", required=True)
    fl.add_argument("--error", required=True)
    wr = sub.add_parser("write")
    wr.add_argument("--results", required=True)
    wr.add_argument("--out", required=True)
    wr.add_argument("--command", required=True)
    wr.add_argument("--settings", required=True)
    wr.add_argument("--max-seconds", required=True)
    wr.add_argument("--repeats", required=True)
    wr.add_argument("--messages", required=True)
    wr.add_argument("--redis", action="append", required=True)
    wr.add_argument("--disk-seconds", required=True)
    wr.add_argument("--disk-sustain-seconds", required=True)
    args = p.parse_args()
    {"machine": machine, "redis": redis, "failure": failure, "write": write}[args.cmd](args)


if __name__ == "__main__":
    main()
