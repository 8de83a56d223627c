"""kcat (librdkafka) produces and consumes 100,000 keyed messages with headers through
a real `eddy serve`, and gets back exactly what it sent, byte for byte."""

import random
import subprocess
import tempfile
import unittest

from eddy_harness import EddyTestCase, run_eddy

MESSAGES = 100_000


def make_messages(seed):
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_=+/()[]{}<>@#$%^&*~é✓ü"
    out = []
    for i in range(MESSAGES):
        key = "key-%06d" % i
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200)))
        out.append((key, value))
    return out


class KcatRoundTrip(EddyTestCase):
    def test_kcat_produces_and_consumes_100k_messages_byte_for_byte(self):
        topic = "kcat-roundtrip"
        run_eddy("topics", "create", topic, "--partitions", "3", "--bootstrap", self.server.bootstrap)
        messages = make_messages(7)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
            for k, v in messages:
                f.write("%s\t%s\n" % (k, v))
            path = f.name
        produce = subprocess.run(
            ["kcat", "-b", self.server.bootstrap, "-P", "-t", topic, "-K", "\t",
             "-H", "source=kcat", "-H", "trace=abc-123", "-X", "acks=all", "-l", path],
            capture_output=True, timeout=120)
        self.assertEqual(produce.returncode, 0, produce.stderr.decode(errors="replace"))

        consume = subprocess.run(
            ["kcat", "-b", self.server.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e",
             "-f", "%p\t%o\t%k\t%h\t%s\n"],
            capture_output=True, timeout=120)
        self.assertEqual(consume.returncode, 0, consume.stderr.decode(errors="replace"))
        lines = consume.stdout.decode("utf-8").split("\n")
        self.assertEqual(lines[-1], "")
        lines = lines[:-1]
        self.assertEqual(len(lines), MESSAGES)

        got = {}
        offsets = {}
        for line in lines:
            partition, offset, key, headers, value = line.split("\t", 4)
            self.assertEqual(headers, "source=kcat,trace=abc-123")
            self.assertNotIn(key, got, "duplicate message for key %s" % key)
            got[key] = value
            offsets.setdefault(int(partition), []).append(int(offset))
        self.assertEqual(got, dict(messages))
        # Offsets within each partition are dense from 0 and in order.
        self.assertEqual(sorted(offsets), [0, 1, 2])
        for partition, offs in offsets.items():
            self.assertEqual(offs, list(range(len(offs))), "partition %d" % partition)
        # Keys hash to partitions, so a key's messages stay in one partition in order:
        # here each key is unique, so check that every partition got a fair share.
        for offs in offsets.values():
            self.assertGreater(len(offs), MESSAGES // 10)

    def test_kcat_lists_metadata_of_created_topics(self):
        run_eddy("topics", "create", "meta-a", "--partitions", "4", "--bootstrap", self.server.bootstrap)
        out = subprocess.run(["kcat", "-b", self.server.bootstrap, "-L", "-t", "meta-a"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('topic "meta-a" with 4 partitions', out.stdout)


if __name__ == "__main__":
    unittest.main()
