"""Starts real `eddy serve` processes for integration tests.

Each test gets its own data directory and a free port; the process is stopped
(or killed) by the test. Uses only the standard library, so it runs under
Debian's /usr/bin/python3 beside python3-kafka and python3-confluent-kafka.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

EDDY_BIN = os.environ.get("EDDY_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "eddy")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=15.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("eddy exited with code %s before listening" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("eddy did not listen on port %d within %.0f s" % (port, timeout))


class EddyServer:
    """One `eddy serve` process on a free port with its own data directory."""

    def __init__(self, data_dir=None, port=None, extra_args=(), log_name="eddy"):
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="eddy-it-")
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.log_path = os.path.join(tempfile.gettempdir(),
                                     "%s-%d-%d.log" % (log_name, os.getpid(), self.port))
        self.proc = None
        self.starts = 0

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    def start(self, timeout=30.0):
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(b"\n=== start %d ===\n" % self.starts)
        log.flush()
        self.proc = subprocess.Popen(
            [EDDY_BIN, "serve", "--data-dir", self.data_dir,
             "--kafka-addr", self.bootstrap] + self.extra_args,
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for_port(self.port, timeout, self.proc)
        return self

    def stop(self, timeout=30.0):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("eddy did not stop within %.0f s of SIGTERM" % timeout)
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def cleanup(self):
        self.kill()
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


class EddyTestCase(unittest.TestCase):
    """A test case with one running server in self.server, dumped on failure."""

    server_args = ()

    def setUp(self):
        self.server = EddyServer(extra_args=self.server_args, log_name=self.id().split(".")[-1])
        self.server.start()

    def tearDown(self):
        failed = any(err for _, err in getattr(self._outcome, "errors", []) if err) or \
            (hasattr(self._outcome, "result") and not self._outcome.result.wasSuccessful())
        if failed:
            print("---- eddy log (%s) ----" % self.server.log_path)
            print(self.server.log_text()[-6000:])
        self.server.cleanup()


def run_eddy(*args, timeout=60, check=True):
    """Runs the eddy CLI and returns the completed process (text output)."""
    proc = subprocess.run([EDDY_BIN] + list(args), capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("eddy %s failed (%d):\n%s\n%s" %
                             (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc
