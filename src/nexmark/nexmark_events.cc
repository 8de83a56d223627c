#include "src/nexmark/nexmark_events.h"

namespace eddy::nexmark {

std::string_view StreamName(NexmarkStream stream) {
  switch (stream) {
    case NexmarkStream::kPerson:
      return "person";
    case NexmarkStream::kAuction:
      return "auction";
    case NexmarkStream::kBid:
      return "bid";
  }
  return "unknown";
}

std::string_view TopicName(NexmarkStream stream) {
  switch (stream) {
    case NexmarkStream::kPerson:
      return "nexmark-person";
    case NexmarkStream::kAuction:
      return "nexmark-auction";
    case NexmarkStream::kBid:
      return "nexmark-bid";
  }
  return "nexmark-unknown";
}

}  // namespace eddy::nexmark
