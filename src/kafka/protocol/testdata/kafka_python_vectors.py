#!/usr/bin/python3
"""Kafka messages with known values, encoded and decoded by kafka-python.

kafka-python (Debian's python3-kafka, 2.0.2) is an implementation of the Kafka wire
protocol written independently of eddy's. eddy's codec tests (kafka_python_compat_test.cc)
run this script to compare the two byte for byte. The values below are the same as
the C++ samples in sample_messages.cc: every field a version has carries a known,
non-default value.

Usage:
  kafka_python_vectors.py            prints, one per line:
                                       have <Message> <number of versions kafka-python has>
                                       vector <Message> <version> <hex of the body>
                                       header <hex of a request header v1>
                                       error <code> <NAME>
  kafka_python_vectors.py check FILE reads "<Message> <version> <hex>" lines (eddy's
                                     encodings), decodes each with kafka-python, and
                                     checks it holds the expected values and nothing
                                     more. Prints "checked N" and exits 0 if all pass.

Where kafka-python 2.0.2's schema for a version disagrees with Kafka's message
definitions, this script uses a corrected schema built from kafka-python's own types,
and says why next to it.
"""

import inspect
import io
import sys

import kafka.errors
from kafka.protocol.admin import (ApiVersionRequest, ApiVersionResponse, CreateTopicsRequest,
                                  CreateTopicsResponse, DeleteTopicsRequest,
                                  DeleteTopicsResponse, DescribeConfigsRequest,
                                  DescribeConfigsResponse)
from kafka.protocol.api import RequestHeader, Response, Request
from kafka.protocol.commit import (GroupCoordinatorRequest, GroupCoordinatorResponse,
                                   OffsetCommitRequest, OffsetCommitResponse,
                                   OffsetFetchRequest, OffsetFetchResponse)
from kafka.protocol.fetch import FetchRequest, FetchResponse
from kafka.protocol.group import (HeartbeatRequest, HeartbeatResponse, JoinGroupRequest,
                                  JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse,
                                  SyncGroupRequest, SyncGroupResponse)
from kafka.protocol.metadata import MetadataRequest, MetadataResponse
from kafka.protocol.offset import OffsetRequest, OffsetResponse
from kafka.protocol.produce import ProduceRequest, ProduceResponse
from kafka.protocol.types import Array, Boolean, Int8, Int16, Int32, Int64, Schema, String

# The versions eddy serves (src/kafka/protocol/api_keys.cc), by API key.
EDDY_VERSIONS = {
    0: (3, 8), 1: (4, 11), 2: (0, 5), 3: (0, 8), 8: (2, 7), 9: (1, 5), 10: (0, 2),
    11: (0, 5), 12: (0, 3), 13: (0, 3), 14: (0, 3), 18: (0, 3), 19: (0, 4), 20: (0, 3),
    22: (0, 1), 32: (0, 2),
}

THROTTLE = 250


# --- Corrections to kafka-python 2.0.2 -------------------------------------------------

# ProduceResponse v8: a misplaced parenthesis in kafka-python drops record_errors and
# error_message from each partition (Schema's zip() silently truncates the tuple).
class ProduceResponseV8(Response):
    API_KEY = 0
    API_VERSION = 8
    SCHEMA = Schema(
        ('topics', Array(
            ('topic', String('utf-8')),
            ('partitions', Array(
                ('partition', Int32),
                ('error_code', Int16),
                ('offset', Int64),
                ('timestamp', Int64),
                ('log_start_offset', Int64),
                ('record_errors', Array(
                    ('batch_index', Int32),
                    ('batch_index_error_message', String('utf-8')))),
                ('error_message', String('utf-8')))))),
        ('throttle_time_ms', Int32))


# FetchRequest v7-v11: kafka-python declares forgotten_topics_data's topic as the class
# String rather than String('utf-8'), so any non-empty list fails to encode.
def _fetch_request_schema(version):
    partition = [('partition', Int32)]
    if version >= 9:
        partition.append(('current_leader_epoch', Int32))
    partition += [('fetch_offset', Int64), ('log_start_offset', Int64), ('max_bytes', Int32)]
    fields = [('replica_id', Int32), ('max_wait_time', Int32), ('min_bytes', Int32),
              ('max_bytes', Int32), ('isolation_level', Int8), ('session_id', Int32),
              ('session_epoch', Int32),
              ('topics', Array(('topic', String('utf-8')), ('partitions', Array(*partition)))),
              ('forgotten_topics_data', Array(('topic', String('utf-8')),
                                              ('partitions', Array(Int32))))]
    if version >= 11:
        fields.append(('rack_id', String('utf-8')))
    return Schema(*fields)


