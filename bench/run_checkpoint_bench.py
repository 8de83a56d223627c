#!/usr/bin/python3
"""The checkpoint benchmark: what checkpoints cost and how fast a pipeline recovers.

1. Throughput: Nexmark q0, q5, q8 and q11 from the in-process generator, unbounded, at
   parallelism 1 and 2, with a checkpoint every second (memory and rocksdb backends)
   against the same run without checkpoints, interleaved in one invocation of
   bench/checkpoint_bench.cc; each run lasts about TARGET_SECONDS (the event count comes
   from a short calibration run). Target: >= 90% of the no-checkpoint throughput.
2. Restart to caught up: `eddy nexmark run --query q5` unbounded from the log's topics with
   a checkpoint every second and exactly-once output to a topic, killed with SIGKILL after a
   few checkpoints while input remains; then `eddy run nexmark-q5 --bounded --resume`
   restores the newest checkpoint and reads to the end of the input: its restore time and
   catch-up rate, against a bounded run of the whole input from the start.
3. Checkpoints of about 1 GiB of RocksDB state (bench/state_checkpoint_bench.cc): snapshot,
   incremental snapshot after changing 1% of it, restore; the memory backend beside it.

Writes its section of bench/RESULTS.md (between the checkpoint-bench markers; the rest of
the file is left alone) and the raw figures to bench/out/checkpoint/raw.json.

    make bench-checkpoint                        # builds first
    /usr/bin/python3 bench/run_checkpoint_bench.py
    /usr/bin/python3 bench/run_checkpoint_bench.py --report-only   # re-render raw.json

Environment: EDDY_BUILD_DIR (default build), QUICK=1 (short runs, one repetition, 256 MiB
of state), QUERIES="q0 q5", PARALLELISMS="1 2", REPEATS (default 5), TARGET_SECONDS
(default 10), RESTART_EVENTS (default 20000000, about 5.7 GB of topics), KILL_AFTER
(checkpoints, default 3),
STATE_BYTES (default 1GiB), STAGES="throughput restart state", RESULTS (the report file).
"""

import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("EDDY_BUILD_DIR", os.path.join(ROOT, "build"))
EDDY = os.path.join(BUILD, "eddy")
CHECKPOINT_BENCH = os.path.join(BUILD, "bench", "checkpoint_bench")
STATE_BENCH = os.path.join(BUILD, "bench", "state_checkpoint_bench")
QUICK = os.environ.get("QUICK") == "1"
QUERIES = os.environ.get("QUERIES", "q0 q5 q8 q11").split()
PARALLELISMS = [int(p) for p in os.environ.get("PARALLELISMS", "1 2").split()]
REPEATS = int(os.environ.get("REPEATS", "1" if QUICK else "5"))
TARGET_SECONDS = float(os.environ.get("TARGET_SECONDS", "3" if QUICK else "10"))
RESTART_EVENTS = int(os.environ.get("RESTART_EVENTS", "10000000" if QUICK else "20000000"))
KILL_AFTER = int(os.environ.get("KILL_AFTER", "2" if QUICK else "3"))
STATE_BYTES = os.environ.get("STATE_BYTES", "256MiB" if QUICK else "1GiB")
STAGES = os.environ.get("STAGES", "throughput restart state").split()
RESULTS = os.environ.get("RESULTS", os.path.join(ROOT, "bench", "RESULTS.md"))
WORK = os.path.join(ROOT, "bench", "out", "checkpoint")
BEGIN, END = "<!-- checkpoint-bench:begin -->", "<!-- checkpoint-bench:end -->"

MODES = ["off", "memory", "rocksdb"]
TARGET_RATIO = 0.9
INTERVAL_MS = 1000
# Events of the calibration run (about a second or two on the machine the engine section
# was measured on); the measured runs then get TARGET_SECONDS' worth.
CALIBRATION_EVENTS = {"q0": 20_000_000, "q5": 10_000_000, "q8": 100_000_000,
                      "q11": 10_000_000}

FINISHED = re.compile(r"finished: (\d+) events in, (\d+) results out, (\d+) late events, "
                      r"(\d+) dead letters, ([\d.]+) s")
