// Hot paths of the load engine: histogram record and merge, arrival scheduling (constant
// and ramp), fault decisions, and request rendering (static and templated). Build and run
// in Release (see CMakeLists.txt here):
//   build-release/bin/leakgate_load_bench
#include <benchmark/benchmark.h>

#include <random>

#include "harness/faults/fault_plan.h"
#include "harness/load/arrivals.h"
#include "harness/load/http/request_factory.h"
#include "harness/stats/histogram.h"

namespace {

using namespace std::chrono_literals;
using leakgate::stats::LatencyHistogram;

void BM_HistogramRecord(benchmark::State& state) {
  LatencyHistogram h;
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(13.0, 1.0);  // ≈ 0.5 ms median
  std::vector<int64_t> values(4096);
  for (auto& v : values) v = static_cast<int64_t>(d(rng));
  size_t i = 0;
  for (auto _ : state) {
    h.RecordNanos(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramMerge(benchmark::State& state) {
  LatencyHistogram a, b;
  for (int i = 0; i < 100000; ++i) b.RecordNanos(i * 997);
  for (auto _ : state) {
    a.Merge(b);
    benchmark::DoNotOptimize(a.count());
  }
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramP99(benchmark::State& state) {
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) h.RecordNanos(i * 997);
  for (auto _ : state) benchmark::DoNotOptimize(h.QuantileNanos(0.99));
}
BENCHMARK(BM_HistogramP99);

void BM_ScheduleConstant(benchmark::State& state) {
  const auto s = leakgate::load::ArrivalSchedule::Constant(50000, 3600s);
  int64_t j = 0;
  for (auto _ : state) benchmark::DoNotOptimize(s.Due(j++ % 100000000));
}
BENCHMARK(BM_ScheduleConstant);

void BM_ScheduleRamp(benchmark::State& state) {
  const auto s = leakgate::load::ArrivalSchedule::Ramp(100, 50000, 3600s);
  int64_t j = 0;
  for (auto _ : state) benchmark::DoNotOptimize(s.Due(j++ % 10000000));
}
BENCHMARK(BM_ScheduleRamp);

void BM_FaultDecide(benchmark::State& state) {
  leakgate::scenario::Phase p;
  p.cancel.push_back({10ms, 0.1, {}, 50ms});
  leakgate::scenario::Fault f;
  f.kind = leakgate::scenario::Fault::kReset;
  f.scope.probability = 0.05;
  p.faults.push_back(f);
  leakgate::scenario::Traffic t;
  t.name = "t";
  const leakgate::faults::FaultPlan plan(p, {t});
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(plan.Decide(0, rng));
}
BENCHMARK(BM_FaultDecide);

void BM_BuildRequest(benchmark::State& state) {
  using leakgate::scenario::TemplatePart;
  leakgate::scenario::Traffic t;
  t.name = "t";
  t.method = "POST";
  t.path = "/items";
  t.headers = {{"Content-Type", "application/json"}};
  t.body = R"({"id": 1})";
  if (state.range(0) == 1) {  // {"id": {{seq}}, "key": "{{uuid}}"}
    t.body_template = {{TemplatePart::kLiteral, R"({"id": )", 0, 0, 0}, {TemplatePart::kSeq, "", 0, 0, 0},
                       {TemplatePart::kLiteral, R"(, "key": ")", 0, 0, 0}, {TemplatePart::kUuid, "", 0, 0, 0},
                       {TemplatePart::kLiteral, "\"}", 0, 0, 0}};
  }
  const leakgate::load::http::RequestFactory f({t}, "127.0.0.1:8080", "");
  std::mt19937_64 rng(1);
  std::string scratch;
  int64_t seq = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f.Build(0, seq++, rng, scratch).size());
}
BENCHMARK(BM_BuildRequest)->Arg(0)->Arg(1)->ArgName("templated");

}  // namespace

BENCHMARK_MAIN();