def _fetch_request_class(version):
    return type('FetchRequestV%d' % version, (Request,), {
        'API_KEY': 1, 'API_VERSION': version, 'RESPONSE_TYPE': FetchResponse[version],
        'SCHEMA': _fetch_request_schema(version)})


# ListOffsetsRequest v4-v5: kafka-python declares current_leader_epoch as Int64; Kafka's
# definition (and every broker) has int32.
def _list_offsets_request_class(version):
    return type('ListOffsetsRequestV%d' % version, (Request,), {
        'API_KEY': 2, 'API_VERSION': version, 'RESPONSE_TYPE': OffsetResponse[version],
        'SCHEMA': Schema(
            ('replica_id', Int32),
            ('isolation_level', Int8),
            ('topics', Array(
                ('topic', String('utf-8')),
                ('partitions', Array(
                    ('partition', Int32),
                    ('current_leader_epoch', Int32),
                    ('timestamp', Int64))))))})


# FindCoordinatorResponse v1: kafka-python omits throttle_time_ms, which Kafka puts first
# from v1 on.
class FindCoordinatorResponseV1(Response):
    API_KEY = 10
    API_VERSION = 1
    SCHEMA = Schema(
        ('throttle_time_ms', Int32),
        ('error_code', Int16),
        ('error_message', String('utf-8')),
        ('coordinator_id', Int32),
        ('host', String('utf-8')),
        ('port', Int32))


# DescribeConfigsResponse v1: kafka-python keeps v0's boolean is_default where Kafka v1
# has the int8 config_source (kafka-python's own v2 has it right).
class DescribeConfigsResponseV1(Response):
    API_KEY = 32
    API_VERSION = 1
    SCHEMA = DescribeConfigsResponse[2].SCHEMA


def message_class(name, version):
    """The kafka-python class for a message version, with the corrections above."""
    if name == 'ProduceResponse' and version == 8:
        return ProduceResponseV8
    if name == 'FetchRequest' and version >= 7:
        return _fetch_request_class(version)
    if name == 'ListOffsetsRequest' and version >= 4:
        return _list_offsets_request_class(version)
    if name == 'FindCoordinatorResponse' and version == 1:
        return FindCoordinatorResponseV1
    if name == 'DescribeConfigsResponse' and version == 1:
        return DescribeConfigsResponseV1
    return KAFKA_PYTHON[name][1][version]


# --- The known values (the same as sample_messages.cc) ---------------------------------

def produce_request(v):
    return dict(transactional_id='txn-1', required_acks=-1, timeout=1500, topics=[
        ('orders', [(0, b'batch-one'), (3, b'\x00\x01\x02\xff\xfe')]),
        ('payments', [(1, b'')])])


def produce_response(v):
    p0, p3 = [0, 0, 42], [3, 6, -1]
    if v >= 2:
        p0.append(1700000000000)
        p3.append(1700000000001)
    if v >= 5:
        p0.append(7)
        p3.append(0)
    if v >= 8:
        p0 += [[(1, 'bad crc'), (2, None)], 'some records failed']
        p3 += [[], None]
    out = dict(topics=[('orders', [tuple(p0), tuple(p3)])])
    if v >= 1:
        out['throttle_time_ms'] = THROTTLE
    return out


def fetch_request(v):
    def partition(index, epoch, offset, log_start, max_bytes):
        p = [index]
        if v >= 9:
            p.append(epoch)
        p.append(offset)
        if v >= 5:
            p.append(log_start)
        p.append(max_bytes)
        return tuple(p)
    out = dict(replica_id=2, max_wait_time=500, min_bytes=1, max_bytes=52428800,
               isolation_level=1,
               topics=[('orders', [partition(0, 5, 100, 10, 1048576),
                                   partition(2, 6, 200, 20, 65536)])])
    if v >= 7:
        out.update(session_id=77, session_epoch=3, forgotten_topics_data=[('old', [4, 5])])
    if v >= 11:
        out['rack_id'] = 'rack-a'
    return out