CHECKPOINT_DONE = re.compile(r"checkpoint (\d+) of pipeline \S+ complete")
PROGRESS = re.compile(r"pipeline \S+: \d+ events/s, (\d+) events in")
RESTORED = re.compile(r"restored from checkpoint (\d+)")
LOG_OPENED = re.compile(r"opened log at .* in (\d+) ms")
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ")


def log(msg):
    print("[bench-checkpoint] " + msg, flush=True)


def run(args, timeout=3600):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s %s" % (" ".join(args), proc.returncode,
                                                      proc.stdout[-2000:], proc.stderr[-2000:]))
    return proc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine():
    cpu = "unknown"
    ram_gib = None
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                ram_gib = int(line.split()[1]) / (1 << 20)
    except OSError:
        pass
    return {"cpu": cpu, "nproc": os.cpu_count(), "ram_gib": ram_gib,
            "platform": platform.platform()}


def code_version():
    """The commit the binaries were built from, as far as the work tree tells."""
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src",
                                "include"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"
    built = datetime.datetime.fromtimestamp(os.path.getmtime(EDDY), datetime.timezone.utc)
    return "commit %s%s, `eddy` built %s" % (
        head or "?", " with uncommitted changes in src/" if dirty else "",
        built.strftime("%Y-%m-%d %H:%M UTC"))


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


# --- 1. throughput -------------------------------------------------------------------------

def checkpoint_bench(query, parallelism, events, modes, repeats):
    scratch = os.path.join(WORK, "scratch")
    os.makedirs(scratch, exist_ok=True)
    args = [CHECKPOINT_BENCH, "--query", query, "--events", str(events), "--parallelism",
            str(parallelism), "--modes", ",".join(modes), "--repeats", str(repeats),
            "--interval-ms", str(INTERVAL_MS), "--dir", scratch]
    proc = run(args)
    lines = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith("{")]
    return ([l for l in lines if l["kind"] == "run"],
            [l for l in lines if l["kind"] == "summary"][-1])


def throughput_stage():
    results = []
    for q in QUERIES:
        for p in PARALLELISMS:
            cal_events = CALIBRATION_EVENTS.get(q, 10_000_000) // (4 if QUICK else 1)
            try:
                cal_runs, _ = checkpoint_bench(q, p, cal_events, ["off"], 1)
                rate = cal_runs[0]["events_per_s"]
                events = max(1_000_000, int(round(rate * TARGET_SECONDS / 1e6)) * 1_000_000)
                log("%s p=%d: calibration %s events/s -> %d events per run" %
                    (q, p, fmt_rate(rate), events))
                runs, summary = checkpoint_bench(q, p, events, MODES, REPEATS)
                entry = {"query": q, "parallelism": p, "events": events, "runs": runs,
                         "summary": summary}
                for mode in MODES[1:]:
                    m = summary["modes"][mode]
                    log("%s p=%d %-7s %s events/s against %s: %.1f%% (paired %.1f%%), %s "
                        "checkpoints per run, median %.0f ms" %
                        (q, p, mode, fmt_rate(m["median_events_per_s"]),
                         fmt_rate(summary["modes"]["off"]["median_events_per_s"]),
                         100 * m["ratio_of_medians"], 100 * m["median_paired_ratio"],
                         m["median_checkpoints_completed"], m["median_duration_ms"]))
            except Exception as e:  # a failed run is reported, not hidden
                log("%s p=%d FAILED: %s" % (q, p, str(e)[:500]))
                entry = {"query": q, "parallelism": p, "error": str(e)[:500]}
            results.append(entry)
    return results


# --- 2. restart to caught up ----------------------------------------------------------------

