"""Two consumers in one group split the partitions and commit; after both leave, a
third member of the group (a different client library) resumes exactly from the
committed offsets."""

import subprocess
import sys
import time
import unittest

import confluent_kafka
import kafka

from eddy_harness import EddyTestCase, run_eddy

PARTITIONS = 4
PER_PARTITION = 100


class ConsumerGroups(EddyTestCase):
    def consumer(self, group, client_id):
        return confluent_kafka.Consumer({
            "bootstrap.servers": self.server.bootstrap, "group.id": group,
            "client.id": client_id, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 500, "partition.assignment.strategy": "range"})

    def fill(self, topic):
        run_eddy("topics", "create", topic, "--partitions", str(PARTITIONS),
                 "--bootstrap", self.server.bootstrap)
        producer = confluent_kafka.Producer({"bootstrap.servers": self.server.bootstrap})
        for p in range(PARTITIONS):
            for i in range(PER_PARTITION):
                producer.produce(topic, value=b"p%d-m%d" % (p, i), partition=p)
        self.assertEqual(producer.flush(30), 0)

    def test_two_consumers_split_partitions_and_a_third_resumes_from_commits(self):
        topic, group = "groups-split", "split-group"
        self.fill(topic)
        a, b = self.consumer(group, "member-a"), self.consumer(group, "member-b")
        a.subscribe([topic])
        b.subscribe([topic])

        # Poll both until the group settles with every partition owned by exactly one.
        deadline = time.time() + 60
        consumed = {a: [], b: []}
        while time.time() < deadline:
            for c in (a, b):
                msg = c.poll(0.2)
                if msg is not None and not msg.error():
                    consumed[c].append((msg.partition(), msg.offset()))
            pa = {tp.partition for tp in a.assignment()}
            pb = {tp.partition for tp in b.assignment()}
            if len(pa) == 2 and len(pb) == 2 and not (pa & pb):
                break
        self.assertEqual(len(pa), 2, "member-a assignment %s" % pa)
        self.assertEqual(pa | pb, set(range(PARTITIONS)))

        # Each member consumes from each of its partitions, then commits a position of
        # its choosing (20, 30, 40, 50 for partitions 0-3) so the resume point is exact.
        commit_at = {}
        for c, owned in ((a, pa), (b, pb)):
            seen = set(p for p, _ in consumed[c])
            deadline = time.time() + 30
            while time.time() < deadline and not owned <= seen:
                msg = c.poll(0.2)
                if msg is not None and not msg.error():
                    seen.add(msg.partition())
            self.assertLessEqual(owned, seen, "a member got no messages from some of its partitions")
            positions = {p: 20 + 10 * p for p in owned}
            c.commit(offsets=[confluent_kafka.TopicPartition(topic, p, o) for p, o in positions.items()],
                     asynchronous=False)
            commit_at.update(positions)
            committed = c.committed([confluent_kafka.TopicPartition(topic, p) for p in owned], timeout=10)
            self.assertEqual({tp.partition: tp.offset for tp in committed}, positions)
        a.close()
        b.close()

        # Committed offsets are durable: they survive a restart of the broker.
        self.server.stop()
        self.server.start()

        # A kafka-python member of the same group starts where the commits left off.
        third = kafka.KafkaConsumer(
            topic, bootstrap_servers=self.server.bootstrap, group_id=group,
            auto_offset_reset="earliest", enable_auto_commit=False,
            session_timeout_ms=6000, heartbeat_interval_ms=500, consumer_timeout_ms=15000)
        first = {}
        count = 0
        for m in third:
            first.setdefault(m.partition, m.offset)
            count += 1
            if count == sum(PER_PARTITION - commit_at[p] for p in range(PARTITIONS)):
                break
        third.close()
        self.assertEqual(first, commit_at)
        self.assertEqual(count, sum(PER_PARTITION - commit_at[p] for p in range(PARTITIONS)))

    def test_leaving_member_triggers_an_immediate_rebalance(self):
        topic, group = "groups-leave", "leave-group"
        self.fill(topic)
        a, b = self.consumer(group, "stay"), self.consumer(group, "leave")
        a.subscribe([topic])
        b.subscribe([topic])
        deadline = time.time() + 60
        while time.time() < deadline:
            a.poll(0.1)
            b.poll(0.1)
            if len(a.assignment()) == 2 and len(b.assignment()) == 2:
                break
        self.assertEqual(len(b.assignment()), 2)
        b.close()
        # Well within the 6 s session timeout: the leave, not an expiry, moves the partitions.
        left_at = time.time()
        while time.time() - left_at < 5 and len(a.assignment()) != PARTITIONS:
            a.poll(0.1)
        self.assertEqual(len(a.assignment()), PARTITIONS)
        self.assertLess(time.time() - left_at, 5)
        a.close()


    def test_a_silent_member_is_expired_after_its_session_timeout(self):
        topic, group = "groups-expire", "expire-group"
        self.fill(topic)
        # The member that goes silent runs in its own process, killed with SIGKILL: it
        # never leaves, so only its session timeout (6 s) can free its partitions.
        script = (
            "import sys, time, confluent_kafka\n"
            "c = confluent_kafka.Consumer({'bootstrap.servers': sys.argv[1], 'group.id': sys.argv[2],\n"
            "    'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, 'auto.offset.reset': 'earliest'})\n"
            "c.subscribe([sys.argv[3]])\n"
            "while True:\n"
            "    c.poll(0.1)\n"
            "    if len(c.assignment()) == 2:\n"
            "        print('assigned', flush=True)\n")
        silent = subprocess.Popen([sys.executable, "-c", script, self.server.bootstrap, group, topic],
                                  stdout=subprocess.PIPE, text=True)
        try:
            a = self.consumer(group, "survivor")
            a.subscribe([topic])
            deadline = time.time() + 60
            while time.time() < deadline and len(a.assignment()) != 2:
                a.poll(0.1)
            self.assertEqual(len(a.assignment()), 2)
            self.assertEqual(silent.stdout.readline().strip(), "assigned")
        finally:
            silent.kill()
            silent.wait()
        killed_at = time.time()
        while time.time() - killed_at < 30 and len(a.assignment()) != PARTITIONS:
            a.poll(0.1)
        waited = time.time() - killed_at
        self.assertEqual(len(a.assignment()), PARTITIONS)
        # Not before the session timeout (the member never said goodbye), not long after.
        self.assertGreater(waited, 4.0)
        self.assertLess(waited, 15.0)
        a.close()


if __name__ == "__main__":
    unittest.main()
