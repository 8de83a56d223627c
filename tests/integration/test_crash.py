"""A producer sends with acks=all while the broker is killed with SIGKILL several
times and restarted on the same data directory. Afterwards every acknowledged
message is there, at the offset it was acknowledged with, in order per partition,
and the offsets have no gaps."""

import random
import threading
import time
import unittest

import confluent_kafka

from eddy_harness import EddyServer, run_eddy

PARTITIONS = 3
KILLS = 5


class CrashRecovery(unittest.TestCase):
    def test_acknowledged_messages_survive_repeated_sigkill(self):
        server = EddyServer(log_name="crash")
        server.start()
        try:
            self.run_crash_loop(server)
        except Exception:
            print(server.log_text()[-8000:])
            raise
        finally:
            server.cleanup()

    def run_crash_loop(self, server):
        topic = "crash"
        run_eddy("topics", "create", topic, "--partitions", str(PARTITIONS), "--bootstrap", server.bootstrap)
        acked = {}  # sequence number -> (partition, offset)
        lock = threading.Lock()
        stop = threading.Event()

        def on_delivery(err, msg):
            if err is None:
                with lock:
                    acked[int(msg.value().split(b":")[0])] = (msg.partition(), msg.offset())

        def produce():
            producer = confluent_kafka.Producer({
                "bootstrap.servers": server.bootstrap, "acks": "all",
                "enable.idempotence": True, "linger.ms": 1,
                "message.timeout.ms": 120000, "retry.backoff.ms": 100,
                "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500,
                "socket.timeout.ms": 5000})
            seq = 0
            while not stop.is_set():
                try:
                    producer.produce(topic, key=b"k%d" % (seq % 97),
                                     value=b"%d:%s" % (seq, b"x" * (seq % 300)), on_delivery=on_delivery)
                    seq += 1
                except BufferError:
                    pass
                producer.poll(0.0005 if seq % 50 else 0.01)
            remaining = producer.flush(120)
            self.assertEqual(remaining, 0, "messages still unacknowledged after the last restart")

        rng = random.Random(1234)
        producer_thread = threading.Thread(target=produce)
        producer_thread.start()
        try:
            for kill in range(KILLS):
                time.sleep(rng.uniform(0.8, 2.0))
                with lock:
                    before = len(acked)
                server.kill()
                time.sleep(rng.uniform(0.0, 0.3))
                server.start()
                # Progress between kills: the producer keeps getting acknowledgements.
                deadline = time.time() + 30
                while time.time() < deadline:
                    with lock:
                        if len(acked) > before:
                            break
                    time.sleep(0.05)
            time.sleep(1.0)
        finally:
            stop.set()
            producer_thread.join(180)
        self.assertGreater(len(acked), 1000)
        self.assertIn("recovered", server.log_text())

        # Read back everything with a fresh consumer.
        consumer = confluent_kafka.Consumer({
            "bootstrap.servers": server.bootstrap, "group.id": "crash-verify",
            "enable.auto.commit": False, "enable.partition.eof": True})
        consumer.assign([confluent_kafka.TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
        stored = {}  # (partition, offset) -> sequence
        eof = set()
        deadline = time.time() + 120
        while len(eof) < PARTITIONS and time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == confluent_kafka.KafkaError._PARTITION_EOF:
                    eof.add(msg.partition())
                    continue
                self.fail(msg.error())
            stored[(msg.partition(), msg.offset())] = int(msg.value().split(b":")[0])
        consumer.close()
        self.assertEqual(len(eof), PARTITIONS, "did not reach the end of every partition")

        for seq, where in acked.items():
            self.assertIn(where, stored, "acknowledged message %d lost (partition %d offset %d)" % (seq, *where))
            self.assertEqual(stored[where], seq, "offset %s holds another message" % (where,))
        for p in range(PARTITIONS):
            offsets = sorted(o for (part, o) in stored if part == p)
            self.assertEqual(offsets, list(range(len(offsets))), "gap in partition %d" % p)
            seqs = [stored[(p, o)] for o in offsets]
            # Idempotence also keeps order: sequence numbers rise along each partition.
            self.assertEqual(seqs, sorted(seqs), "partition %d out of order" % p)
            self.assertEqual(len(seqs), len(set(seqs)), "duplicates in partition %d" % p)


if __name__ == "__main__":
    unittest.main()