class Process:
    """A child whose output lines are kept with their arrival time and spdlog time."""

    def __init__(self, args, log_path):
        self.lines = []  # (arrival time, log time or None, text)
        self.cond = threading.Condition()
        self.log_file = open(log_path, "w")
        self.started = time.time()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for text in self.proc.stdout:
            arrival = time.time()
            m = LOG_TIME.match(text)
            stamp = None
            if m:
                stamp = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
            self.log_file.write(text)
            with self.cond:
                self.lines.append((arrival, stamp, text.rstrip("\n")))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, predicate, timeout):
        deadline = time.time() + timeout
        with self.cond:
            while not predicate(self.lines):
                if self.proc.poll() is not None and not self.reader.is_alive():
                    return False
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.5))
            return True

    def finish(self, timeout):
        code = self.proc.wait(timeout)
        self.reader.join(30)
        self.log_file.close()
        return code

    def time_of(self, pattern):
        """(seconds after start, match) of the first line matching `pattern`."""
        for arrival, stamp, text in self.lines:
            m = pattern.search(text)
            if m:
                return (stamp if stamp is not None else arrival) - self.started, m
        return None, None


def restart_run(data, backend, total_events):
    out_topic = "q5-out-" + backend
    shutil.rmtree(os.path.join(data, "pipelines", "nexmark-q5"), ignore_errors=True)
    port = free_port()
    killed = Process([EDDY, "nexmark", "run", "--query", "q5", "--data-dir", data,
                      "--kafka-addr", "127.0.0.1:%d" % port, "--checkpoint-interval",
                      str(INTERVAL_MS), "--state-backend", backend, "--output",
                      "topic:" + out_topic],
                     os.path.join(WORK, "restart-%s-killed.log" % backend))
    enough = killed.wait_for(
        lambda lines: sum(1 for _, _, t in lines if CHECKPOINT_DONE.search(t)) >= KILL_AFTER, 300)
    kill_time = time.time() - killed.started
    os.kill(killed.proc.pid, signal.SIGKILL)
    killed.finish(60)
    if not enough:
        raise RuntimeError("the unbounded run completed fewer than %d checkpoints (see %s)" %
                           (KILL_AFTER, killed.log_file.name))
    done = [int(CHECKPOINT_DONE.search(t).group(1)) for _, _, t in killed.lines
            if CHECKPOINT_DONE.search(t)]
    progress = [int(PROGRESS.search(t).group(1)) for _, _, t in killed.lines
                if PROGRESS.search(t)]

    resumed = Process([EDDY, "run", "nexmark-q5", "--bounded", "--resume", "--data-dir", data,
                       "--state-backend", backend, "--output", "topic:" + out_topic],
                      os.path.join(WORK, "restart-%s-resumed.log" % backend))
    code = resumed.finish(1800)
    total = time.time() - resumed.started
    if code != 0:
        raise RuntimeError("eddy run --resume failed (%d): %s" %
                           (code, "\n".join(t for _, _, t in resumed.lines[-20:])))
    restored_at, restored = resumed.time_of(RESTORED)
    log_opened_at, _ = resumed.time_of(LOG_OPENED)
    _, finished = resumed.time_of(FINISHED)
    if finished is None:
        raise RuntimeError("no summary line from eddy run --resume (see %s)" %
                           resumed.log_file.name)
    return {"backend": backend, "total_events": total_events, "killed_after_s": kill_time,
            "checkpoints_before_kill": done, "events_in_before_kill":
            progress[-1] if progress else None,
            "restored_checkpoint": int(restored.group(1)) if restored else None,
            "log_opened_s": log_opened_at, "restore_s": restored_at, "total_s": total,
            "events": int(finished.group(1)), "results": int(finished.group(2)),
            "run_s": float(finished.group(5))}