def fetch_response(v):
    p0 = [0, 0, 150, 140]
    p2 = [2, 1, -1, -1]
    if v >= 5:
        p0.append(10)
        p2.append(-1)
    p0.append([(9001, 120), (9002, 130)])
    p2.append(None)
    if v >= 11:
        p0.append(2)
        p2.append(-1)
    p0.append(b'batch-bytes')
    p2.append(None)
    out = dict(throttle_time_ms=THROTTLE, topics=[('orders', [tuple(p0), tuple(p2)])])
    if v >= 7:
        out.update(error_code=70, session_id=77)
    return out


def list_offsets_request(v):
    if v == 0:
        partitions = [(0, -2, 3), (1, 1700000000000, 1)]
    elif v < 4:
        partitions = [(0, -2), (1, 1700000000000)]
    else:
        partitions = [(0, 5, -2), (1, 6, 1700000000000)]
    out = dict(replica_id=4, topics=[('orders', partitions)])
    if v >= 2:
        out['isolation_level'] = 1
    return out


def list_offsets_response(v):
    if v == 0:
        partitions = [(0, 0, [100, 50, 0]), (1, 3, [])]
    elif v < 4:
        partitions = [(0, 0, 1700000000000, 100), (1, 3, -1, -1)]
    else:
        partitions = [(0, 0, 1700000000000, 100, 5), (1, 3, -1, -1, -1)]
    out = dict(topics=[('orders', partitions)])
    if v >= 2:
        out['throttle_time_ms'] = THROTTLE
    return out


def metadata_request(v):
    out = dict(topics=['orders', 'payments'])
    if v >= 4:
        out['allow_auto_topic_creation'] = False
    return out


def metadata_response(v):
    if v == 0:
        brokers = [(1, 'broker-1.local', 9092), (2, 'broker-2.local', 9093)]
    else:
        brokers = [(1, 'broker-1.local', 9092, 'rack-a'), (2, 'broker-2.local', 9093, None)]
    p0 = [0, 0, 1, [1, 2], [1]]
    p1 = [5, 1, -1, [2], []]
    if v >= 5:
        p0.append([2])
        p1.append([])
    partitions = [tuple(p0), tuple(p1)]
    if v == 0:
        topics = [(0, 'orders', partitions), (3, '__consumer_offsets', [])]
    else:
        topics = [(0, 'orders', False, partitions), (3, '__consumer_offsets', True, [])]
    out = dict(brokers=brokers, topics=topics)
    if v >= 1:
        out['controller_id'] = 1
    if v >= 2:
        out['cluster_id'] = 'eddy-cluster'
    if v >= 3:
        out['throttle_time_ms'] = THROTTLE
    return out


def offset_commit_request(v):
    return dict(consumer_group='group-1', consumer_group_generation_id=7,
                consumer_id='member-1', retention_time=86400000,
                topics=[('orders', [(0, 100, 'meta'), (1, 200, None)])])


def offset_commit_response(v):
    out = dict(topics=[('orders', [(0, 0), (1, 12)])])
    if v >= 3:
        out['throttle_time_ms'] = THROTTLE
    return out


def offset_fetch_request(v):
    return dict(consumer_group='group-1', topics=[('orders', [0, 1, 2]), ('payments', [])])


def offset_fetch_response(v):
    out = dict(topics=[('orders', [(0, 100, 'meta', 0), (1, -1, None, 3)])])
    if v >= 2:
        out['error_code'] = 16
    if v >= 3:
        out['throttle_time_ms'] = THROTTLE
    return out


def find_coordinator_request(v):
    if v == 0:
        return dict(consumer_group='group-1')
    return dict(coordinator_key='group-1', coordinator_type=1)


def find_coordinator_response(v):
    out = dict(error_code=15, coordinator_id=1, host='broker-1.local', port=9092)
    if v >= 1:
        out.update(throttle_time_ms=THROTTLE, error_message='not yet')
    return out


def join_group_request(v):
    out = dict(group='group-1', session_timeout=10000, member_id='member-1',
               protocol_type='consumer',
               group_protocols=[('range', b'\x00\x01range-meta'), ('roundrobin', b'')])
    if v >= 1:
        out['rebalance_timeout'] = 30000
    return out


