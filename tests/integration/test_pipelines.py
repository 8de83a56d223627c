"""A pipeline inside `eddy serve` reads events that kcat produces over the Kafka port and
writes results that kcat consumes back: page views per page and minute, checked against
a plain computation here; a record that is not valid JSON for the schema lands in the
dead-letter topic with the reason."""

import collections
import json
import os
import subprocess
import time
import unittest

from eddy_harness import EddyServer, run_eddy

MINUTE = 60_000
BASE = 1_700_000_040_000  # a minute boundary


def kcat_produce(bootstrap, topic, lines, key_field=None):
    payload = ""
    for line in lines:
        if key_field is not None:
            payload += json.loads(line)[key_field] + "\t" + line + "\n"
        else:
            payload += line + "\n"
    args = ["kcat", "-b", bootstrap, "-P", "-t", topic, "-X", "acks=all"]
    if key_field is not None:
        args += ["-K", "\t"]
    proc = subprocess.run(args, input=payload.encode(), capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError("kcat produce failed: " + proc.stderr.decode(errors="replace"))


def kcat_consume(bootstrap, topic, expected, timeout=30.0, fmt="%s\n"):
    """Reads `topic` from the beginning until it holds `expected` records."""
    deadline = time.time() + timeout
    out = []
    while time.time() < deadline:
        proc = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning",
                               "-e", "-q", "-f", fmt], capture_output=True, timeout=60)
        if proc.returncode == 0:
            out = [l for l in proc.stdout.decode().split("\n") if l]
            if len(out) >= expected:
                return out
        time.sleep(0.3)
    return out


class PipelineThroughKafkaClients(unittest.TestCase):
    def setUp(self):
        self.server = None

    def tearDown(self):
        if self.server:
            if any(err for _, err in getattr(self._outcome, "errors", []) if err) or \
                    (hasattr(self._outcome, "result") and not self._outcome.result.wasSuccessful()):
                print(self.server.log_text()[-6000:])
            self.server.cleanup()

    def test_kcat_events_become_page_view_counts_consumed_by_kcat(self):
        self.server = EddyServer(extra_args=["--pipeline", "page-views-per-minute"],
                                 log_name="pipeline-page-views")
        # One input partition, so that the watermark follows every event.
        run_eddy("topics", "create", "page-views", "--partitions", "1",
                 "--data-dir", self.server.data_dir)
        self.server.start()

        events = []
        pages = ["/home", "/cart", "/search", "/item/1"]
        for i in range(600):
            # Mostly in order, with some events up to 4 s late (the pipeline allows 5 s).
            ts = BASE + i * 500 - (4000 if i % 7 == 3 else 0)
            events.append({"page": pages[(i * 7) % 4], "user": "u%d" % (i % 13), "ts": ts})
        # A later event closes every earlier minute.
        closer = {"page": "/home", "user": "u0", "ts": BASE + 10 * MINUTE}
        lines = [json.dumps(e) for e in events]
        lines.insert(100, '{"page": "/broken", "ts": "not a time"}')
        lines.insert(200, 'this is not json')
        kcat_produce(self.server.bootstrap, "page-views", lines)
        kcat_produce(self.server.bootstrap, "page-views", [json.dumps(closer)])
        # Far behind the watermark now: not counted, sent to the late-data topic.
        straggler = {"page": "/home", "user": "late-user", "ts": BASE + 100}
        time.sleep(0.5)
        kcat_produce(self.server.bootstrap, "page-views", [json.dumps(straggler)])

        expected = collections.defaultdict(lambda: [0, set()])
        for e in events:
            start = e["ts"] - e["ts"] % MINUTE
            cell = expected[(e["page"], start)]
            cell[0] += 1
            cell[1].add(e["user"])
        want = sorted((page, start, start + MINUTE, n, len(users))
                      for (page, start), (n, users) in expected.items())

        got_lines = kcat_consume(self.server.bootstrap, "page-views-per-minute", len(want))
        got = sorted((r["page"], r["window_start"], r["window_end"], r["views"], r["visitors"])
                     for r in map(json.loads, got_lines))
        self.assertEqual(got, want)

        late = kcat_consume(self.server.bootstrap, "page-views.late", 1)
        self.assertEqual([json.loads(l) for l in late], [straggler])

        dead = kcat_consume(self.server.bootstrap, "page-views.dead-letter", 2,
                            fmt="%h\t%s\n")
        self.assertEqual(len(dead), 2, dead)
        self.assertIn("not a time", dead[0])
        self.assertIn("eddy.error=", dead[0])
        self.assertIn("ts", dead[0].split("\t")[0])
        self.assertIn("this is not json", dead[1])
        self.assertIn("pipeline page-views-per-minute started", self.server.log_text())

    def test_run_list_names_the_compiled_pipelines(self):
        out = run_eddy("run", "--list").stdout
        for name in ["nexmark-q0", "nexmark-q5", "nexmark-q11", "page-views-per-minute",
                     "fraud-alerts"]:
            self.assertIn(name, out)

    def test_unknown_pipeline_is_a_clear_error(self):
        proc = run_eddy("run", "no-such-pipeline", "--bounded", "--data-dir",
                        os.path.join("/tmp", "eddy-it-unknown-%d" % os.getpid()), check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("no pipeline called 'no-such-pipeline'", proc.stdout + proc.stderr)


if __name__ == "__main__":
    unittest.main()
