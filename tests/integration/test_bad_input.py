"""Random, truncated and hostile bytes on the Kafka port: the broker answers with a
Kafka error or drops that connection, keeps its memory bounded, and keeps serving
every other client."""

import os
import random
import socket
import struct
import time
import unittest

import confluent_kafka
from kafka.protocol.metadata import MetadataRequest
from kafka.protocol.produce import ProduceRequest, ProduceResponse
from kafka.record.default_records import DefaultRecordBatchBuilder

from eddy_harness import EddyTestCase, run_eddy
from kafka_wire import encode_frame, read_frame


def frame(api_key, version, correlation, body):
    return encode_frame(api_key, version, correlation, body, client_id=b"bad-input-test")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class BadInput(EddyTestCase):
    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        return s

    def assert_still_serving(self):
        self.assertTrue(self.server.alive(), "broker died")
        producer = confluent_kafka.Producer({"bootstrap.servers": self.server.bootstrap})
        delivered = []
        producer.produce("still-alive", value=b"ping", on_delivery=lambda e, m: delivered.append(e))
        self.assertEqual(producer.flush(20), 0)
        self.assertEqual(delivered, [None])

    def assert_closed_by_broker(self, sock, timeout=10):
        sock.settimeout(timeout)
        try:
            data = sock.recv(65536)
            while data:
                data = sock.recv(65536)
        except ConnectionResetError:
            pass
        sock.close()

    def test_random_bytes_close_the_connection_and_the_broker_keeps_serving(self):
        rng = random.Random(99)
        for _ in range(200):
            s = self.connect()
            try:
                s.sendall(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 400))))
                s.shutdown(socket.SHUT_WR)
                self.assert_closed_by_broker(s)
            except OSError:
                pass  # the broker closed first: also fine
            finally:
                s.close()
        self.assert_still_serving()

    def test_truncated_requests_are_dropped(self):
        request = MetadataRequest[1](topics=["a", "b"])  # kafka-python encodes through a weak reference
        body = request.encode()
        whole = frame(3, 1, 1, body)
        for cut in range(1, len(whole)):
            s = self.connect()
            s.sendall(whole[:cut])
            s.shutdown(socket.SHUT_WR)
            self.assert_closed_by_broker(s)
        # A well-formed frame whose body is cut inside the Metadata fields.
        for cut in range(0, len(body)):
            s = self.connect()
            s.sendall(frame(3, 1, 7, body[:cut]))
            resp = read_frame(s)
            self.assertIsNone(resp, "a truncated Metadata body got an answer")
            s.close()
        self.assert_still_serving()

    def test_huge_declared_size_is_refused_without_allocating(self):
        before = rss_kib(self.server.proc.pid)
        for size in (0x7FFFFFFF, 200 * 1024 * 1024, -5, 3):
            s = self.connect()
            s.sendall(struct.pack(">i", size) + b"\x00\x03\x00\x01")
            self.assert_closed_by_broker(s)
        # An array count far beyond the bytes that follow it.
        s = self.connect()
        s.sendall(frame(3, 1, 1, struct.pack(">i", 0x7FFFFFF0) + b"\x00\x01x"))
        self.assertIsNone(read_frame(s))
        s.close()
        self.assertLess(rss_kib(self.server.proc.pid) - before, 50 * 1024)
        self.assert_still_serving()

    def test_many_partial_large_requests_keep_memory_bounded(self):
        # 40 clients each announce a 90 MB request and send part of it: the broker may
        # buffer at most its request budget (256 MiB), not 3.6 GB.
        before = rss_kib(self.server.proc.pid)
        socks = []
        chunk = b"\x00" * (1 << 20)
        for _ in range(40):
            s = self.connect()
            s.setblocking(False)
            try:
                s.send(struct.pack(">i", 90 * 1024 * 1024) + frame(0, 3, 1, b"")[4:14])
                for _ in range(8):
                    s.send(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
            socks.append(s)
        time.sleep(1.0)
        grown_mib = (rss_kib(self.server.proc.pid) - before) / 1024
        for s in socks:
            s.close()
        self.assertLess(grown_mib, 400, "broker grew %.0f MiB" % grown_mib)
        self.assert_still_serving()

    def test_batch_with_wrong_crc_gets_corrupt_message_and_is_not_stored(self):
        topic = "crc-check"
        run_eddy("topics", "create", topic, "--partitions", "1", "--bootstrap", self.server.bootstrap)
        builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                            producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                            batch_size=1 << 20)
        for i in range(3):
            builder.append(i, timestamp=1_700_000_000_000 + i, key=b"k", value=b"value-%d" % i, headers=[])
        batch = bytearray(builder.build())
        batch[-1] ^= 0xFF  # inside the records, covered by the CRC
        request = ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=5000,
                                    topics=[(topic, [(0, bytes(batch))])])
        body = request.encode()
        s = self.connect()
        s.sendall(frame(0, 3, 11, body))
        resp = read_frame(s)
        self.assertIsNotNone(resp, "no response to a produce with a bad CRC")
        correlation = struct.unpack(">i", resp[:4])[0]
        self.assertEqual(correlation, 11)
        decoded = ProduceResponse[3].decode(resp[4:])
        (_, partitions), = decoded.topics
        (partition, error_code, base_offset, *_), = partitions
        self.assertEqual(error_code, 2)  # CORRUPT_MESSAGE
        # The same connection still works: the good batch is accepted at offset 0.
        good = bytearray(builder.build())
        request = ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=5000,
                                    topics=[(topic, [(0, bytes(good))])])
        body = request.encode()
        s.sendall(frame(0, 3, 12, body))
        decoded = ProduceResponse[3].decode(read_frame(s)[4:])
        (_, partitions), = decoded.topics
        (partition, error_code, base_offset, *_), = partitions
        self.assertEqual((error_code, base_offset), (0, 0))
        s.close()
        self.assert_still_serving()


if __name__ == "__main__":
    unittest.main()
