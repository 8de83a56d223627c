#!/usr/bin/env bash
# The log benchmark, whole matrix in one invocation; writes bench/RESULTS.md.
# See bench/README.md for what each figure means.
#
#   make bench-log                   # builds first, then runs this
#   bash bench/run_log_bench.sh      # assumes build/eddy and build/bench/log_bench exist
#
# Environment (all optional):
#   EDDY_BUILD_DIR   where eddy and bench/log_bench are (default: build)
#   BENCH_DIR        scratch directory for data dirs, logs and the disk baseline; it must be
#                    on the file system eddy's data lives on (default: bench/out, beside ./data)
#   RESULTS          the report to write (default: bench/RESULTS.md)
#   QUICK=1          a short smoke run (small message counts) that still covers the matrix
#   KEEP=1           keep BENCH_DIR's run directory (logs, data) afterwards
#   PARTS="disk mock eddy redis"   run only these parts of the matrix (default: all); a
#                    report from a partial run says which figures were not measured
#
# Order: disk baselines (fdatasync'd, then buffered), librdkafka mock cluster, eddy with
# each fsync policy (fresh data dir each; the disk measured again around the always runs,
# the buffered baseline around the interval and never runs), Redis Streams with the
# matching appendfsync. Every process it starts is stopped on exit, also on failure or
# Ctrl-C. A failed run is recorded as FAILED in the report and makes the script exit
# non-zero, after the rest of the matrix has run.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${EDDY_BUILD_DIR:-$ROOT/build}
EDDY=$BUILD/eddy
LOG_BENCH=$BUILD/bench/log_bench
PY=/usr/bin/python3
REPORT_PY=$ROOT/bench/log_bench_report.py
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
BENCH_DIR=${BENCH_DIR:-$ROOT/bench/out}

# --- the matrix ------------------------------------------------------------------------
# Every eddy and mock configuration runs REPEATS times, the rounds interleaved (all
# configurations once, then again) so that a burst of other work on the machine hits
# different configurations; the report gives the median run and the spread. Message counts
# keep the whole run under ~10 minutes on a 2-core machine (about 5 when it is quiet):
# each produce phase is also capped at MAX_SECONDS, and the consumer reads back whatever
# was produced.
SIZES=(100 1024)
declare -A MESSAGES=([100]=2000000 [1024]=500000)
ACKS=(1 all)
PARTITIONS=(1 4)
REPEATS=3
MAX_SECONDS=5
FSYNC_POLICIES=(always interval:1000 never)
declare -A REDIS_FSYNC=([always]=always [interval:1000]=everysec [never]=no)
# Multiples of the pipeline depth: redis-benchmark rounds up to whole pipelines.
declare -A REDIS_MESSAGES=([100]=512000 [1024]=204800)
REDIS_PIPELINE=64
REDIS_CLIENTS=4
DISK_CHUNKS=(65536 1048576 4194304 16777216)
DISK_SECONDS=6
# The reference for fsync=always: long enough to outlast a virtual disk's burst.
DISK_SUSTAIN_SECONDS=10
DISK_MAX_BYTES=$((32 << 30))
# How long the pages freed by a deleted scratch file or data dir take to go back to the
# host (see settle_freed_pages).
SETTLE_SECONDS=20
if [[ "${QUICK:-0}" == 1 ]]; then
  MESSAGES=([100]=100000 [1024]=20000)
  REDIS_MESSAGES=([100]=20480 [1024]=10240)
  MAX_SECONDS=3
  REPEATS=1
  DISK_SECONDS=1
  DISK_SUSTAIN_SECONDS=2
  SETTLE_SECONDS=3
fi

PARTS=${PARTS:-disk mock eddy redis}
wants() { [[ " $PARTS " == *" $1 "* ]]; }

needed=("$LOG_BENCH")
if wants eddy; then needed+=("$EDDY"); fi
for tool in "${needed[@]}"; do
  if [[ ! -x "$tool" ]]; then
    echo "run_log_bench: $tool is missing; run 'make build' (or 'make bench-log')" >&2
    exit 2
  fi
done
for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "run_log_bench: $tool is not installed" >&2; exit 2; }
done

mkdir -p "$BENCH_DIR"
RUN_DIR=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
JSONL=$RUN_DIR/results.jsonl
: >"$JSONL"
FAILURES=0

# --- process bookkeeping: everything started is stopped on exit --------------------------
declare -a PIDS=()

