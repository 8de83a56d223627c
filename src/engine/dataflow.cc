#include "src/engine/dataflow.h"

namespace eddy::engine {

int Dataflow::AddSource(std::string name, SchemaRef schema, SourceFactory factory,
                        int parallelism) {
  DataflowNode node;
  node.name = std::move(name);
  node.kind = NodeKind::kSource;
  node.parallelism = parallelism;
  node.output_schema = std::move(schema);
  node.source = std::move(factory);
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size() - 1);
}

int Dataflow::AddOperator(std::string name, SchemaRef output_schema, OperatorFactory factory,
                          int parallelism, int num_inputs) {
  DataflowNode node;
  node.name = std::move(name);
  node.kind = NodeKind::kOperator;
  node.parallelism = parallelism;
  node.num_inputs = num_inputs;
  node.output_schema = std::move(output_schema);
  node.op = std::move(factory);
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size() - 1);
}

int Dataflow::AddSink(std::string name, SinkFactory factory, int parallelism) {
  DataflowNode node;
  node.name = std::move(name);
  node.kind = NodeKind::kSink;
  node.parallelism = parallelism;
  node.num_inputs = 1;
  node.sink = std::move(factory);
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size() - 1);
}

void Dataflow::Connect(int from, int to, int to_input, Partitioning partitioning,
                       std::vector<size_t> key_columns) {
  edges_.push_back(DataflowEdge{from, to, to_input, partitioning, std::move(key_columns)});
}

Status Dataflow::Validate() const {
  std::vector<std::vector<int>> fed(nodes_.size());
  for (const DataflowEdge& e : edges_) {
    const DataflowNode& from = nodes_[e.from];
    const DataflowNode& to = nodes_[e.to];
    if (from.kind == NodeKind::kSink) {
      return Status::InvalidArgument("sink '" + from.name + "' cannot feed '" + to.name + "'");
    }
    if (to.kind == NodeKind::kSource) {
      return Status::InvalidArgument("source '" + to.name + "' cannot have an input");
    }
    if (e.to_input < 0 || e.to_input >= to.num_inputs) {
      return Status::InvalidArgument("'" + to.name + "' has no input " +
                                     std::to_string(e.to_input));
    }
    if (e.partitioning == Partitioning::kForward && from.parallelism != to.parallelism) {
      return Status::InvalidArgument("forward edge '" + from.name + "' -> '" + to.name +
                                     "' joins parallelism " + std::to_string(from.parallelism) +
                                     " to " + std::to_string(to.parallelism));
    }
    if (e.partitioning == Partitioning::kHash && e.key_columns.empty()) {
      return Status::InvalidArgument("hash edge into '" + to.name + "' has no key columns");
    }
    if (e.to <= e.from) {
      // Nodes are added in pipeline order, so an edge backwards would be a cycle.
      return Status::InvalidArgument("edge '" + from.name + "' -> '" + to.name +
                                     "' goes backwards (cycles are not supported)");
    }
    fed[e.to].push_back(e.to_input);
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const DataflowNode& n = nodes_[i];
    for (int input = 0; input < n.num_inputs; ++input) {
      bool found = false;
      for (int f : fed[i]) found |= (f == input);
      if (!found) {
        return Status::InvalidArgument("input " + std::to_string(input) + " of '" + n.name +
                                       "' is not connected");
      }
    }
    if (n.parallelism < 1) {
      return Status::InvalidArgument("'" + n.name + "' has parallelism " +
                                     std::to_string(n.parallelism));
    }
  }
  return Status::OK();
}

}  // namespace eddy::engine