def join_group_response(v):
    out = dict(error_code=27, generation_id=3, group_protocol='range', leader_id='member-1',
               member_id='member-2', members=[('member-1', b'm1'), ('member-2', b'm2')])
    if v >= 2:
        out['throttle_time_ms'] = THROTTLE
    return out


def sync_group_request(v):
    return dict(group='group-1', generation_id=3, member_id='member-1',
                group_assignment=[('member-1', b'a1'), ('member-2', b'a2')])


def sync_group_response(v):
    out = dict(error_code=27, member_assignment=b'assign')
    if v >= 1:
        out['throttle_time_ms'] = THROTTLE
    return out


def heartbeat_request(v):
    return dict(group='group-1', generation_id=3, member_id='member-1')


def heartbeat_response(v):
    out = dict(error_code=22)
    if v >= 1:
        out['throttle_time_ms'] = THROTTLE
    return out


def leave_group_request(v):
    return dict(group='group-1', member_id='member-1')


def leave_group_response(v):
    out = dict(error_code=25)
    if v >= 1:
        out['throttle_time_ms'] = THROTTLE
    return out


def api_versions_request(v):
    return dict()


def api_versions_response(v):
    out = dict(error_code=35, api_versions=[(0, 3, 8), (1, 4, 11), (18, 0, 3)])
    if v >= 1:
        out['throttle_time_ms'] = THROTTLE
    return out


def create_topics_request(v):
    out = dict(create_topic_requests=[
        ('orders', 6, 3, [], [('cleanup.policy', 'compact'), ('retention.ms', None)]),
        ('payments', -1, -1, [(0, [1, 2]), (1, [2, 3])], [])], timeout=30000)
    if v >= 1:
        out['validate_only'] = True
    return out


def create_topics_response(v):
    if v == 0:
        topics = [('orders', 0), ('payments', 36)]
    else:
        topics = [('orders', 0, None), ('payments', 36, 'topic exists')]
    out = dict(topic_errors=topics)
    if v >= 2:
        out['throttle_time_ms'] = THROTTLE
    return out


def delete_topics_request(v):
    return dict(topics=['orders', 'payments'], timeout=30000)


def delete_topics_response(v):
    out = dict(topic_error_codes=[('orders', 0), ('payments', 3)])
    if v >= 1:
        out['throttle_time_ms'] = THROTTLE
    return out


def describe_configs_request(v):
    out = dict(resources=[(2, 'orders', ['retention.ms', 'cleanup.policy']), (4, '1', None)])
    if v >= 1:
        out['include_synonyms'] = True
    return out


def describe_configs_response(v):
    if v == 0:
        configs = [('retention.ms', '604800000', False, True, False),
                   ('secret', None, True, False, True)]
    else:
        configs = [('retention.ms', '604800000', False, 5, False,
                    [('log.retention.ms', '604800000', 4), ('x', None, 5)]),
                   ('secret', None, True, 1, True, [])]
    return dict(throttle_time_ms=THROTTLE, resources=[
        (0, None, 2, 'orders', configs), (42, 'bad resource', 4, '9', [])])


