#include "src/engine/keyed_process_operator.h"

#include <gtest/gtest.h>

#include "src/engine/join_test_util.h"
#include "tests/util/manual_clock.h"

namespace eddy::engine {
namespace {

using testing::F64;
using testing::I64;
using testing::Line;
using testing::MakeBatch;
using testing::RecordingOutput;
using testing::Str;

SchemaRef Transactions() {
  return MakeSchema({{"account", DataType::kInt64}, {"amount", DataType::kDouble}});
}
SchemaRef Alerts() {
  return MakeSchema({{"account", DataType::kInt64}, {"amount", DataType::kDouble}});
}

// The fraud rule: a small transaction (< 1.00) followed, within one minute of event time,
// by a large one (> 500.00) on the same account raises an alert. The small transaction
// sets a flag (its time) and an event-time timer one minute later that clears it.
class FraudDetector final : public KeyedProcessFunction {
 public:
  static constexpr int64_t kWindowMs = 60'000;

  void ProcessElement(const RowRef& row, KeyedContext& ctx) override {
    const double amount = row.Double(1);
    if (Value* small_at = ctx.GetState("small_at")) {
      const EventTimeMs small_time = small_at->int64();
      if (amount > 500.0 && row.event_time() - small_time <= kWindowMs) {
        ctx.Output().Copy(0, row, 0).SetDouble(1, amount).Commit(row.event_time());
      }
      // Only the transaction right after the small one counts.
      ctx.DeleteEventTimeTimer(small_time + kWindowMs);
      ctx.ClearState("small_at");
    }
    if (amount < 1.0) {
      ctx.SetState("small_at", Value::Timestamp(row.event_time()));
      ctx.RegisterEventTimeTimer(row.event_time() + kWindowMs);
    }
  }

  void OnTimer(EventTimeMs, TimeDomain, KeyedContext& ctx) override { ctx.ClearState("small_at"); }
};

std::unique_ptr<KeyedProcessOperator> FraudOperator() {
  auto op = KeyedProcessOperator::Make(Transactions(), Alerts(), {"account"},
                                       [] { return std::make_unique<FraudDetector>(); });
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

std::string Alert(EventTimeMs t, int64_t account, double amount) {
  return Line(Alerts(), t, {I64(account), F64(amount)});
}

TEST(KeyedProcessTest, FraudRuleAlertsOnASmallTransactionThenALargeOneWithinAMinute) {
  auto op = FraudOperator();
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Transactions(), {{1000, {I64(1), F64(0.5)}},
                                                     {1500, {I64(2), F64(900)}},
                                                     {2000, {I64(1), F64(700)}},
                                                     {2500, {I64(3), F64(0.1)}}}),
                          out)
                  .ok());
  ASSERT_TRUE(
      op->OnBatch(
            0, MakeBatch(Transactions(), {{3000, {I64(3), F64(20)}}, {4000, {I64(3), F64(800)}}}),
            out)
          .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Alert(2000, 1, 700)}))
      << "account 2 had no small one; account 3 had one in between";
  EXPECT_EQ(op->state_keys(), 0u) << "the flags were cleared and their timers deleted";
  EXPECT_EQ(op->pending_event_timers(), 0u);
}