def restart_stage():
    data = os.path.join(WORK, "restart-data")
    shutil.rmtree(data, ignore_errors=True)
    log("filling the nexmark topics with %d events" % RESTART_EVENTS)
    t0 = time.time()
    run([EDDY, "nexmark", "generate", "--events", str(RESTART_EVENTS), "--seed", "42",
         "--data-dir", data])
    fill_s = time.time() - t0
    # The pace of a bounded run over the whole input, from the start, for comparison.
    ref = run([EDDY, "run", "nexmark-q5", "--bounded", "--data-dir", data, "--output", "none",
               "--checkpoint-interval", "0"])
    m = FINISHED.search(ref.stdout + ref.stderr)
    reference = {"events": int(m.group(1)), "run_s": float(m.group(5))} if m else None
    runs = []
    for backend in ("memory", "rocksdb"):
        log("restart: q5, %s backend, SIGKILL after %d checkpoints" % (backend, KILL_AFTER))
        try:
            r = restart_run(data, backend, RESTART_EVENTS)
            log("restart %s: killed at %.1f s after checkpoint %s; restored checkpoint %s in "
                "%.2f s; %d events still to read, done %.2f s after start (%s events/s)" %
                (backend, r["killed_after_s"], r["checkpoints_before_kill"][-1],
                 r["restored_checkpoint"], r["restore_s"] or -1, r["events"], r["total_s"],
                 fmt_rate(r["events"] / r["run_s"]) if r["run_s"] > 0 else "-"))
        except Exception as e:
            log("restart %s FAILED: %s" % (backend, str(e)[:500]))
            r = {"backend": backend, "error": str(e)[:500]}
        runs.append(r)
    data_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(data)
                     for f in fs)
    shutil.rmtree(data, ignore_errors=True)
    return {"events": RESTART_EVENTS, "fill_s": fill_s, "data_bytes": data_bytes,
            "reference": reference, "runs": runs}


# --- 3. 1 GiB of RocksDB state --------------------------------------------------------------

def state_stage():
    if not os.path.exists(STATE_BENCH):
        return {"error": "%s is missing (target state_checkpoint_bench)" % STATE_BENCH}
    scratch = os.path.join(WORK, "scratch")
    os.makedirs(scratch, exist_ok=True)
    log("state_checkpoint_bench --bytes %s" % STATE_BYTES)
    try:
        proc = run([STATE_BENCH, "--bytes", STATE_BYTES, "--dir", scratch])
        with open(os.path.join(WORK, "state_checkpoint_bench.log"), "w") as f:
            f.write(proc.stderr)
        figures = json.loads([l for l in proc.stdout.splitlines() if l.startswith("{")][-1])
        return {"bytes": STATE_BYTES, "figures": figures}
    except Exception as e:
        return {"error": str(e)[:500]}


# --- report ---------------------------------------------------------------------------------

def fmt_rate(x):
    return "{:,.0f}".format(x)


def mb(x):
    return "-" if x is None else "{:,.1f} MB".format(x / 1e6)


def pct(x):
    return "{:.1f}%".format(100 * x)


def verdict(ok):
    return "**pass**" if ok else "**FAIL**"