stop_pid() {  # stop_pid PID: TERM, wait up to 10 s, then KILL
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  echo "run_log_bench: pid $pid ignored SIGTERM for 10 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# run_child CMD...: runs CMD in the background and waits for it, so that a TERM or INT
# sent to this script is handled at once (bash defers traps while a foreground child
# runs) and the child is stopped by cleanup.
CHILD=""
run_child() {
  "$@" &
  CHILD=$!
  local status=0
  wait "$CHILD" || status=$?
  CHILD=""
  return "$status"
}

cleanup() {
  local status=$?
  if [[ -n "$CHILD" ]]; then stop_pid "$CHILD"; fi
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ "${KEEP:-0}" == 1 ]]; then
    echo "run_log_bench: kept $RUN_DIR"
  else
    rm -rf "$RUN_DIR"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for_port() {  # wait_for_port PORT PID LOGFILE
  local port=$1 pid=$2 log=$3
  for _ in $(seq 200); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run_log_bench: process $pid exited during start-up; its log:" >&2
      tail -20 "$log" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run_log_bench: nothing listens on port $port after 20 s" >&2
  return 1
}

record_failure() {  # record_failure KIND WHAT MESSAGE...
  local kind=$1 what=$2
  shift 2
  FAILURES=$((FAILURES + 1))
  echo "run_log_bench: FAILED $what: $*" >&2
  "$PY" "$REPORT_PY" failure --kind "$kind" --what "$what" --error "$*" >>"$JSONL"
}

# run_log_bench_cmd KIND WHAT ARGS...: runs log_bench, keeps its JSON line, shows its
# human line; a failure is recorded as a KIND entry.
run_log_bench_cmd() {
  local kind=$1 what=$2
  shift 2
  local out err
  out=$RUN_DIR/last.out
  err=$RUN_DIR/last.err
  if run_child "$LOG_BENCH" "$@" >"$out" 2>"$err"; then
    grep '^{' "$out" >>"$JSONL"
    grep '^#' "$out" | sed 's/^# /  /'
  else
    record_failure "$kind" "$what" "$(tail -3 "$err" | tr '\n' ' ')"
  fi
  # librdkafka's own complaints (reconnects, timeouts) are worth seeing even on success.
  grep -v '^$' "$err" | head -5 | sed 's/^/  stderr: /' >&2 || true
}

echo "run_log_bench: run directory $RUN_DIR"
"$PY" "$REPORT_PY" machine --dir "$BENCH_DIR" --label start >>"$JSONL"

# run_buffered_baseline WHEN: 1 MiB appends to a fresh file without any sync, long enough
# to get past the pages just freed by deleted files (which the kernel reuses much faster
# than new ones): the page cache's buffered-write ceiling, which no log writing through the
# page cache can beat whatever its fsync policy. Its dirty pages are dropped with the file;
# the sync after it leaves nothing of it to write back for the next run.
run_buffered_baseline() {
  local when=$1
  run_log_bench_cmd disk "disk buffered chunk=1048576 $when" disk --dir "$RUN_DIR" --sync none \
    --chunk-bytes 1048576 --max-seconds "$DISK_SUSTAIN_SECONDS" --max-bytes "$DISK_MAX_BYTES" \
    --tag "when=$when"
  sync
}

# settle_freed_pages: on these virtual machines a page freed by a deleted file is reused
# at memory speed for a while, until the guest hands it back to the host; after that it
# fills at the buffered-write ceiling like any new page. A scratch file or data dir the
# benchmark just deleted (gigabytes: the buffered baseline alone writes 5-12 GB) would let
# the next runs write their first gigabytes several times faster than the machine
# sustains, so every eddy policy and Redis start only once those pages have gone back
# (measured: 20 s is enough for 9 GB).
settle_freed_pages() {
  sleep "$SETTLE_SECONDS"
}

# --- 1. the disk: sequential appends with fdatasync after each, then buffered -------------
if wants disk; then echo "== disk baseline (append + fdatasync in $BENCH_DIR)"; fi
for chunk in "${DISK_CHUNKS[@]}"; do
  wants disk || break
  run_log_bench_cmd disk "disk chunk=$chunk" disk --dir "$RUN_DIR" --chunk-bytes "$chunk" \
    --max-seconds "$DISK_SECONDS" --max-bytes "$DISK_MAX_BYTES"
done
if wants disk; then
  echo "== buffered write baseline (append, no fsync, in $BENCH_DIR)"
  run_buffered_baseline start
fi

