// The expect block (issue 9): assertions over a run's results, written the
// way people state a finding:
//
//   "expect": {
//     "server": { "TcpExtListenOverflows": "== 0", "TcpExtSyncookiesSent": "> 0" },   // a host: nstat names
//     "legit":  { "established_ratio": ">= 0.99", "connect_p99": "< 200ms" },        // a client app
//     "web":    { "max_accept_queue": "== 9" }                                        // a server app's listener
//   }
//
// Every target and metric is checked when the scenario is loaded (an unknown
// one is an input error, exit 2); evaluate() runs after the run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/apps/app.h"
#include "scenarios/runner/results.h"
#include "sim/config/json_reader.h"

namespace scenario {

enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
enum class MetricUnit : uint8_t { kCount, kRatio, kDuration };
enum class TargetKind : uint8_t { kHost, kApp };

struct Expectation {
  std::string target;   // host or app name
  std::string metric;
  std::string pointer;  // "/expect/legit/connect_p99"
  std::string bound_text;  // "200ms"
  CmpOp op = CmpOp::kEq;
  double bound = 0;     // in the metric's base unit (ns for durations)
  MetricUnit unit = MetricUnit::kCount;
  TargetKind kind = TargetKind::kHost;
  uint32_t index = 0;   // app index (kApp)
};

// What expect may name: hosts that run a stack, and apps.
struct ExpectTarget {
  std::string name;
  TargetKind kind = TargetKind::kHost;
  uint32_t index = 0;                    // node id or app index
  const apps::AppDef* def = nullptr;     // apps only
};

// Parses the "expect" object at v. Throws ConfigError for unknown targets or
// metrics, malformed comparisons, and bounds without the metric's unit.
std::vector<Expectation> parse_expect(const sim::config::JsonValue& v, const std::vector<ExpectTarget>& targets);

// Evaluates every expectation against the results.
std::vector<ExpectationResult> evaluate_expect(const std::vector<Expectation>& expect, const RunSummary& s);

// The comparison as written back ("<", ">=", ...).
const char* cmp_op_text(CmpOp op);
// A duration in ns as people read it: "183.215ms", "1.5s", "420us".
std::string format_duration_ns(double ns);

}  // namespace scenario