def throughput_section(results):
    out = ["### Throughput with a checkpoint every second against none", ""]
    out.append(
        "`bench/checkpoint_bench.cc`: the query's compiled pipeline (`nexmark-qN`, as `eddy "
        "nexmark run --source generator --output none` builds it), unbounded (the generator "
        "ends after its events), seed 42. Each repetition runs the three modes back to back "
        "in rotated order, in one process: no checkpoints; a checkpoint every %d ms with the "
        "memory backend; the same with the rocksdb backend (checkpoints and live state in a "
        "fresh directory on the same disk, exactly-once mode). The event count of a run comes "
        "from a calibration run of about a second and a half, so that a run lasts about %.0f "
        "s. Events/s counts all Nexmark events of the run, whichever streams the query reads. "
        "Figures are medians over %d repetitions. Ratio = median events/s with checkpoints "
        "/ median without, the figure the target (>= %d%%) is judged on; paired = the median "
        "of each repetition's own ratio (its runs were back to back); CPU = median CPU time "
        "(user + system) of the runs without checkpoints / with them: the cost in work, "
        "which other processes on the machine move less than elapsed time." %
        (INTERVAL_MS, TARGET_SECONDS, REPEATS, int(100 * TARGET_RATIO)))
    out.append("")
    out.append("| query | parallelism | events per run | backend | no checkpoints | with a "
               "checkpoint every second | ratio | paired | CPU | >= 90% |")
    out.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        if "error" in r:
            out.append("| %s | %d | FAILED: %s | | | | | | | |" %
                       (r["query"], r["parallelism"], r["error"].replace("|", "/")[:300]))
            continue
        m = r["summary"]["modes"]
        for mode in ("memory", "rocksdb"):
            out.append("| %s | %d | %s | %s | %s events/s | %s events/s | %s | %s | %s | %s |" % (
                r["query"], r["parallelism"], "{:,}".format(r["events"]), mode,
                fmt_rate(m["off"]["median_events_per_s"]),
                fmt_rate(m[mode]["median_events_per_s"]), pct(m[mode]["ratio_of_medians"]),
                pct(m[mode]["median_paired_ratio"]), pct(m[mode].get("cpu_ratio", 0)),
                verdict(m[mode]["ratio_of_medians"] >= TARGET_RATIO)))
    out.append("")
    out.append("The checkpoints of those runs, as the job's coordinator reports them "
               "(`JobProgress::last_checkpoint`, polled every 5 ms): duration = barrier "
               "request to manifest written; alignment = the longest a task waited for its "
               "barriers; state = the backend snapshots' bytes (shared RocksDB files "
               "counted).")
    out.append("")
    out.append("| query | parallelism | backend | checkpoints per run | duration median / max | "
               "alignment median / max | state per checkpoint median / max | run time |")
    out.append("|---|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        if "error" in r:
            continue
        for mode in ("memory", "rocksdb"):
            m = r["summary"]["modes"][mode]
            out.append("| %s | %d | %s | %.0f | %.0f / %.0f ms | %.0f / %.0f ms | %s / %s | "
                       "%.1f s |" % (
                           r["query"], r["parallelism"], mode, m["median_checkpoints_completed"],
                           m["median_duration_ms"], m["max_duration_ms"],
                           m["median_max_alignment_ms"], m["max_alignment_ms"],
                           mb(m["median_state_bytes"]), mb(m["max_state_bytes"]),
                           m["median_seconds"]))
    ok = [r for r in results if "error" not in r]
    if ok:
        worst = min((r["summary"]["modes"][mode]["ratio_of_medians"], r["query"],
                     r["parallelism"], mode) for r in ok for mode in ("memory", "rocksdb"))
        failed = sum(1 for r in ok for mode in ("memory", "rocksdb")
                     if r["summary"]["modes"][mode]["ratio_of_medians"] < TARGET_RATIO)
        out.append("")
        out.append("Verdict: %d of %d query/parallelism/backend combinations reach >= %d%% of "
                   "the no-checkpoint throughput%s; the lowest ratio is %s (%s, parallelism %d, "
                   "%s backend)." % (
                       2 * len(ok) - failed, 2 * len(ok), int(100 * TARGET_RATIO),
                       "" if len(ok) == len(results) else
                       " (%d combinations failed to run)" % (len(results) - len(ok)),
                       pct(worst[0]), worst[1], worst[2], worst[3]))
    return out


def restart_section(restart):
    out = ["### Restart to caught up", ""]
    if "error" in restart:
        return out + ["FAILED: " + restart["error"], ""]
    ref = restart.get("reference")
    out.append(
        "`eddy nexmark generate --events %d --seed 42` filled the nexmark topics (%s on disk, "
        "%.1f s). `eddy nexmark run --query q5 --checkpoint-interval %d --output topic:q5-out-"
        "BACKEND` (unbounded, parallelism = cores, reading the topics with JSON decoding, "
        "exactly-once output) was killed with SIGKILL once it had logged %d completed "
        "checkpoints; then `eddy run nexmark-q5 --bounded --resume` (same data dir, backend "
        "and output) restored the newest checkpoint and read to the end of the input. Times "
        "are from its process start: log opened = its log line \"opened log ... (after an "
        "unclean shutdown)\" (recovery of the killed run's log), restored = \"restored from "
        "checkpoint N\" (the checkpoint loaded, every task's state restored, the sink's "
        "pending output recovered), caught up = exit, everything read and committed. Events "
        "are the rows its sources read (q5 reads only the bid topic)." % (restart["events"], mb(restart["data_bytes"]), restart["fill_s"],
                     INTERVAL_MS, KILL_AFTER))
    if ref:
        out.append("For comparison, a bounded run of the whole input from the start "
                   "(`eddy run nexmark-q5 --bounded --output none`) read %s events in %.2f s "
                   "(%s events/s)." % ("{:,}".format(ref["events"]), ref["run_s"],
                                       fmt_rate(ref["events"] / ref["run_s"])))
    out.append("")
    out.append("| backend | killed (after its start) | events read before the kill | checkpoint restored | "
               "events still to read | log opened | restored | caught up | catching up "
               "(events/s) |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

    def secs(x):
        return "-" if x is None else "%.2f s" % x

    for r in restart["runs"]:
        if "error" in r:
            out.append("| %s | FAILED: %s | | | | | | | |" %
                       (r["backend"], r["error"].replace("|", "/")[:300]))
            continue
        before = r["events_in_before_kill"]
        out.append("| %s | %.1f s, after checkpoint %d | %s | %s | %s | %s | %s | %.2f s | %s |" % (
            r["backend"], r["killed_after_s"], r["checkpoints_before_kill"][-1],
            "-" if before is None else "{:,} (last progress line)".format(before),
            r["restored_checkpoint"] if r["restored_checkpoint"] is not None else "none",
            "{:,}".format(r["events"]), secs(r.get("log_opened_s")), secs(r["restore_s"]),
            r["total_s"], fmt_rate(r["events"] / r["run_s"]) if r["run_s"] > 0 else "-"))
    out.append("")
    out.append("Catching up (events/s) = events still to read / the run's own time (from the "
               "pipeline's start after the restore to its end, its summary line).")
    return out


def state_step(d, name):
    """One step of state_checkpoint_bench's JSON: {"seconds", "cpu_seconds", "bytes", ...},
    whether the step is an object or flat "<name>_seconds" fields."""
    if isinstance(d.get(name), dict):
        return d[name]
    step = {}
    if name + "_seconds" in d:
        step["seconds"] = d[name + "_seconds"]
    return step


def state_section(state):
    out = ["### Checkpoints of %s of RocksDB state" % state.get("bytes", STATE_BYTES), ""]
    if "error" in state:
        return out + ["FAILED: " + state["error"].replace("|", "/"), ""]
    f = state["figures"]
    r, m = f.get("rocksdb", {}), f.get("memory", {})
    out.append(
        "`bench/state_checkpoint_bench.cc --bytes %s`: the state backends alone (src/state), "
        "16-byte keys over all 128 key groups and 100-byte random values (nothing compresses "
        "away). Snapshot = a RocksDB checkpoint (hard links to the SST files after a flush); "
        "the incremental snapshot follows overwriting 1%% of the keys, spread over the whole "
        "key range; new bytes = bytes in files the previous snapshot does not share (SST "
        "files flushed or compacted since it: what the checkpoint adds on disk). Restore = opening the snapshot as a fresh backend for every key "
        "group; half = the key groups of instance 0 of 2 (a rescale). The memory backend "
        "(one file with a CRC per snapshot) is there for comparison." % state["bytes"])
    if "load_average_before" in f:
        out.append("Load average during this stage: %s before, %s after." %
                   (f["load_average_before"], f.get("load_average_after", "?")))
    out.append("")
    out.append("| backend | step | entries | time | CPU | size | new bytes |")
    out.append("|---|---|---:|---:|---:|---:|---:|")

    def row(backend, what, step, entries, size=None, new=None):
        seconds, cpu = step.get("seconds"), step.get("cpu_seconds")
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            backend, what, "-" if entries is None else "{:,}".format(entries),
            "-" if seconds is None else "%.2f s" % seconds,
            "-" if cpu is None else "%.2f s" % cpu, size or "", new or ""))

    for backend, d, steps in (
            ("rocksdb", r, [("fill", "fill (Put every entry)"), ("snapshot", "first snapshot"),
                            ("change", "overwrite 1% of the keys"),
                            ("incremental_snapshot", "incremental snapshot"),
                            ("restore", "restore (all key groups)"),
                            ("scan", "full scan after the restore"),
                            ("restore_half", "restore, instance 0 of 2")]),
            ("memory", m, [("fill", "fill"), ("snapshot", "snapshot (one file)"),
                           ("restore", "restore")])):
        if not d:
            continue
        for name, what in steps:
            step = state_step(d, name)
            if not step:
                continue
            entries = step.get("entries")
            if name == "fill":
                entries = d.get("entries")
            elif name == "change":
                entries = d.get("changed_entries")
            elif name in ("restore", "scan") and entries is None:
                entries = state_step(d, "restore").get("entries", d.get("restored_entries"))
            size = new = None
            if "bytes" in step:
                size, new = mb(step["bytes"]), mb(step.get("new_bytes"))
            elif name == "fill" and "payload_bytes" in d:
                size = mb(d["payload_bytes"]) + " of keys and values"
            row(backend, what, step, entries, size, new)
    return out


