// page-views-per-minute: views and distinct visitors per page per minute of event time.
//
// Input topic `page-views`, JSON: {"page": "/home", "user": "u42", "ts": 1700000000123}
// Output topic `page-views-per-minute`, JSON:
//   {"page": "/home", "window_start": ..., "window_end": ..., "views": 12, "visitors": 7}
// Events may arrive up to 5 s out of order; a minute is reported when the watermark
// passes its end. Events later than that go to the topic `page-views.late`.

#include "examples/examples.h"

namespace eddy::examples {

using namespace std::chrono_literals;

Status PageViewsPerMinute(Pipeline& p, PipelineContext& ctx) {
  SchemaRef views = MakeSchema({{"page", DataType::kString, false},
                                {"user", DataType::kString},
                                {"ts", DataType::kTimestamp, false}});
  TopicSourceOptions input;
  input.event_time_field = "ts";
  input.max_out_of_orderness = 5s;
  Stream per_minute = p.Source("page-views", views, ctx.Topic("page-views", views, input))
                          .KeyBy({"page"})
                          .Window(Tumbling(1min))
                          .Aggregate({engine::Count("views"),
                                      engine::CountDistinct("user", "visitors")})
                          .LateDataTo(ctx.TopicSink("page-views.late", /*changelog=*/false));
  ASSIGN_OR_RETURN(SinkFactory out, ctx.Output("page-views-per-minute", /*changelog=*/false));
  per_minute.To("page-views-per-minute", std::move(out));
  return Status::OK();
}

}  // namespace eddy::examples