TEST(KeyedProcessTest, FraudFlagIsClearedByItsTimerAfterOneMinute) {
  auto op = FraudOperator();
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(
            0, MakeBatch(Transactions(), {{1000, {I64(1), F64(0.5)}}, {5000, {I64(2), F64(0.2)}}}),
            out)
          .ok());
  EXPECT_EQ(op->state_keys(), 2u);
  EXPECT_EQ(op->pending_event_timers(), 2u);
  ASSERT_TRUE(op->OnWatermark(60'999, out).ok());
  EXPECT_EQ(op->state_keys(), 2u);
  ASSERT_TRUE(op->OnWatermark(61'000, out).ok());
  EXPECT_EQ(op->state_keys(), 1u) << "account 1's flag is gone with its timer";
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Transactions(),
                                    {{61'500, {I64(1), F64(900)}}, {61'600, {I64(2), F64(901)}}}),
                          out)
                  .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Alert(61'600, 2, 901)}));
  EXPECT_EQ(op->state_keys(), 0u);
}

// A function driven by lambdas, for the timer tests.
class LambdaFunction final : public KeyedProcessFunction {
 public:
  using ElementFn = std::function<void(const RowRef&, KeyedContext&)>;
  using TimerFn = std::function<void(EventTimeMs, TimeDomain, KeyedContext&)>;
  LambdaFunction(ElementFn element, TimerFn timer)
      : element_(std::move(element)), timer_(std::move(timer)) {}
  void ProcessElement(const RowRef& row, KeyedContext& ctx) override { element_(row, ctx); }
  void OnTimer(EventTimeMs t, TimeDomain domain, KeyedContext& ctx) override {
    if (timer_) timer_(t, domain, ctx);
  }

 private:
  ElementFn element_;
  TimerFn timer_;
};

SchemaRef Requests() { return MakeSchema({{"key", DataType::kInt64}, {"time", DataType::kInt64}}); }
SchemaRef Firings() {
  return MakeSchema(
      {{"key", DataType::kInt64}, {"time", DataType::kInt64}, {"domain", DataType::kString}});
}

std::unique_ptr<KeyedProcessOperator> TimerOperator(LambdaFunction::ElementFn element,
                                                    LambdaFunction::TimerFn timer = nullptr) {
  if (!timer) {
    // Report each firing as (key, time, domain) at event time `time`.
    timer = [](EventTimeMs t, TimeDomain domain, KeyedContext& ctx) {
      ctx.Emit({ctx.current_key()[0], I64(t),
                Str(domain == TimeDomain::kEventTime ? "event" : "processing")},
               t);
    };
  }
  auto op = KeyedProcessOperator::Make(Requests(), Firings(), {"key"}, [=] {
    return std::make_unique<LambdaFunction>(element, timer);
  });
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

std::string Fired(int64_t key, EventTimeMs t, const std::string& domain = "event") {
  return Line(Firings(), t, {I64(key), I64(t), Str(domain)});
}

TEST(KeyedProcessTest, EventTimeTimersFireInTimestampOrderOnceTheWatermarkReachesThem) {
  auto op = TimerOperator(
      [](const RowRef& row, KeyedContext& ctx) { ctx.RegisterEventTimeTimer(row.Int64(1)); });
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Requests(), {{0, {I64(1), I64(300)}},
                                                 {0, {I64(2), I64(100)}},
                                                 {0, {I64(3), I64(200)}},
                                                 {0, {I64(1), I64(150)}},
                                                 {0, {I64(2), I64(300)}}}),
                          out)
                  .ok());
  EXPECT_EQ(op->pending_event_timers(), 5u);
  ASSERT_TRUE(op->OnWatermark(99, out).ok());
  EXPECT_TRUE(out.batches.empty());
  ASSERT_TRUE(op->OnWatermark(200, out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Fired(2, 100), Fired(1, 150), Fired(3, 200)}));
  out.Clear();
  ASSERT_TRUE(op->OnWatermark(1000, out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Fired(1, 300), Fired(2, 300)}));
  EXPECT_EQ(op->pending_event_timers(), 0u);
  EXPECT_EQ(op->state_keys(), 0u);
}

TEST(KeyedProcessTest, TimersAreDeduplicatedPerKeyAndTimeAndCanBeDeleted) {
  auto op = TimerOperator([](const RowRef& row, KeyedContext& ctx) {
    const int64_t t = row.Int64(1);
    if (t < 0) {
      ctx.DeleteEventTimeTimer(-t);
      ctx.DeleteProcessingTimeTimer(-t);
    } else {
      ctx.RegisterEventTimeTimer(t);
      ctx.RegisterEventTimeTimer(t);
      ctx.RegisterProcessingTimeTimer(t);
    }
  });
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Requests(), {{0, {I64(1), I64(100)}},
                                                 {0, {I64(1), I64(100)}},
                                                 {0, {I64(2), I64(100)}},
                                                 {0, {I64(1), I64(200)}},
                                                 {0, {I64(1), I64(-200)}}}),
                          out)
                  .ok());
  EXPECT_EQ(op->pending_event_timers(), 2u);
  EXPECT_EQ(op->pending_processing_timers(), 2u);
  ASSERT_TRUE(op->OnWatermark(500, out).ok());
  ASSERT_TRUE(op->OnProcessingTime(500, out).ok());
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>({Fired(1, 100), Fired(2, 100), Fired(1, 100, "processing"),
                                      Fired(2, 100, "processing")}));
  EXPECT_EQ(op->state_keys(), 0u);
}

