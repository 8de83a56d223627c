#!/usr/bin/python3
"""Builds and reads Kafka record batches with kafka-python, an implementation independent
of eddy's, for record_batch_test.cc.

  kafka_python_batches.py build SPEC OUT   build one batch per "batch" line of SPEC with
                                           kafka-python and write them, concatenated, to OUT
  kafka_python_batches.py read IN          read the batches in IN with kafka-python and
                                           print what they hold

Bytes are written as "x" followed by their hex digits ("x" alone is empty), "-" is null.
SPEC lines:
  batch <codec> <producer_id> <producer_epoch> <base_sequence> <transactional 0|1>
  record <timestamp> <key> <value> <header_count> [<header_key> <header_value>]...
"read" prints, per batch and then per record:
  batch base_offset=.. codec=.. crc_valid=.. count=.. last_offset_delta=.. ...
  record <offset> <timestamp> <key> <value> <header_count> [<header_key> <header_value>]...
Any failure (a missing module or codec, a bad CRC, a malformed batch) raises, so the
process exits non-zero and the test fails.
"""

import sys

from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords


def decode_bytes(token):
    if token == "-":
        return None
    assert token.startswith("x"), token
    return bytes.fromhex(token[1:])


def encode_bytes(value):
    if value is None:
        return "-"
    return "x" + bytes(value).hex()


def build(spec_path, out_path):
    builders = []
    with open(spec_path) as spec:
        for line in spec:
            fields = line.split()
            if not fields:
                continue
            if fields[0] == "batch":
                codec, producer_id, epoch, sequence, transactional = map(int, fields[1:6])
                builders.append(DefaultRecordBatchBuilder(
                    magic=2, compression_type=codec, is_transactional=bool(transactional),
                    producer_id=producer_id, producer_epoch=epoch, base_sequence=sequence,
                    batch_size=1 << 30))
                offset = 0
            elif fields[0] == "record":
                timestamp = int(fields[1])
                key = decode_bytes(fields[2])
                value = decode_bytes(fields[3])
                count = int(fields[4])
                headers = []
                for i in range(count):
                    header_key = decode_bytes(fields[5 + 2 * i]).decode("utf-8")
                    headers.append((header_key, decode_bytes(fields[6 + 2 * i])))
                metadata = builders[-1].append(offset, timestamp, key, value, headers)
                assert metadata is not None, "kafka-python refused record %d" % offset
                offset += 1
            else:
                raise ValueError("bad spec line: " + line)
    with open(out_path, "wb") as out:
        for builder in builders:
            out.write(bytes(builder.build()))


def read(in_path):
    with open(in_path, "rb") as f:
        data = f.read()
    records = MemoryRecords(data)
    lines = []
    while records.has_next():
        batch = records.next_batch()
        assert isinstance(batch, DefaultRecordBatch), type(batch)
        # Producer fields have no public accessor in kafka-python 2.0.2.
        header = batch._header_data
        lines.append(
            "batch base_offset=%d codec=%d crc_valid=%d count=%d last_offset_delta=%d "
            "first_timestamp=%d max_timestamp=%d timestamp_type=%d transactional=%d "
            "producer_id=%d producer_epoch=%d base_sequence=%d" % (
                batch.base_offset, batch.compression_type, batch.validate_crc(),
                header[12], batch.last_offset_delta, batch.first_timestamp,
                batch.max_timestamp, batch.timestamp_type, batch.is_transactional,
                header[9], header[10], header[11]))
        for record in batch:
            fields = ["record", str(record.offset), str(record.timestamp),
                      encode_bytes(record.key), encode_bytes(record.value),
                      str(len(record.headers))]
            for header_key, header_value in record.headers:
                fields.append(encode_bytes(header_key.encode("utf-8")))
                fields.append(encode_bytes(header_value))
            lines.append(" ".join(fields))
    if records.valid_bytes() != len(data):
        raise ValueError("%d trailing bytes are not a whole batch" %
                         (len(data) - records.valid_bytes()))
    sys.stdout.write("".join(line + "\n" for line in lines))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "read":
        read(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
