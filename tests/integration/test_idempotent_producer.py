"""An idempotent producer whose produce responses get lost retries, and the broker's
de-duplication (producer id, epoch, sequence) leaves no duplicates, in order.
A plain producer through the same faults does duplicate: the control that shows
the test can tell the difference."""

import unittest

import confluent_kafka

from eddy_harness import EddyServer, EddyTestCase, free_port, run_eddy
from kafka_proxy import DroppingProxy

MESSAGES = 20_000


class IdempotentProducer(EddyTestCase):
    def setUp(self):
        # The broker advertises the proxy, so every client connection goes through it.
        self.proxy_port = free_port()
        self.server_args = ("--advertised-addr", "127.0.0.1:%d" % self.proxy_port)
        super().setUp()

    def tearDown(self):
        if hasattr(self, "proxy"):
            self.proxy.close()
        super().tearDown()

    def produce_through_faults(self, topic, idempotent):
        self.proxy = DroppingProxy(self.server.port, listen_port=self.proxy_port,
                                   drop_probability=0.15, seed=42, max_drops=12)
        run_eddy("topics", "create", topic, "--partitions", "2", "--bootstrap", self.server.bootstrap)
        producer = confluent_kafka.Producer({
            "bootstrap.servers": "127.0.0.1:%d" % self.proxy.port,
            "enable.idempotence": idempotent, "acks": "all",
            "linger.ms": 2, "batch.num.messages": 200,
            "max.in.flight.requests.per.connection": 5,
            "retry.backoff.ms": 50, "message.timeout.ms": 60000,
            # Reconnect at once after each dropped connection (the default backs off
            # exponentially up to 10 s, which would dominate the test's time).
            "reconnect.backoff.ms": 10, "reconnect.backoff.max.ms": 100,
            "socket.timeout.ms": 10000})
        failures = []
        for i in range(MESSAGES):
            while True:
                try:
                    producer.produce(topic, key=b"%d" % (i % 2), value=b"%08d" % i,
                                     on_delivery=lambda err, msg: err and failures.append(err))
                    break
                except BufferError:
                    producer.poll(0.05)
            producer.poll(0)
        self.assertEqual(producer.flush(90), 0)
        self.assertEqual(failures, [])
        self.dropped = self.proxy.drops
        self.proxy.close()
        return self.read_back(topic)

    def read_back(self, topic):
        # The proxy is closed; reading goes through a fresh, non-dropping one.
        self.proxy = DroppingProxy(self.server.port, listen_port=self.proxy_port, drop_probability=0)
        consumer = confluent_kafka.Consumer({
            "bootstrap.servers": self.server.bootstrap, "group.id": "verify",
            "auto.offset.reset": "earliest", "enable.auto.commit": False})
        consumer.assign([confluent_kafka.TopicPartition(topic, p, 0) for p in range(2)])
        per_partition = {0: [], 1: []}
        idle = 0
        while idle < 20:
            msg = consumer.poll(0.25)
            if msg is None:
                idle += 1
                continue
            if msg.error():
                if msg.error().code() == confluent_kafka.KafkaError._PARTITION_EOF:
                    continue
                self.fail(msg.error())
            idle = 0
            per_partition[msg.partition()].append(int(msg.value()))
        consumer.close()
        return per_partition

    def test_idempotent_producer_retries_leave_no_duplicates(self):
        got = self.produce_through_faults("idempotent", idempotent=True)
        self.assertGreater(self.dropped, 0, "the proxy dropped no responses")
        everything = sorted(got[0] + got[1])
        self.assertEqual(everything, list(range(MESSAGES)))
        for partition, values in got.items():
            self.assertEqual(values, sorted(values), "partition %d out of order" % partition)

    def test_plain_producer_through_the_same_faults_duplicates(self):
        got = self.produce_through_faults("plain", idempotent=False)
        self.assertGreater(self.dropped, 0)
        everything = got[0] + got[1]
        self.assertEqual(set(everything), set(range(MESSAGES)))
        self.assertGreater(len(everything), MESSAGES, "expected retried duplicates without idempotence")


if __name__ == "__main__":
    unittest.main()