TEST(KeyedProcessTest, ProcessingTimeTimersFireFromTheClock) {
  eddy::testing::ManualClock clock(1'000'000);
  std::vector<int64_t> seen_now;
  auto op = TimerOperator([&](const RowRef& row, KeyedContext& ctx) {
    seen_now.push_back(ctx.current_processing_time());
    ctx.RegisterProcessingTimeTimer(ctx.current_processing_time() + row.Int64(1));
  });
  OperatorContext context;
  context.clock = &clock;
  ASSERT_TRUE(op->Open(context).ok());
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Requests(), {{0, {I64(1), I64(100)}}, {0, {I64(2), I64(50)}}}), out)
          .ok());
  EXPECT_EQ(seen_now, (std::vector<int64_t>{1'000'000, 1'000'000}));
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark - 1, out).ok());
  ASSERT_TRUE(op->OnProcessingTime(1'000'049, out).ok());
  EXPECT_TRUE(out.batches.empty()) << "the watermark does not fire processing-time timers";
  ASSERT_TRUE(op->OnProcessingTime(1'000'050, out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Fired(2, 1'000'050, "processing")}));
  clock.AdvanceMs(200);
  ASSERT_TRUE(op->OnProcessingTime(clock.NowMs(), out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Fired(2, 1'000'050, "processing"),
                                                  Fired(1, 1'000'100, "processing")}));
  EXPECT_EQ(op->state_keys(), 0u);
}

TEST(KeyedProcessTest, PeriodicTimersRearmAndFireOnceMoreAtTheEndOfInput) {
  auto op = TimerOperator(
      [](const RowRef& row, KeyedContext& ctx) {
        ctx.RegisterEventTimeTimer(row.Int64(1));
        ctx.RegisterProcessingTimeTimer(row.Int64(1));
      },
      [](EventTimeMs t, TimeDomain domain, KeyedContext& ctx) {
        const bool event = domain == TimeDomain::kEventTime;
        ctx.Emit({ctx.current_key()[0], I64(t), Str(event ? "event" : "processing")}, t);
        if (event) {
          ctx.RegisterEventTimeTimer(t + 1000);
        } else {
          ctx.RegisterProcessingTimeTimer(t + 1000);
        }
      });
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Requests(), {{0, {I64(1), I64(100)}}}), out).ok());
  // 100 fires and rearms at 1100, which the watermark has reached too.
  ASSERT_TRUE(op->OnWatermark(1100, out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Fired(1, 100), Fired(1, 1100)}));
  out.Clear();
  // 100 fires and rearms at 1100; then 1100 fires and rearms at 2100, which waits for the
  // next call although it is due.
  ASSERT_TRUE(op->OnProcessingTime(100, out).ok());
  ASSERT_TRUE(op->OnProcessingTime(5000, out).ok());
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>({Fired(1, 100, "processing"), Fired(1, 1100, "processing")}));
  out.Clear();
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Fired(1, 2100)}));
  EXPECT_EQ(op->pending_event_timers(), 0u) << "timers set by the final ones are dropped";
  out.Clear();
  ASSERT_TRUE(op->OnEndOfInput(out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Fired(1, 2100, "processing")}));
  EXPECT_EQ(op->pending_processing_timers(), 0u);
  EXPECT_EQ(op->state_keys(), 0u);
}

TEST(KeyedProcessTest, ValueAndListStateArePerKeyAndAnEmptyKeyIsDropped) {
  auto op = TimerOperator([](const RowRef& row, KeyedContext& ctx) {
    std::vector<Value>& seen = ctx.ListState("seen");
    if (row.Int64(1) < 0) {  // reset the key
      seen.clear();
      ctx.ClearState("count");
      return;
    }
    seen.push_back(row.Get(1));
    Value* count = ctx.GetState("count");
    const int64_t n = count != nullptr ? count->int64() + 1 : 1;
    ctx.SetState("count", I64(n));
    ctx.Emit({ctx.current_key()[0], I64(n), Str(std::to_string(seen.size()))}, row.event_time());
  });
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Requests(), {{1, {I64(1), I64(10)}},
                                                 {2, {I64(2), I64(20)}},
                                                 {3, {I64(1), I64(11)}},
                                                 {4, {I64(1), I64(-1)}},
                                                 {5, {I64(2), I64(21)}},
                                                 {6, {I64(1), I64(12)}}}),
                          out)
                  .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Line(Firings(), 1, {I64(1), I64(1), Str("1")}),
                                                  Line(Firings(), 2, {I64(2), I64(1), Str("1")}),
                                                  Line(Firings(), 3, {I64(1), I64(2), Str("2")}),
                                                  Line(Firings(), 5, {I64(2), I64(2), Str("2")}),
                                                  Line(Firings(), 6, {I64(1), I64(1), Str("1")})}));
  EXPECT_EQ(op->state_keys(), 2u);
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Requests(), {{7, {I64(1), I64(-1)}}, {8, {I64(2), I64(-1)}}}), out)
          .ok());
  EXPECT_EQ(op->state_keys(), 0u);
}