# --- 2. librdkafka's in-process mock cluster: the client + loopback ceiling --------------
if wants mock; then echo "== librdkafka mock cluster"; fi
for rep in $(seq "$REPEATS"); do
  wants mock || break
  for size in "${SIZES[@]}"; do
    for acks in "${ACKS[@]}"; do
      for parts in "${PARTITIONS[@]}"; do
        run_log_bench_cmd log "mock size=$size acks=$acks partitions=$parts rep=$rep" produce \
          --mock --topic "mock-$size-$acks-$parts" --partitions "$parts" --size "$size" \
          --messages "${MESSAGES[$size]}" --max-seconds "$MAX_SECONDS" --acks "$acks" \
          --tag target=mock --tag "rep=$rep"
      done
    done
  done
done

# --- 3. eddy, one fresh server per fsync policy ------------------------------------------
# run_eddy_config POLICY PORT PID REP SIZE ACKS PARTITIONS: one fresh topic, one run.
run_eddy_config() {
  local policy=$1 port=$2 eddy_pid=$3 rep=$4 size=$5 acks=$6 parts=$7
  local name=${policy%%:*}
  local what="eddy fsync=$policy size=$size acks=$acks partitions=$parts rep=$rep"
  if ! kill -0 "$eddy_pid" 2>/dev/null; then
    record_failure log "$what" "eddy is no longer running; its log ends:" \
      "$(tail -3 "$RUN_DIR/eddy-$name.log" | tr '\n' ' ')"
    return
  fi
  local topic="bench-$size-$acks-$parts-r$rep"
  if ! run_child "$EDDY" topics create "$topic" --partitions "$parts" \
      --bootstrap "127.0.0.1:$port" >"$RUN_DIR/topic.out" 2>&1; then
    record_failure log "$what" "topics create: $(tr '\n' ' ' <"$RUN_DIR/topic.out")"
    return
  fi
  # Every run starts from the same state: the dirty pages earlier runs left are written
  # back first, so a run is not charged with the writeback of the one before it.
  sync
  run_log_bench_cmd log "$what" produce --bootstrap "127.0.0.1:$port" --topic "$topic" \
    --partitions "$parts" --size "$size" --messages "${MESSAGES[$size]}" \
    --max-seconds "$MAX_SECONDS" --acks "$acks" --stall-timeout-ms 20000 \
    --tag target=eddy --tag "fsync=$policy" --tag "rep=$rep"
}

for policy in "${FSYNC_POLICIES[@]}"; do
  wants eddy || break
  # The page cache's ceiling, measured again right before the runs compared with the mock
  # cluster (and after the never runs, below): with fsync=interval, eddy writes through it.
  if [[ "$policy" == interval:1000 ]]; then
    echo "== buffered write baseline before fsync=interval"
    run_buffered_baseline before-interval
  fi
  echo "== eddy --fsync $policy"
  name=${policy%%:*}
  data_dir=$RUN_DIR/eddy-$name
  port=$(free_port)
  "$EDDY" --log-level warn serve --data-dir "$data_dir" --kafka-addr "127.0.0.1:$port" \
    --fsync "$policy" >"$RUN_DIR/eddy-$name.log" 2>&1 &
  eddy_pid=$!
  PIDS+=("$eddy_pid")
  if ! wait_for_port "$port" "$eddy_pid" "$RUN_DIR/eddy-$name.log"; then
    record_failure log "eddy --fsync $policy" \
      "server did not start: $(tail -3 "$RUN_DIR/eddy-$name.log" | tr '\n' ' ')"
    stop_pid "$eddy_pid"
    continue
  fi
  # The disk's speed drifts with whatever else the machine does, and a virtual disk may
  # take a burst much faster than it sustains: measure it again, long enough to see the
  # sustained rate, right before and after the fsync=always runs that are compared with it.
  if [[ "$policy" == always ]]; then
    run_log_bench_cmd disk "disk chunk=1048576 before fsync=always" disk --dir "$RUN_DIR" \
      --chunk-bytes 1048576 --max-seconds "$DISK_SUSTAIN_SECONDS" --max-bytes "$DISK_MAX_BYTES" \
      --tag when=before-always
  fi
  settle_freed_pages
  for rep in $(seq "$REPEATS"); do
    for size in "${SIZES[@]}"; do
      for acks in "${ACKS[@]}"; do
        for parts in "${PARTITIONS[@]}"; do
          run_eddy_config "$policy" "$port" "$eddy_pid" "$rep" "$size" "$acks" "$parts"
        done
      done
    done
  done
  stop_pid "$eddy_pid"
  if [[ "$policy" == always ]]; then
    run_log_bench_cmd disk "disk chunk=1048576 after fsync=always" disk --dir "$RUN_DIR" \
      --chunk-bytes 1048576 --max-seconds "$DISK_SUSTAIN_SECONDS" --max-bytes "$DISK_MAX_BYTES" \
      --tag when=after-always
  fi
  if grep -qiE ' (error|critical) ' "$RUN_DIR/eddy-$name.log"; then
    echo "  eddy logged errors:" >&2
    grep -iE ' (error|critical) ' "$RUN_DIR/eddy-$name.log" | head -5 | sed 's/^/  /' >&2
  fi
  # The next policy starts from a quiet disk: nothing of this one left to write back.
  rm -rf "$data_dir"
  sync
  if [[ "$policy" == never ]]; then
    echo "== buffered write baseline after fsync=never"
    run_buffered_baseline after-never
    if wants redis; then settle_freed_pages; fi
  fi