def write_report(raw):
    mach = raw["machine"]
    started = datetime.datetime.fromisoformat(raw["started"])
    out = [BEGIN, "## Checkpoints (`make bench-checkpoint`)", ""]
    out.append(
        "Written by `bench/run_checkpoint_bench.py` (`%s`) on %s, in %.0f minutes; code: %s. "
        "Machine: %s, %d cores (nproc), %.1f GiB RAM, %s. Load average (1 min) at the start "
        "%s, at the end %s: other processes shared the machine, which moves single runs; the "
        "interleaving and the medians are there for that." % (
            raw["command"], started.strftime("%Y-%m-%d %H:%M UTC"), raw["minutes"],
            raw.get("code", "unknown"), mach["cpu"], mach["nproc"], mach["ram_gib"] or 0,
            mach["platform"], raw["load_start"], raw["load_end"]))
    out.append("")
    if "throughput" in raw:
        out += throughput_section(raw["throughput"])
        out.append("")
    if "restart" in raw:
        out += restart_section(raw["restart"])
        out.append("")
    if "state" in raw:
        out += state_section(raw["state"])
        out.append("")
    out.append(END)
    section = "\n".join(out) + "\n"
    text = open(RESULTS).read() if os.path.exists(RESULTS) else ""
    if BEGIN in text and END in text:
        tail = text[text.index(END) + len(END):]
        text = text[:text.index(BEGIN)] + section + tail.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(RESULTS, "w") as f:
        f.write(text)
    log("wrote " + RESULTS)