TEST(KeyedProcessTest, CurrentKeyHasTheValueOfEveryKeyColumn) {
  SchemaRef input =
      MakeSchema({{"a", DataType::kInt64}, {"b", DataType::kString}, {"v", DataType::kInt64}});
  auto made = KeyedProcessOperator::Make(input, Firings(), {"b", "a"}, [] {
    return std::make_unique<LambdaFunction>(
        [](const RowRef& row, KeyedContext& ctx) {
          const std::vector<Value>& key = ctx.current_key();
          ctx.Emit({key[1], row.Get(2), key[0]}, row.event_time());
        },
        nullptr);
  });
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  RecordingOutput out;
  ASSERT_TRUE((*made)
                  ->OnBatch(0,
                            MakeBatch(input, {{1, {I64(7), Str("x"), I64(70)}},
                                              {2, {I64(8), Str("y"), I64(80)}}}),
                            out)
                  .ok());
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>({Line(Firings(), 1, {I64(7), I64(70), Str("x")}),
                                      Line(Firings(), 2, {I64(8), I64(80), Str("y")})}));
}

TEST(KeyedProcessTest, MisuseOfTheOutputFailsTheOperatorWithAClearError) {
  RecordingOutput out;
  auto wrong_arity = TimerOperator([](const RowRef&, KeyedContext& ctx) { ctx.Emit({I64(1)}, 0); });
  Status status = wrong_arity->OnBatch(0, MakeBatch(Requests(), {{0, {I64(1), I64(1)}}}), out);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("Emit got 1 values"), std::string::npos) << status.ToString();

  auto wrong_type = TimerOperator([](const RowRef&, KeyedContext& ctx) {
    ctx.Emit({I64(1), Str("no"), Str("x")}, 0);
  });
  status = wrong_type->OnBatch(0, MakeBatch(Requests(), {{0, {I64(1), I64(1)}}}), out);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("output column 'time'"), std::string::npos) << status.ToString();

  auto uncommitted =
      TimerOperator([](const RowRef&, KeyedContext& ctx) { ctx.Output().SetInt64(0, 1); });
  status = uncommitted->OnBatch(0, MakeBatch(Requests(), {{0, {I64(1), I64(1)}}}), out);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("without committing"), std::string::npos) << status.ToString();

  auto failing = TimerOperator([](const RowRef&, KeyedContext& ctx) {
    ctx.Fail(Status::InvalidArgument("rule config is broken"));
  });
  status = failing->OnBatch(0, MakeBatch(Requests(), {{0, {I64(1), I64(1)}}}), out);
  EXPECT_EQ(status.message(), "rule config is broken");
  EXPECT_TRUE(out.batches.empty());
}

TEST(KeyedProcessTest, MakeRejectsBadKeysAndMissingFunctions) {
  auto factory = [] { return std::make_unique<FraudDetector>(); };
  EXPECT_FALSE(MakeKeyedProcess(Transactions(), Alerts(), {}, factory).ok());
  EXPECT_FALSE(MakeKeyedProcess(Transactions(), Alerts(), {"nope"}, factory).ok());
  EXPECT_FALSE(MakeKeyedProcess(Transactions(), Alerts(), {"account"}, nullptr).ok());
  EXPECT_FALSE(MakeKeyedProcess(Transactions(), Alerts(), {"account"}, [] {
                 return std::unique_ptr<KeyedProcessFunction>();
               }).ok());
  EXPECT_TRUE(MakeKeyedProcess(Transactions(), Alerts(), {"account"}, factory).ok());
}

}  // namespace
}  // namespace eddy::engine