# eddy's message name -> (API key, kafka-python's version list, values for a version).
KAFKA_PYTHON = {
    'ProduceRequest': (0, ProduceRequest, produce_request),
    'ProduceResponse': (0, ProduceResponse, produce_response),
    'FetchRequest': (1, FetchRequest, fetch_request),
    'FetchResponse': (1, FetchResponse, fetch_response),
    'ListOffsetsRequest': (2, OffsetRequest, list_offsets_request),
    'ListOffsetsResponse': (2, OffsetResponse, list_offsets_response),
    'MetadataRequest': (3, MetadataRequest, metadata_request),
    'MetadataResponse': (3, MetadataResponse, metadata_response),
    'OffsetCommitRequest': (8, OffsetCommitRequest, offset_commit_request),
    'OffsetCommitResponse': (8, OffsetCommitResponse, offset_commit_response),
    'OffsetFetchRequest': (9, OffsetFetchRequest, offset_fetch_request),
    'OffsetFetchResponse': (9, OffsetFetchResponse, offset_fetch_response),
    'FindCoordinatorRequest': (10, GroupCoordinatorRequest, find_coordinator_request),
    'FindCoordinatorResponse': (10, GroupCoordinatorResponse, find_coordinator_response),
    'JoinGroupRequest': (11, JoinGroupRequest, join_group_request),
    'JoinGroupResponse': (11, JoinGroupResponse, join_group_response),
    'HeartbeatRequest': (12, HeartbeatRequest, heartbeat_request),
    'HeartbeatResponse': (12, HeartbeatResponse, heartbeat_response),
    'LeaveGroupRequest': (13, LeaveGroupRequest, leave_group_request),
    'LeaveGroupResponse': (13, LeaveGroupResponse, leave_group_response),
    'SyncGroupRequest': (14, SyncGroupRequest, sync_group_request),
    'SyncGroupResponse': (14, SyncGroupResponse, sync_group_response),
    'ApiVersionsRequest': (18, ApiVersionRequest, api_versions_request),
    'ApiVersionsResponse': (18, ApiVersionResponse, api_versions_response),
    'CreateTopicsRequest': (19, CreateTopicsRequest, create_topics_request),
    'CreateTopicsResponse': (19, CreateTopicsResponse, create_topics_response),
    'DeleteTopicsRequest': (20, DeleteTopicsRequest, delete_topics_request),
    'DeleteTopicsResponse': (20, DeleteTopicsResponse, delete_topics_response),
    'DescribeConfigsRequest': (32, DescribeConfigsRequest, describe_configs_request),
    'DescribeConfigsResponse': (32, DescribeConfigsResponse, describe_configs_response),
}


def shared_versions(name):
    """Versions both eddy and kafka-python have for a message."""
    api_key, versions, _ = KAFKA_PYTHON[name]
    low, high = EDDY_VERSIONS[api_key]
    return [v for v in range(low, high + 1) if v < len(versions)]


def build(name, version):
    cls = message_class(name, version)
    values = KAFKA_PYTHON[name][2](version)
    missing = set(cls.SCHEMA.names) - set(values)
    if missing:
        raise ValueError('%s v%d: no value for %s' % (name, version, sorted(missing)))
    return cls(**{field: values[field] for field in cls.SCHEMA.names})


def print_vectors():
    for name, (_, versions, _) in KAFKA_PYTHON.items():
        print('have', name, len(versions))
        for version in shared_versions(name):
            # Struct.encode holds its instance weakly: keep the instance alive.
            message = build(name, version)
            print('vector', name, version, message.encode().hex())
    header = RequestHeader(MetadataRequest[5](topics=[], allow_auto_topic_creation=True),
                           correlation_id=7, client_id='eddy-test')
    print('header', header.encode().hex())
    for _, cls in inspect.getmembers(kafka.errors, inspect.isclass):
        if issubclass(cls, kafka.errors.BrokerResponseError) and \
                cls is not kafka.errors.BrokerResponseError:
            print('error', cls.errno, cls.message)


def check(path):
    failures = 0
    checked = 0
    with open(path) as f:
        for line in f:
            fields = line.split()
            name, version = fields[0], fields[1]
            hex_body = fields[2] if len(fields) > 2 else ''  # an empty body
            version = int(version)
            body = bytes.fromhex(hex_body)
            cls = message_class(name, version)
            stream = io.BytesIO(body)
            try:
                decoded = cls.decode(stream)
            except Exception as e:  # kafka-python raises assorted errors on bad input
                print('FAIL %s v%d: kafka-python cannot decode: %r' % (name, version, e))
                failures += 1
                continue
            if stream.tell() != len(body):
                print('FAIL %s v%d: %d bytes left over' % (name, version,
                                                          len(body) - stream.tell()))
                failures += 1
            expected = build(name, version)
            for field in cls.SCHEMA.names:
                got, want = getattr(decoded, field), getattr(expected, field)
                # kafka-python decodes structs as tuples and arrays as lists; compare the
                # encodings of the field so both shapes compare alike.
                field_type = cls.SCHEMA.fields[cls.SCHEMA.names.index(field)]
                if field_type.encode(got) != field_type.encode(want):
                    print('FAIL %s v%d: %s is %r, expected %r' % (name, version, field, got,
                                                                  want))
                    failures += 1
            checked += 1
    print('checked', checked)
    return 1 if failures else 0


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'check':
        sys.exit(check(sys.argv[2]))
    print_vectors()
