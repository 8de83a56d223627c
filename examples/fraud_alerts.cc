// fraud-alerts: a card that makes a tiny payment and then a large one within a minute is
// a classic sign of a stolen card being tested, then used.
//
// Input topic `payments`, JSON: {"card": "4000-1234", "amount": 0.5, "ts": 1700000000123}
// Output topic `fraud-alerts`, JSON:
//   {"card": "...", "small_amount": 0.5, "large_amount": 900.0, "ts": ...}
// A keyed process function with per-card state and an event-time timer that forgets the
// small payment after a minute.

#include "examples/examples.h"

namespace eddy::examples {

namespace {

constexpr double kSmall = 1.00;
constexpr double kLarge = 500.00;
constexpr int64_t kWindowMs = 60'000;

class SmallThenLarge final : public KeyedProcessFunction {
 public:
  SmallThenLarge(size_t amount, size_t card) : amount_(amount), card_(card) {}

  void ProcessElement(const RowRef& row, KeyedContext& ctx) override {
    const double amount = row.Double(amount_);
    if (Value* small = ctx.GetState("small")) {
      if (amount > kLarge) {
        ctx.Emit({Value::String(std::string(row.String(card_))), *small, Value::Double(amount),
                  Value::Timestamp(row.event_time())},
                 row.event_time());
        ctx.ClearState("small");
        return;
      }
    }
    if (amount < kSmall) {
      ctx.SetState("small", Value::Double(amount));
      ctx.RegisterEventTimeTimer(row.event_time() + kWindowMs);
    }
  }

  void OnTimer(EventTimeMs, TimeDomain, KeyedContext& ctx) override { ctx.ClearState("small"); }

 private:
  size_t amount_;
  size_t card_;
};

}  // namespace

Status FraudAlerts(Pipeline& p, PipelineContext& ctx) {
  SchemaRef payments = MakeSchema({{"card", DataType::kString, false},
                                   {"amount", DataType::kDouble, false},
                                   {"ts", DataType::kTimestamp, false}});
  SchemaRef alerts = MakeSchema({{"card", DataType::kString},
                                 {"small_amount", DataType::kDouble},
                                 {"large_amount", DataType::kDouble},
                                 {"ts", DataType::kTimestamp}});
  ASSIGN_OR_RETURN(size_t amount, payments->IndexOf("amount"));
  ASSIGN_OR_RETURN(size_t card, payments->IndexOf("card"));
  TopicSourceOptions input;
  input.event_time_field = "ts";
  input.max_out_of_orderness = std::chrono::seconds(2);
  Stream flagged = p.Source("payments", payments, ctx.Topic("payments", payments, input))
                       .KeyBy({"card"})
                       .Process(alerts, [amount, card] {
                         return std::make_unique<SmallThenLarge>(amount, card);
                       });
  ASSIGN_OR_RETURN(SinkFactory out, ctx.Output("fraud-alerts", /*changelog=*/false));
  flagged.To("fraud-alerts", std::move(out));
  return Status::OK();
}

}  // namespace eddy::examples