def main():
    raw_path = os.path.join(WORK, "raw.json")
    if "--report-only" in sys.argv:
        write_report(json.load(open(raw_path)))
        return
    needed = [EDDY] + ([CHECKPOINT_BENCH] if "throughput" in STAGES else [])
    for binary in needed:
        if not os.path.exists(binary):
            sys.exit("missing %s: run `make bench-checkpoint` (it builds first)" % binary)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    t0 = time.time()
    settings = " ".join("%s=%s" % (k, os.environ[k]) for k in (
        "QUICK", "QUERIES", "PARALLELISMS", "REPEATS", "TARGET_SECONDS", "RESTART_EVENTS",
        "KILL_AFTER", "STATE_BYTES", "STAGES", "EDDY_BUILD_DIR") if k in os.environ)
    raw = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(),
           "machine": machine(), "load_start": loadavg(), "code": code_version(),
           "command": ((settings + " ") if settings else "") +
           "/usr/bin/python3 bench/run_checkpoint_bench.py"}
    if "throughput" in STAGES:
        raw["throughput"] = throughput_stage()
    if "restart" in STAGES:
        try:
            raw["restart"] = restart_stage()
        except Exception as e:
            raw["restart"] = {"error": str(e)[:500]}
    if "state" in STAGES:
        raw["state"] = state_stage()
    raw["load_end"] = loadavg()
    raw["minutes"] = (time.time() - t0) / 60
    with open(raw_path, "w") as f:
        json.dump(raw, f, indent=1)
    shutil.rmtree(os.path.join(WORK, "scratch"), ignore_errors=True)
    write_report(raw)


if __name__ == "__main__":
    main()
