"""python3-kafka (kafka-python) and python3-confluent-kafka produce with every
compression codec and consume back what either of them wrote."""

import unittest

import confluent_kafka
import kafka

from eddy_harness import EddyTestCase

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PER_CODEC = 500


def payload(client, codec, i):
    # Repetitive enough to compress, different per message.
    return ("%s|%s|%05d|" % (client, codec, i) + "lorem ipsum dolor sit amet " * (i % 7 + 1)).encode()


class PythonClients(EddyTestCase):
    def produce_kafka_python(self, topic, codec):
        producer = kafka.KafkaProducer(
            bootstrap_servers=self.server.bootstrap,
            compression_type=None if codec == "none" else codec,
            acks="all", linger_ms=5)
        for i in range(PER_CODEC):
            producer.send(topic, key=b"k%d" % i, value=payload("kafka-python", codec, i),
                          headers=[("codec", codec.encode())])
        producer.flush(30)
        producer.close(10)

    def produce_confluent(self, topic, codec):
        errors = []
        producer = confluent_kafka.Producer({
            "bootstrap.servers": self.server.bootstrap,
            "compression.type": codec, "acks": "all", "linger.ms": 5})
        for i in range(PER_CODEC):
            producer.produce(topic, key=b"k%d" % i, value=payload("confluent", codec, i),
                             headers=[("codec", codec.encode())],
                             on_delivery=lambda err, msg: err and errors.append(err))
            producer.poll(0)
        self.assertEqual(producer.flush(30), 0)
        self.assertEqual(errors, [])

    def consume_confluent(self, topic, expected_count):
        consumer = confluent_kafka.Consumer({
            "bootstrap.servers": self.server.bootstrap, "group.id": "verify-" + topic,
            "auto.offset.reset": "earliest", "enable.auto.commit": False,
            "session.timeout.ms": 6000})
        consumer.subscribe([topic])
        got = []
        idle = 0
        while len(got) < expected_count and idle < 40:
            msg = consumer.poll(0.5)
            if msg is None:
                idle += 1
                continue
            self.assertIsNone(msg.error(), msg.error())
            got.append((msg.key(), msg.value(), msg.headers()))
        consumer.close()
        return got

    def consume_kafka_python(self, topic, expected_count):
        consumer = kafka.KafkaConsumer(
            topic, bootstrap_servers=self.server.bootstrap, auto_offset_reset="earliest",
            enable_auto_commit=False, consumer_timeout_ms=10000, group_id=None)
        got = []
        for m in consumer:
            got.append((m.key, m.value, [(k, v) for k, v in m.headers]))
            if len(got) == expected_count:
                break
        # Anything beyond the expected count would show up now and fail the comparison.
        for records in consumer.poll(timeout_ms=1000).values():
            got.extend((m.key, m.value, [(k, v) for k, v in m.headers]) for m in records)
        consumer.close()
        return got

    def expected(self, client, codec):
        return sorted((b"k%d" % i, payload(client, codec, i), [("codec", codec.encode())])
                      for i in range(PER_CODEC))

    def test_every_codec_round_trips_between_both_clients(self):
        for codec in CODECS:
            with self.subTest(codec=codec):
                topic_a = "py-kafka-python-" + codec
                topic_b = "py-confluent-" + codec
                self.produce_kafka_python(topic_a, codec)
                self.produce_confluent(topic_b, codec)
                # Each client reads what the other wrote.
                got_a = self.consume_confluent(topic_a, PER_CODEC)
                got_b = self.consume_kafka_python(topic_b, PER_CODEC)
                self.assertEqual(sorted((k, v, list(h or [])) for k, v, h in got_a),
                                 self.expected("kafka-python", codec))
                self.assertEqual(sorted(got_b), self.expected("confluent", codec))


if __name__ == "__main__":
    unittest.main()
