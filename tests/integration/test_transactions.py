"""Kafka transactions against eddy with librdkafka's transactional producer (through
python3-confluent-kafka) and kcat: committed records visible to read_committed
consumers in order, aborted ones never; offsets sent in a transaction honoured only if
it commits; a second producer of a transactional id fences the first; an open
transaction aborted by a SIGKILL-ed broker's restart and by its timeout."""

import struct
import subprocess
import time
import unittest

import confluent_kafka
from confluent_kafka import KafkaError, KafkaException, TopicPartition
from kafka.protocol.admin import ApiVersionRequest, ApiVersionResponse
from kafka.protocol.produce import ProduceRequest, ProduceResponse
from kafka.record.default_records import DefaultRecordBatchBuilder

from eddy_harness import EddyTestCase, run_eddy
from kafka_wire import KafkaWire

# Kafka's error codes.
NONE, INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, INVALID_RECORD = 0, 47, 48, 87


class Transactions(EddyTestCase):
    def create(self, topic, partitions=1):
        run_eddy("topics", "create", topic, "--partitions", str(partitions),
                 "--bootstrap", self.server.bootstrap)

    def producer(self, transactional_id, **extra):
        config = {"bootstrap.servers": self.server.bootstrap,
                  "transactional.id": transactional_id, "linger.ms": 5}
        config.update(extra)
        producer = confluent_kafka.Producer(config)
        producer.init_transactions(30)
        return producer

    def produce_in_transaction(self, producer, topic, values, commit, partitions=1):
        producer.begin_transaction()
        for i, value in enumerate(values):
            producer.produce(topic, value=value.encode(), partition=i % partitions)
        # Written to the log before the end: librdkafka would drop unsent records of an
        # aborted transaction on its own, and the test wants them in the log.
        self.assertEqual(producer.flush(30), 0)
        if commit:
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)

    def read(self, topic, isolation, partitions=1, idle_polls=12):
        """Every value a consumer with "isolation" gets, per partition, in order."""
        consumer = confluent_kafka.Consumer({
            "bootstrap.servers": self.server.bootstrap, "group.id": "verify-%s" % isolation,
            "isolation.level": isolation, "enable.auto.commit": False,
            "enable.partition.eof": False})
        consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        values = {p: [] for p in range(partitions)}
        idle = 0
        while idle < idle_polls:
            msg = consumer.poll(0.25)
            if msg is None:
                idle += 1
                continue
            if msg.error():
                self.fail(msg.error())
            idle = 0
            values[msg.partition()].append(msg.value().decode())
        positions = consumer.position([TopicPartition(topic, p) for p in range(partitions)])
        consumer.close()
        return values, {tp.partition: tp.offset for tp in positions}

    def end_offsets(self, topic, partitions=1):
        consumer = confluent_kafka.Consumer({"bootstrap.servers": self.server.bootstrap,
                                             "group.id": "watermarks"})
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in range(partitions)}
        consumer.close()
        return ends

    def committed_offset(self, group, topic, partition=0):
        consumer = confluent_kafka.Consumer({"bootstrap.servers": self.server.bootstrap,
                                             "group.id": group})
        [tp] = consumer.committed([TopicPartition(topic, partition)], timeout=10)
        consumer.close()
        return tp.offset

    def test_read_committed_sees_exactly_the_committed_records_in_order(self):
        topic = "txn-visible"
        self.create(topic, partitions=2)
        producer = self.producer("writer-visible")
        first = ["commit-%02d" % i for i in range(10)]
        aborted = ["abort-%02d" % i for i in range(10)]
        second = ["commit-%02d" % i for i in range(10, 20)]
        self.produce_in_transaction(producer, topic, first, commit=True, partitions=2)
        self.produce_in_transaction(producer, topic, aborted, commit=False, partitions=2)
        self.produce_in_transaction(producer, topic, second, commit=True, partitions=2)
        producer.flush(10)

        committed, positions = self.read(topic, "read_committed", partitions=2)
        # Each transaction alternates partitions starting at 0 (10 values each).
        expected = {p: [v for i, v in enumerate(first) if i % 2 == p] +
                    [v for i, v in enumerate(second) if i % 2 == p] for p in (0, 1)}
        self.assertEqual(committed, expected)
        # The consumer got past the markers: its position is the end of each partition.
        self.assertEqual(positions, self.end_offsets(topic, partitions=2))

        everything, _ = self.read(topic, "read_uncommitted", partitions=2)
        for p in (0, 1):
            self.assertEqual(everything[p],
                             [v for i, v in enumerate(first) if i % 2 == p] +
                             [v for i, v in enumerate(aborted) if i % 2 == p] +
                             [v for i, v in enumerate(second) if i % 2 == p])

        # kcat (librdkafka from the command line) agrees.
        def kcat(isolation):
            out = subprocess.run(
                ["kcat", "-C", "-b", self.server.bootstrap, "-t", topic, "-p", "0", "-o",
                 "beginning", "-e", "-q", "-f", "%s\n", "-X", "isolation.level=" + isolation],
                capture_output=True, text=True, timeout=60, check=True)
            return out.stdout.split()
        self.assertEqual(kcat("read_committed"), expected[0])
        self.assertEqual(kcat("read_uncommitted"), everything[0])

    def test_offsets_sent_in_a_transaction_count_only_if_it_commits(self):
        source, sink, group = "txn-source", "txn-sink", "transform"
        self.create(source)
        self.create(sink)
        plain = confluent_kafka.Producer({"bootstrap.servers": self.server.bootstrap})
        for i in range(20):
            plain.produce(source, value=b"in-%d" % i, partition=0)
        self.assertEqual(plain.flush(30), 0)
        consumer = confluent_kafka.Consumer({
            "bootstrap.servers": self.server.bootstrap, "group.id": group,
            "enable.auto.commit": False, "isolation.level": "read_committed"})
        consumer.assign([TopicPartition(source, 0, 0)])
        producer = self.producer("writer-transform")

        def transform(count, commit):
            producer.begin_transaction()
            last = None
            for _ in range(count):
                msg = consumer.poll(10)
                self.assertIsNotNone(msg)
                self.assertIsNone(msg.error())
                producer.produce(sink, value=b"out-" + msg.value(), partition=0)
                last = msg.offset()
            producer.send_offsets_to_transaction(
                [TopicPartition(source, 0, last + 1)], consumer.consumer_group_metadata(), 30)
            if commit:
                producer.commit_transaction(30)
            else:
                producer.abort_transaction(30)

        transform(5, commit=True)
        self.assertEqual(self.committed_offset(group, source), 5)
        transform(4, commit=False)
        self.assertEqual(self.committed_offset(group, source), 5, "an aborted commit counts")
        consumer.seek(TopicPartition(source, 0, 5))
        transform(6, commit=True)
        self.assertEqual(self.committed_offset(group, source), 11)
        consumer.close()
        values, _ = self.read(sink, "read_committed")
        self.assertEqual(values[0], ["out-in-%d" % i for i in range(11)])

    def test_a_second_producer_of_the_same_id_fences_the_first(self):
        topic = "txn-fenced"
        self.create(topic)
        zombie = self.producer("writer-fenced")
        self.produce_in_transaction(zombie, topic, ["before"], commit=True)
        zombie.begin_transaction()
        zombie.produce(topic, value=b"zombie-open", partition=0)
        zombie.flush(10)

        successor = self.producer("writer-fenced")  # aborts the zombie's transaction
        self.produce_in_transaction(successor, topic, ["successor"], commit=True)

        with self.assertRaises(KafkaException) as raised:
            zombie.produce(topic, value=b"zombie-late", partition=0)
            zombie.commit_transaction(30)
        error = raised.exception.args[0]
        self.assertTrue(error.fatal(), error)
        self.assertIn(error.code(), (KafkaError._FENCED, KafkaError.INVALID_PRODUCER_EPOCH,
                                     KafkaError.PRODUCER_FENCED), error)

        values, _ = self.read(topic, "read_committed")
        self.assertEqual(values[0], ["before", "successor"])

    def test_an_open_transaction_does_not_survive_a_sigkill_of_the_broker(self):
        topic = "txn-crash"
        self.create(topic)
        producer = self.producer("writer-crash")
        self.produce_in_transaction(producer, topic, ["kept-%d" % i for i in range(5)], commit=True)
        producer.begin_transaction()
        for i in range(5):
            producer.produce(topic, value=b"open-%d" % i, partition=0)
        producer.flush(10)

        self.server.kill()
        self.server.start()
        log = self.server.log_text()
        self.assertIn("it was open when eddy stopped", log)

        # A read_committed consumer gets past the aborted transaction, to what follows.
        after = self.producer("writer-crash-2")
        self.produce_in_transaction(after, topic, ["after-%d" % i for i in range(3)], commit=True)
        values, positions = self.read(topic, "read_committed")
        self.assertEqual(values[0], ["kept-%d" % i for i in range(5)] +
                         ["after-%d" % i for i in range(3)])
        self.assertEqual(positions, self.end_offsets(topic))
        everything, _ = self.read(topic, "read_uncommitted")
        self.assertEqual(everything[0][5:10], ["open-%d" % i for i in range(5)])

        # The producer from before the crash is fenced: its transaction is gone.
        with self.assertRaises(KafkaException):
            producer.commit_transaction(30)

    def test_a_transaction_open_past_its_timeout_is_aborted_by_the_broker(self):
        topic = "txn-timeout"
        self.create(topic)
        slow = self.producer("writer-slow", **{"transaction.timeout.ms": 2000})
        slow.begin_transaction()
        for i in range(3):
            slow.produce(topic, value=b"slow-%d" % i, partition=0)
        slow.flush(10)
        time.sleep(3.5)
        self.assertIn("open longer than its transaction.timeout.ms 2000", self.server.log_text())

        other = self.producer("writer-quick")
        self.produce_in_transaction(other, topic, ["quick"], commit=True)
        values, positions = self.read(topic, "read_committed")
        self.assertEqual(values[0], ["quick"])
        self.assertEqual(positions, self.end_offsets(topic))
        with self.assertRaises(KafkaException) as raised:
            slow.commit_transaction(30)
        self.assertTrue(raised.exception.args[0].fatal(), raised.exception.args[0])


