"""Kafka's own error codes for what clients get wrong: unknown topics, oversized
batches, offsets out of range, unsupported versions; and the auto-create setting."""

import threading
import time
import unittest

from kafka.protocol.admin import ApiVersionRequest, ApiVersionResponse
from kafka.protocol.fetch import FetchRequest, FetchResponse
from kafka.protocol.metadata import MetadataRequest, MetadataResponse
from kafka.protocol.offset import OffsetRequest, OffsetResponse
from kafka.protocol.produce import ProduceRequest, ProduceResponse
from kafka.record.default_records import DefaultRecordBatchBuilder

from eddy_harness import EddyServer, EddyTestCase, run_eddy
from kafka_wire import KafkaWire

NONE, OFFSET_OUT_OF_RANGE, UNKNOWN_TOPIC_OR_PARTITION, MESSAGE_TOO_LARGE = 0, 1, 3, 10
UNSUPPORTED_VERSION = 35


def batch(values, value_size=None):
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                        producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                        batch_size=1 << 24)
    for i, v in enumerate(values):
        builder.append(i, timestamp=1_700_000_000_000 + i, key=None, value=v, headers=[])
    return bytes(builder.build())


def produce(wire, topic, partition, records):
    request = ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=5000,
                                topics=[(topic, [(partition, records)])])
    response = wire.call(request, ProduceResponse[3])
    (_, partitions), = response.topics
    (_, error_code, base_offset, *_), = partitions
    return error_code, base_offset


