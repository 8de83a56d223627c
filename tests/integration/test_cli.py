"""The eddy command line: serve, topics create/list/describe/delete, --help, and the
data directory lock."""

import os
import shutil
import subprocess
import tempfile
import unittest

from eddy_harness import EDDY_BIN, EddyServer, EddyTestCase, free_port, run_eddy


class TopicsCommands(EddyTestCase):
    def test_create_list_describe_delete(self):
        b = self.server.bootstrap
        out = run_eddy("topics", "create", "orders", "--partitions", "6",
                       "--config", "retention.ms=3600000", "--config", "segment.bytes=1048576",
                       "--bootstrap", b).stdout
        self.assertIn("orders", out)
        run_eddy("topics", "create", "payments", "--bootstrap", b)
        listed = run_eddy("topics", "list", "--bootstrap", b).stdout.split()
        self.assertIn("orders", listed)
        self.assertIn("payments", listed)

        described = run_eddy("topics", "describe", "orders", "--bootstrap", b).stdout
        self.assertIn("partitions: 6", described)
        self.assertIn("retention.ms=3600000", described)
        self.assertIn("segment.bytes=1048576", described)

        again = run_eddy("topics", "create", "orders", "--bootstrap", b, check=False)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("already exists", again.stderr)

        run_eddy("topics", "delete", "payments", "--bootstrap", b)
        self.assertNotIn("payments", run_eddy("topics", "list", "--bootstrap", b).stdout.split())
        missing = run_eddy("topics", "describe", "payments", "--bootstrap", b, check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("payments", missing.stderr)

    def test_invalid_topic_name_is_refused_with_a_reason(self):
        bad = run_eddy("topics", "create", "no spaces/allowed", "--bootstrap", self.server.bootstrap, check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("topic name", bad.stderr.lower())

    def test_topics_survive_a_restart(self):
        run_eddy("topics", "create", "durable-topic", "--partitions", "3", "--bootstrap", self.server.bootstrap)
        self.server.stop()
        self.server.start()
        described = run_eddy("topics", "describe", "durable-topic", "--bootstrap", self.server.bootstrap).stdout
        self.assertIn("partitions: 3", described)


class ServeCommand(unittest.TestCase):
    def test_help_explains_the_commands(self):
        out = run_eddy("--help").stdout
        for word in ("serve", "topics"):
            self.assertIn(word, out)
        serve_help = run_eddy("serve", "--help").stdout
        for flag in ("--data-dir", "--kafka-addr", "--fsync"):
            self.assertIn(flag, serve_help)
        topics_help = run_eddy("topics", "--help").stdout
        for word in ("create", "list", "describe", "delete"):
            self.assertIn(word, topics_help)

    def test_second_server_on_the_same_data_dir_gets_a_clear_error(self):
        with EddyServer(log_name="lock-first") as first:
            proc = subprocess.run(
                [EDDY_BIN, "serve", "--data-dir", first.data_dir, "--kafka-addr", "127.0.0.1:%d" % free_port()],
                capture_output=True, text=True, timeout=30)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn("locked", proc.stderr + proc.stdout)
            self.assertIn(str(first.proc.pid), proc.stderr + proc.stdout)
            self.assertTrue(first.alive())

    def test_bad_fsync_policy_is_rejected(self):
        d = tempfile.mkdtemp()
        try:
            proc = subprocess.run([EDDY_BIN, "serve", "--data-dir", d, "--fsync", "sometimes"],
                                  capture_output=True, text=True, timeout=30)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn("fsync", proc.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_start_logs_listener_and_recovery(self):
        with EddyServer(log_name="start-log") as server:
            run_eddy("topics", "create", "logged", "--partitions", "2", "--bootstrap", server.bootstrap)
            server.stop()
            server.start()
            text = server.log_text()
            self.assertIn("listening", text)
            self.assertIn("created topic logged", text)
            self.assertIn("after a clean shutdown", text)


if __name__ == "__main__":
    unittest.main()
