#include "src/nexmark/nexmark_query.h"

#include <cctype>
#include <string>

namespace eddy::nexmark {

std::string_view QueryName(NexmarkQuery query) {
  switch (query) {
    case NexmarkQuery::kQ0:
      return "q0";
    case NexmarkQuery::kQ1:
      return "q1";
    case NexmarkQuery::kQ2:
      return "q2";
    case NexmarkQuery::kQ3:
      return "q3";
    case NexmarkQuery::kQ4:
      return "q4";
    case NexmarkQuery::kQ5:
      return "q5";
    case NexmarkQuery::kQ7:
      return "q7";
    case NexmarkQuery::kQ8:
      return "q8";
    case NexmarkQuery::kQ11:
      return "q11";
  }
  return "q?";
}

Result<NexmarkQuery> ParseQuery(std::string_view name) {
  std::string text(name);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text.starts_with("nexmark-")) text.erase(0, 8);
  if (!text.starts_with("q")) text.insert(0, "q");
  std::string known;
  for (NexmarkQuery q : kAllQueries) {
    if (text == QueryName(q)) return q;
    known += (known.empty() ? "" : ", ") + std::string(QueryName(q));
  }
  return Status::InvalidArgument("unknown Nexmark query '" + std::string(name) +
                                 "' (known: " + known + ")");
}

std::vector<NexmarkStream> QueryInputs(NexmarkQuery query) {
  switch (query) {
    case NexmarkQuery::kQ3:
      return {NexmarkStream::kPerson, NexmarkStream::kAuction};
    case NexmarkQuery::kQ4:
      return {NexmarkStream::kAuction, NexmarkStream::kBid};
    case NexmarkQuery::kQ8:
      return {NexmarkStream::kPerson, NexmarkStream::kAuction};
    default:
      return {NexmarkStream::kBid};
  }
}

}  // namespace eddy::nexmark