class KafkaErrors(EddyTestCase):
    def setUp(self):
        super().setUp()
        self.wire = KafkaWire(self.server.port)

    def tearDown(self):
        self.wire.close()
        super().tearDown()

    def test_produce_to_an_unknown_topic_or_partition(self):
        self.assertEqual(produce(self.wire, "no-such-topic", 0, batch([b"x"]))[0], UNKNOWN_TOPIC_OR_PARTITION)
        run_eddy("topics", "create", "two", "--partitions", "2", "--bootstrap", self.server.bootstrap)
        self.assertEqual(produce(self.wire, "two", 2, batch([b"x"]))[0], UNKNOWN_TOPIC_OR_PARTITION)
        self.assertEqual(produce(self.wire, "two", 1, batch([b"x"])), (NONE, 0))

    def test_batch_over_max_message_bytes_is_message_too_large(self):
        run_eddy("topics", "create", "small", "--config", "max.message.bytes=10000",
                 "--bootstrap", self.server.bootstrap)
        self.assertEqual(produce(self.wire, "small", 0, batch([b"v" * 20000]))[0], MESSAGE_TOO_LARGE)
        self.assertEqual(produce(self.wire, "small", 0, batch([b"v" * 5000])), (NONE, 0))

    def test_fetch_and_list_offsets_report_the_range(self):
        run_eddy("topics", "create", "ranged", "--bootstrap", self.server.bootstrap)
        self.assertEqual(produce(self.wire, "ranged", 0, batch([b"a", b"b", b"c"])), (NONE, 0))

        def fetch(offset):
            request = FetchRequest[4](replica_id=-1, max_wait_time=100, min_bytes=1, max_bytes=1 << 20,
                                      isolation_level=0, topics=[("ranged", [(0, offset, 1 << 20)])])
            (_, partitions), = self.wire.call(request, FetchResponse[4]).topics
            (_, error_code, high_watermark, _, _, records), = partitions
            return error_code, high_watermark, records

        error_code, hw, records = fetch(0)
        self.assertEqual((error_code, hw), (NONE, 3))
        self.assertGreater(len(records), 0)
        self.assertEqual(fetch(3)[:2], (NONE, 3))  # at the end: empty, waits max_wait
        self.assertEqual(fetch(4)[:2], (OFFSET_OUT_OF_RANGE, 3))

        def list_offset(timestamp):
            request = OffsetRequest[1](replica_id=-1, topics=[("ranged", [(0, timestamp)])])
            (_, partitions), = self.wire.call(request, OffsetResponse[1]).topics
            (_, error_code, ts, offset), = partitions
            return error_code, ts, offset

        self.assertEqual(list_offset(-2)[2], 0)  # earliest
        self.assertEqual(list_offset(-1)[2], 3)  # latest
        self.assertEqual(list_offset(1_700_000_000_001), (NONE, 1_700_000_000_001, 1))
        self.assertEqual(list_offset(1_800_000_000_000)[2], -1)  # after every record

    def test_fetch_long_poll_wakes_on_append_and_honours_min_bytes(self):
        run_eddy("topics", "create", "polled", "--bootstrap", self.server.bootstrap)

        def fetch(offset, max_wait_ms, min_bytes):
            request = FetchRequest[4](replica_id=-1, max_wait_time=max_wait_ms, min_bytes=min_bytes,
                                      max_bytes=1 << 20, isolation_level=0,
                                      topics=[("polled", [(0, offset, 1 << 20)])])
            started = time.time()
            (_, partitions), = self.wire.call(request, FetchResponse[4]).topics
            (_, error_code, high_watermark, _, _, records), = partitions
            return time.time() - started, error_code, high_watermark, records

        # Nothing there: the fetch waits, and an append from another client wakes it
        # long before its 10 s are up.
        def append_later():
            time.sleep(0.3)
            other = KafkaWire(self.server.port)
            produce(other, "polled", 0, batch([b"wake up"]))
            other.close()
        threading.Thread(target=append_later).start()
        elapsed, error_code, hw, records = fetch(0, 10_000, 1)
        self.assertEqual((error_code, hw), (NONE, 1))
        self.assertIn(b"wake up", records)
        self.assertGreater(elapsed, 0.25)
        self.assertLess(elapsed, 3.0)

        # Less than min_bytes there: the fetch waits out max_wait, then answers with it.
        elapsed, error_code, hw, records = fetch(0, 700, 1 << 20)
        self.assertEqual(error_code, NONE)
        self.assertIn(b"wake up", records)
        self.assertGreater(elapsed, 0.6)

    def test_unsupported_versions(self):
        # ApiVersions of a version the broker does not know: UNSUPPORTED_VERSION with the
        # supported ranges in a v0 body, so the client can retry.
        self.wire.send_raw(18, 99, b"", flexible_header=True)
        frame = self.wire.read_frame()
        response = ApiVersionResponse[0].decode(frame[4:])
        self.assertEqual(response.error_code, UNSUPPORTED_VERSION)
        ranges = {key: (lo, hi) for key, lo, hi in response.api_versions}
        self.assertEqual(ranges[0], (3, 8))   # Produce
        self.assertEqual(ranges[1], (4, 11))  # Fetch
        # Any other unsupported request: the connection is closed.
        self.wire.send_raw(0, 2, b"")
        self.assertIsNone(self.wire.read_frame())

    def test_metadata_auto_creates_topics_when_allowed(self):
        response = self.wire.call(MetadataRequest[4](topics=["made-on-demand"], allow_auto_topic_creation=True),
                                  MetadataResponse[4])
        (error_code, name, _, partitions), = response.topics
        self.assertEqual((error_code, name, len(partitions)), (NONE, "made-on-demand", 1))
        response = self.wire.call(MetadataRequest[4](topics=["not-wanted"], allow_auto_topic_creation=False),
                                  MetadataResponse[4])
        self.assertEqual(response.topics[0][0], UNKNOWN_TOPIC_OR_PARTITION)


class AutoCreateDisabled(EddyTestCase):
    server_args = ("--auto-create-topics", "false")

    def test_metadata_does_not_create_topics(self):
        wire = KafkaWire(self.server.port)
        response = wire.call(MetadataRequest[4](topics=["never-made"], allow_auto_topic_creation=True),
                             MetadataResponse[4])
        wire.close()
        self.assertEqual(response.topics[0][0], UNKNOWN_TOPIC_OR_PARTITION)
        self.assertNotIn("never-made", run_eddy("topics", "list", "--bootstrap", self.server.bootstrap).stdout)


if __name__ == "__main__":
    unittest.main()
