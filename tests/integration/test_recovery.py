"""Exactly-once through crashes: `eddy serve` runs Nexmark q5 (hopping-window counts and
a top-N) and q8 (a window join of two topics) unbounded, with checkpoints, writing to
topics and to part-file directories. A Kafka client (librdkafka, through `eddy nexmark
generate --bootstrap`) fills the input topics meanwhile. The eddy process is killed
with SIGKILL at random moments — at least ten times, many of them while a checkpoint
is being taken — and restarted. A last bounded run resumes from the newest checkpoint
to the end of the input. Then a read_committed consumer (confluent-kafka) reads the
output topics and the committed part files are read: each must equal, record for
record, what an uninterrupted bounded run of the same query writes."""

import glob
import os
import random
import shutil
import subprocess
import tempfile
import time
import unittest

from confluent_kafka import Consumer, TopicPartition

from eddy_harness import EddyServer, run_eddy, EDDY_BIN

QUERIES = ["nexmark-q5", "nexmark-q8"]
EVENTS = 400_000
KILLS = 12


def read_topic(bootstrap, topic, isolation="read_committed", timeout=60.0):
    """Every record value of `topic`, read from the beginning to its end."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "check-" + topic,
                         "enable.auto.commit": False, "isolation.level": isolation,
                         "auto.offset.reset": "earliest", "session.timeout.ms": 6000})
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        partitions = list(metadata.topics[topic].partitions)
        ends = {}
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            ends[p] = high
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        values = []
        done = {p for p in partitions if ends[p] == 0}
        deadline = time.time() + timeout
        while len(done) < len(partitions) and time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            values.append(msg.value().decode())
            if msg.offset() + 1 >= ends[msg.partition()]:
                done.add(msg.partition())
        if len(done) < len(partitions):
            raise AssertionError("could not read %s to its end" % topic)
        return sorted(values)
    finally:
        consumer.close()


def read_part_files(directory):
    """The lines of the committed part files (not the .inprogress ones)."""
    lines = []
    for path in glob.glob(os.path.join(directory, "part-*.jsonl")):
        with open(path) as f:
            lines += [l for l in f.read().split("\n") if l]
    return sorted(lines)


class CrashLoop(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="eddy-recovery-")
        self.server = None

    def tearDown(self):
        failed = any(err for _, err in getattr(self._outcome, "errors", []) if err) or \
            (hasattr(self._outcome, "result") and not self._outcome.result.wasSuccessful())
        if self.server:
            if failed:
                print("---- eddy log (%s) ----" % self.server.log_path)
                print(self.server.log_text()[-8000:])
            self.server.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def files_of(self, query):
        return os.path.join(self.tmp, "files", query)

    def test_sigkill_loop_keeps_output_exactly_once(self):
        pipeline_args = ["--pipeline", QUERIES[0], "--pipeline", QUERIES[1],
                         "--set", "source=topics", "--set", "out-of-orderness-ms=0",
                         "--parallelism", "2", "--checkpoint-interval", "200",
                         "--output", "topic:{pipeline}-out,file:" +
                         os.path.join(self.tmp, "files", "{pipeline}")]
        self.server = EddyServer(extra_args=pipeline_args, log_name="recovery")
        data = self.server.data_dir
        for topic in ["nexmark-person", "nexmark-auction", "nexmark-bid"]:
            run_eddy("topics", "create", topic, "--partitions", "3", "--config",
                     "retention.ms=-1", "--data-dir", data)
        self.server.start()

        # A Kafka client fills the input topics while eddy runs and is killed.
        filler_log = open(os.path.join(self.tmp, "filler.log"), "w")
        filler = subprocess.Popen(
            [EDDY_BIN, "nexmark", "generate", "--bootstrap", self.server.bootstrap,
             "--events", str(EVENTS), "--rate", "2000", "--max-events-per-second", "25000",
             "--timeout-ms", "120000"],
            stdout=filler_log, stderr=subprocess.STDOUT)

        rng = random.Random(4)
        kills = 0
        checkpoints_seen = 0
        while kills < KILLS or filler.poll() is None:
            time.sleep(rng.uniform(0.3, 1.6))
            log = self.server.log_text()
            checkpoints_seen = log.count("complete:")
            self.server.kill()
            kills += 1
            self.server.start()
            if kills > 60:
                break
        code = filler.wait(timeout=180)
        filler_log.close()
        with open(os.path.join(self.tmp, "filler.log")) as f:
            self.assertEqual(code, 0, f.read())
        self.assertGreaterEqual(kills, KILLS)
        # Let the restarted process complete a few checkpoints, then stop it for good.
        time.sleep(2)
        log = self.server.log_text()
        self.assertGreater(log.count("restored from checkpoint"), 3, "restarts did not restore")
        self.assertGreater(log.count("checkpoint"), 10)
        self.server.kill()

        # Finish: resume from the newest checkpoint as a bounded run.
        for query in QUERIES:
            run_eddy("run", query, "--bounded", "--resume", "--data-dir", data,
                     "--set", "source=topics", "--set", "out-of-orderness-ms=0",
                     "--parallelism", "2", "--output",
                     "topic:%s-out,file:%s" % (query, self.files_of(query)), timeout=300)
            # The reference: one uninterrupted bounded run over the same input.
            run_eddy("run", query, "--bounded", "--data-dir", data,
                     "--set", "source=topics", "--set", "out-of-orderness-ms=0",
                     "--output", "topic:%s-reference" % query, timeout=300)

        self.server = EddyServer(data_dir=data, log_name="recovery-check")
        self.server.owns_dir = True
        self.server.start()
        for query in QUERIES:
            expected = read_topic(self.server.bootstrap, query + "-reference")
            self.assertGreater(len(expected), 20, "too few results to mean anything")
            actual = read_topic(self.server.bootstrap, query + "-out")
            self.assertEqual(len(actual), len(expected), query + ": record count")
            self.assertEqual(actual, expected, query + ": topic output differs")
            files = read_part_files(self.files_of(query))
            self.assertEqual(files, expected, query + ": file output differs")


class Savepoints(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="eddy-savepoint-")
        self.server = None

    def tearDown(self):
        if self.server:
            if not self._outcome.result.wasSuccessful() if hasattr(self._outcome, "result") else False:
                print(self.server.log_text()[-6000:])
            self.server.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_savepoint_of_a_running_pipeline_restarts_at_another_parallelism(self):
        query = "nexmark-q5"
        data = os.path.join(self.tmp, "data")
        run_eddy("nexmark", "generate", "--data-dir", data, "--events", "150000", "--rate", "1000")
        common = ["--set", "source=topics", "--output", "topic:%s-out" % query]
        # Periodic checkpoints far apart: the output waits for the savepoint's restart.
        self.server = EddyServer(data_dir=data, log_name="savepoint", extra_args=[
            "--pipeline", query, "--parallelism", "2", "--checkpoint-interval", "3600000"] + common)
        self.server.start()
        time.sleep(1.0)
        target = os.path.join(self.tmp, "sp1")
        proc = run_eddy("savepoint", query, "--data-dir", data, "--to", target, timeout=120)
        self.assertIn("written to", proc.stdout)
        self.assertTrue(os.path.exists(os.path.join(target, "MANIFEST")))
        again = run_eddy("savepoint", query, "--data-dir", data, "--to", target, check=False,
                         timeout=120)
        self.assertNotEqual(again.returncode, 0, "a savepoint must not overwrite another")
        self.assertIn("exists", again.stderr)
        self.server.stop()
        self.assertIn("savepoint", self.server.log_text())

        # Finish from the savepoint at parallelism 3, to the end of the input.
        run_eddy("run", query, "--bounded", "--data-dir", data, "--from-savepoint", target,
                 "--parallelism", "3", *common, timeout=300)
        run_eddy("run", query, "--bounded", "--data-dir", data, "--set", "source=topics",
                 "--output", "topic:%s-reference" % query, timeout=300)
        self.server = EddyServer(data_dir=data, log_name="savepoint-check")
        self.server.start()
        expected = read_topic(self.server.bootstrap, query + "-reference")
        self.assertGreater(len(expected), 20)
        self.assertEqual(read_topic(self.server.bootstrap, query + "-out"), expected)

    def test_savepoint_of_a_pipeline_that_is_not_running_fails_clearly(self):
        proc = run_eddy("savepoint", "nexmark-q5", "--data-dir", self.tmp, "--to",
                        os.path.join(self.tmp, "sp"), "--timeout", "2", check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("nexmark-q5", proc.stderr)


if __name__ == "__main__":
    unittest.main()
