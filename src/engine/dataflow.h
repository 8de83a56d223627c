#pragma once
// Dataflow: the graph a pipeline compiles to — sources, operators and sinks (nodes),
// each with a parallelism, connected by edges that say how rows move between the
// parallel instances of the two ends (forward, hash by key, to one instance, or to all).
// A plain description: the runtime (job.h) turns it into tasks and threads.

#include <string>
#include <vector>

#include "src/engine/operator.h"
#include "src/engine/sink.h"
#include "src/engine/source.h"

namespace eddy::engine {

enum class NodeKind { kSource, kOperator, kSink };

enum class Partitioning {
  kForward,    // instance i sends to instance i (same parallelism)
  kHash,       // by the key group of the key columns
  kRebalance,  // round-robin over the downstream instances
  kGather,     // everything to one instance (the owner of the empty key's key group)
  kBroadcast,  // every row to every instance
};

struct DataflowNode {
  std::string name;
  NodeKind kind = NodeKind::kOperator;
  int parallelism = 1;
  int num_inputs = 0;  // 0 for sources, 1 or 2 for operators and sinks (sinks: 1)
  SchemaRef output_schema;  // null for sinks
  SourceFactory source;
  OperatorFactory op;
  SinkFactory sink;
  /// Operators: where rows too late for it go (besides being counted); none if null.
  SinkFactory late_sink;
};

struct DataflowEdge {
  int from = 0;
  int to = 0;
  int to_input = 0;  // which input of `to` (0, or 1 for the right side of a join)
  Partitioning partitioning = Partitioning::kForward;
  std::vector<size_t> key_columns;  // kHash: columns of `from`'s output
};

class Dataflow {
 public:
  int AddSource(std::string name, SchemaRef schema, SourceFactory factory, int parallelism);
  int AddOperator(std::string name, SchemaRef output_schema, OperatorFactory factory,
                  int parallelism, int num_inputs = 1);
  int AddSink(std::string name, SinkFactory factory, int parallelism);
  void Connect(int from, int to, int to_input, Partitioning partitioning,
               std::vector<size_t> key_columns = {});

  const std::vector<DataflowNode>& nodes() const { return nodes_; }
  const std::vector<DataflowEdge>& edges() const { return edges_; }
  DataflowNode& node(int id) { return nodes_[id]; }
  const DataflowNode& node(int id) const { return nodes_[id]; }

  /// Checks the graph: every operator input and sink is fed, forward edges join equal
  /// parallelisms, hash edges have keys, there is no cycle. The error names the node.
  Status Validate() const;

 private:
  std::vector<DataflowNode> nodes_;
  std::vector<DataflowEdge> edges_;
};

}  // namespace eddy::engine