def string(s):
    return struct.pack(">h", len(s)) + s


class TransactionWire(EddyTestCase):
    """The requests themselves: encoded by hand from Kafka's message schemas (kafka-python
    2.0.2 has none of the transaction APIs), answers checked field by field."""

    def setUp(self):
        super().setUp()
        self.wire = KafkaWire(self.server.port)

    def tearDown(self):
        self.wire.close()
        super().tearDown()

    def call(self, api_key, version, body):
        correlation = self.wire.send_raw(api_key, version, body)
        frame = self.wire.read_frame()
        self.assertIsNotNone(frame, "the broker closed the connection")
        self.assertEqual(struct.unpack(">i", frame[:4])[0], correlation)
        return frame[4:]

    def init_producer_id(self, transactional_id, version=1):
        body = string(transactional_id) + struct.pack(">i", 60000)
        throttle, error, producer_id, epoch = struct.unpack(">ihqh", self.call(22, version, body))
        return error, producer_id, epoch

    def add_partitions(self, transactional_id, producer_id, epoch, topic, partitions):
        body = (string(transactional_id) + struct.pack(">qh", producer_id, epoch) +
                struct.pack(">i", 1) + string(topic) + struct.pack(">i", len(partitions)) +
                b"".join(struct.pack(">i", p) for p in partitions))
        answer = self.call(24, 1, body)
        # throttle, [topic, [partition, error]] with one topic
        (count,) = struct.unpack(">i", answer[4:8])
        self.assertEqual(count, 1)
        (name_len,) = struct.unpack(">h", answer[8:10])
        pos = 10 + name_len
        (n,) = struct.unpack(">i", answer[pos:pos + 4])
        return [struct.unpack(">ih", answer[pos + 4 + 6 * i:pos + 10 + 6 * i]) for i in range(n)]

    def produce(self, transactional_id, topic, partition, producer_id, epoch, sequence):
        builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=True,
                                            producer_id=producer_id, producer_epoch=epoch,
                                            base_sequence=sequence, batch_size=1 << 20)
        builder.append(0, timestamp=1_700_000_000_000, key=None, value=b"raw", headers=[])
        request = ProduceRequest[3](transactional_id=transactional_id, required_acks=-1,
                                    timeout=5000, topics=[(topic, [(partition, bytes(builder.build()))])])
        response = self.wire.call(request, ProduceResponse[3])
        (_, partitions), = response.topics
        (_, error_code, *_), = partitions
        return error_code

    def test_api_versions_and_find_coordinator_serve_transactions(self):
        response = self.wire.call(ApiVersionRequest[0](), ApiVersionResponse[0])
        ranges = {key: (lo, hi) for key, lo, hi in response.api_versions}
        self.assertEqual(ranges[22], (0, 4))  # InitProducerId
        self.assertEqual(ranges[24], (0, 1))  # AddPartitionsToTxn
        self.assertEqual(ranges[25], (0, 1))  # AddOffsetsToTxn
        self.assertEqual(ranges[26], (0, 1))  # EndTxn
        self.assertEqual(ranges[28], (0, 2))  # TxnOffsetCommit
        # FindCoordinator v1 with key_type 1 (transaction): this broker.
        answer = self.call(10, 1, string(b"any-transactional-id") + b"\x01")
        throttle, error = struct.unpack(">ih", answer[:6])
        self.assertEqual(error, NONE)

    def test_a_transactional_produce_needs_its_partition_in_the_transaction(self):
        run_eddy("topics", "create", "raw", "--partitions", "2", "--bootstrap", self.server.bootstrap)
        error, producer_id, epoch = self.init_producer_id(b"raw-writer")
        self.assertEqual(error, NONE)
        self.assertEqual(self.produce("raw-writer", "raw", 0, producer_id, epoch, 0), INVALID_TXN_STATE)
        self.assertEqual(self.add_partitions(b"raw-writer", producer_id, epoch, b"raw", [0]), [(0, NONE)])
        self.assertEqual(self.produce("raw-writer", "raw", 1, producer_id, epoch, 0), INVALID_TXN_STATE)
        self.assertEqual(self.produce("raw-writer", "raw", 0, producer_id, epoch, 0), NONE)
        # A transactional batch without the request's transactional_id is not a producer's.
        self.assertEqual(self.produce(None, "raw", 0, producer_id, epoch, 1), INVALID_RECORD)
        # A newer producer of the id fences this one, here and in the log.
        error, _, new_epoch = self.init_producer_id(b"raw-writer", version=0)
        self.assertEqual((error, new_epoch), (NONE, epoch + 1))
        self.assertEqual(self.produce("raw-writer", "raw", 0, producer_id, epoch, 1), INVALID_PRODUCER_EPOCH)
        self.assertEqual(self.add_partitions(b"raw-writer", producer_id, epoch, b"raw", [1]),
                         [(1, INVALID_PRODUCER_EPOCH)])


if __name__ == "__main__":
    unittest.main()
