#pragma once
// Which partition a keyed record goes to: Kafka's default partitioner (murmur2 of the
// key bytes, made positive, modulo the partition count), so that eddy's log sink and
// every Kafka producer put the same key in the same partition.

#include <cstdint>

#include "src/base/bytes.h"

namespace eddy::connectors {

/// Kafka's murmur2 (seed 0x9747b28c), as its Java client's Utils.murmur2.
int32_t Murmur2(ByteSpan data);

/// The partition of a record with key `key` among `num_partitions` (> 0).
int PartitionForKey(ByteSpan key, int num_partitions);

}  // namespace eddy::connectors