done

# --- 4. Redis Streams with the matching appendfsync ---------------------------------------
for policy in "${FSYNC_POLICIES[@]}"; do
  wants redis || break
  appendfsync=${REDIS_FSYNC[$policy]}
  echo "== redis-server appendfsync $appendfsync (eddy's $policy)"
  redis_dir=$RUN_DIR/redis-$appendfsync
  mkdir -p "$redis_dir"
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --dir "$redis_dir" --appendonly yes \
    --appendfsync "$appendfsync" --save '' --daemonize no --logfile "$redis_dir/redis.log" &
  redis_pid=$!
  PIDS+=("$redis_pid")
  if ! wait_for_port "$port" "$redis_pid" "$redis_dir/redis.log"; then
    record_failure redis "redis appendfsync=$appendfsync" "redis-server did not start"
    stop_pid "$redis_pid"
    continue
  fi
  for size in "${SIZES[@]}"; do
    what="redis appendfsync=$appendfsync size=$size"
    stream="s$size"
    value=$(head -c "$size" /dev/zero | tr '\0' 'x')
    n=${REDIS_MESSAGES[$size]}
    if ! run_child redis-benchmark -p "$port" -n "$n" -P "$REDIS_PIPELINE" -c "$REDIS_CLIENTS" \
        XADD "$stream" '*' f "$value" >"$RUN_DIR/redis.out" 2>&1; then
      record_failure redis "$what" "redis-benchmark: $(tail -3 "$RUN_DIR/redis.out" | tr '\n' ' ')"
      continue
    fi
    # Every XADD must have landed: the stream holds exactly n entries.
    len=$(redis-cli -p "$port" XLEN "$stream")
    if [[ "$len" != "$n" ]]; then
      record_failure redis "$what" "stream holds $len entries after $n XADDs"
      continue
    fi
    # Appends the JSON line to the results and prints the line for people.
    if ! "$PY" "$REPORT_PY" redis --size "$size" --messages "$n" --fsync "$policy" \
        --appendfsync "$appendfsync" --append-to "$JSONL" <"$RUN_DIR/redis.out"; then
      record_failure redis "$what" "could not parse redis-benchmark's output"
    fi
    redis-cli -p "$port" DEL "$stream" >/dev/null
  done
  stop_pid "$redis_pid"
  rm -rf "$redis_dir"
done

"$PY" "$REPORT_PY" machine --dir "$BENCH_DIR" --label end >>"$JSONL"

# --- 5. the report -------------------------------------------------------------------------
settings=$("$LOG_BENCH" settings)
command_line="make bench-log (bash bench/run_log_bench.sh)"
if [[ "${QUICK:-0}" == 1 || "$PARTS" != "disk mock eddy redis" ]]; then
  command_line="QUICK=${QUICK:-0} PARTS=\"$PARTS\" bash bench/run_log_bench.sh"
fi
"$PY" "$REPORT_PY" write --results "$JSONL" --out "$RESULTS" --command "$command_line" \
  --settings "$settings" --max-seconds "$MAX_SECONDS" --repeats "$REPEATS" \
  --messages "100=${MESSAGES[100]},1024=${MESSAGES[1024]}" \
  --redis "pipeline=$REDIS_PIPELINE,clients=$REDIS_CLIENTS" \
  --redis "100=${REDIS_MESSAGES[100]},1024=${REDIS_MESSAGES[1024]}" \
  --disk-seconds "$DISK_SECONDS" --disk-sustain-seconds "$DISK_SUSTAIN_SECONDS"
cp "$JSONL" "$BENCH_DIR/last-results.jsonl"
echo "run_log_bench: wrote $RESULTS (raw figures: $BENCH_DIR/last-results.jsonl)"
if ((FAILURES > 0)); then
  echo "run_log_bench: $FAILURES run(s) FAILED; see the report" >&2
  exit 1
fi
