#pragma once
// FanOutSink: one sink that writes every batch to several sinks (a pipeline writing to a
// topic and to files, `--output topic:A,file:B`). Checkpoint calls go to each part;
// PrepareCommit joins the parts' results (length-prefixed) and Recover splits them, so
// every part stays exactly-once if it is.

#include <memory>
#include <vector>

#include "src/engine/sink.h"

namespace eddy::connectors {

engine::SinkFactory MakeFanOutSink(std::vector<engine::SinkFactory> parts);

}  // namespace eddy::connectors
