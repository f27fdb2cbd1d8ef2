#include "scenarios/runner/expect.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "sim/config/units.h"
#include "stack/snmp.h"

namespace scenario {

namespace {

using sim::config::JsonValue;

struct MetricInfo {
  std::string_view name;
  MetricUnit unit;
};

// Client-group metrics (the app's own counters come on top).
constexpr MetricInfo kClientMetrics[] = {
    {"attempted", MetricUnit::kCount},      {"established", MetricUnit::kCount},
    {"completed", MetricUnit::kCount},      {"failed", MetricUnit::kCount},
    {"pending", MetricUnit::kCount},        {"connected_without_server_state", MetricUnit::kCount},
    {"established_ratio", MetricUnit::kRatio}, {"completed_ratio", MetricUnit::kRatio},
    {"failed_ratio", MetricUnit::kRatio},
    {"connect_min", MetricUnit::kDuration}, {"connect_p50", MetricUnit::kDuration},
    {"connect_p90", MetricUnit::kDuration}, {"connect_p99", MetricUnit::kDuration},
    {"connect_max", MetricUnit::kDuration}, {"connect_mean", MetricUnit::kDuration},
    {"response_min", MetricUnit::kDuration}, {"response_p50", MetricUnit::kDuration},
    {"response_p90", MetricUnit::kDuration}, {"response_p99", MetricUnit::kDuration},
    {"response_max", MetricUnit::kDuration}, {"response_mean", MetricUnit::kDuration},
};
// Listener metrics of a server app.
constexpr std::string_view kListenerMetrics[] = {
    "max_syn_queue",  "max_accept_queue", "sampled_max_syn_queue", "sampled_max_accept_queue",
    "final_syn_queue", "final_accept_queue", "max_ack_backlog", "accepted", "syn_in", "synack_out",
    "rst_out", "rst_in"};
constexpr std::string_view kHostExtra[] = {"max_syn_queue", "max_accept_queue"};

std::optional<MetricUnit> client_metric(std::string_view m) {
  for (const MetricInfo& i : kClientMetrics)
    if (i.name == m) return i.unit;
  if (m.starts_with("failed_")) {
    const std::string_view what = m.substr(7);
    if (apps::is_errno_name(what) || what == "connect_timeout" || what == "eof") return MetricUnit::kCount;
  }
  return std::nullopt;
}

std::optional<MetricUnit> metric_unit(const ExpectTarget& t, std::string_view m) {
  if (t.kind == TargetKind::kHost) {
    if (stack::mib_from_name(m) != stack::MIB_MAX) return MetricUnit::kCount;
    for (std::string_view x : kHostExtra)
      if (x == m) return MetricUnit::kCount;
    return std::nullopt;
  }
  for (std::string_view c : t.def->counters)
    if (c == m) return MetricUnit::kCount;
  if (t.def->kind == apps::AppKind::kClient) return client_metric(m);
  if (t.def->kind == apps::AppKind::kServer)
    for (std::string_view x : kListenerMetrics)
      if (x == m) return MetricUnit::kCount;
  return std::nullopt;
}

std::string known_metrics(const ExpectTarget& t) {
  if (t.kind == TargetKind::kHost)
    return "an nstat counter name (TcpExtListenOverflows, TcpExtSyncookiesSent, ...), max_syn_queue or "
           "max_accept_queue";
  std::string s;
  auto add = [&](std::string_view m) { s += (s.empty() ? "" : ", ") + std::string(m); };
  if (t.def->kind == apps::AppKind::kClient) {
    for (const MetricInfo& i : kClientMetrics) add(i.name);
    add("failed_<ERRNO> (e.g. failed_ETIMEDOUT), failed_connect_timeout, failed_eof");
  }
  if (t.def->kind == apps::AppKind::kServer)
    for (std::string_view x : kListenerMetrics) add(x);
  for (std::string_view c : t.def->counters) add(c);
  return s;
}

bool parse_number(std::string_view text, double* out) {
  if (text.empty()) return false;
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

Expectation parse_one(const JsonValue& v, const ExpectTarget& t, const std::string& metric, MetricUnit unit) {
  Expectation e;
  e.target = t.name;
  e.metric = metric;
  e.pointer = v.pointer();
  e.unit = unit;
  e.kind = t.kind;
  e.index = t.index;
  const char* example = unit == MetricUnit::kDuration ? "\"< 200ms\""
                        : unit == MetricUnit::kRatio  ? "\">= 0.99\""
                                                      : "\"== 0\" or \"> 100\"";
  std::string text;
  if (v.is_number()) {
    // A bare number means equality: "TcpExtListenOverflows": 0.
    if (unit == MetricUnit::kDuration) v.fail_expected(std::string("a comparison with a unit, like ") + example);
    text = "==" + v.json().dump();
  } else if (v.is_string()) {
    text = v.as_string();
  } else {
    v.fail_expected(std::string("a comparison like ") + example);
  }
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  static constexpr std::pair<std::string_view, CmpOp> kOps[] = {{"==", CmpOp::kEq}, {"!=", CmpOp::kNe},
                                                                {"<=", CmpOp::kLe}, {">=", CmpOp::kGe},
                                                                {"<", CmpOp::kLt},  {">", CmpOp::kGt}};
  bool found = false;
  for (const auto& [tok, op] : kOps) {
    if (std::string_view(text).substr(i, tok.size()) == tok) {
      e.op = op;
      i += tok.size();
      found = true;
      break;
    }
  }
  if (!found) v.fail_expected(std::string("a comparison (==, !=, <, <=, >, >=) like ") + example);
  while (i < text.size() && text[i] == ' ') ++i;
  e.bound_text = text.substr(i);
  if (unit == MetricUnit::kDuration) {
    auto d = sim::config::parse_duration(e.bound_text);
    if (!d) v.fail_expected(std::string("a duration bound with its unit, like ") + example);
    e.bound = static_cast<double>(d->ns());
  } else if (!parse_number(e.bound_text, &e.bound)) {
    v.fail_expected(std::string("a numeric bound, like ") + example);
  }
  return e;
}

bool compare(double m, CmpOp op, double b) {
  switch (op) {
    case CmpOp::kEq: return m == b;
    case CmpOp::kNe: return m != b;
    case CmpOp::kLt: return m < b;
    case CmpOp::kLe: return m <= b;
    case CmpOp::kGt: return m > b;
    case CmpOp::kGe: return m >= b;
  }
  return false;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double quantile_metric(const Quantiles& q, std::string_view which) {
  if (q.count == 0) return kNaN;
  if (which == "min") return static_cast<double>(q.min_ns);
  if (which == "p50") return static_cast<double>(q.p50_ns);
  if (which == "p90") return static_cast<double>(q.p90_ns);
  if (which == "p99") return static_cast<double>(q.p99_ns);
  if (which == "max") return static_cast<double>(q.max_ns);
  return q.mean_ns;
}

double measure(const Expectation& e, const RunSummary& s) {
  const std::string& m = e.metric;
  if (e.kind == TargetKind::kHost) {
    for (const HostResult& h : s.hosts) {
      if (h.name != e.target) continue;
      if (m == "max_syn_queue") return h.max_syn_queue;
      if (m == "max_accept_queue") return h.max_accept_queue;
      auto it = h.counters.find(m);
      return it == h.counters.end() ? kNaN : static_cast<double>(it->second);
    }
    return kNaN;
  }
  for (const ClientGroupResult& c : s.clients) {
    if (c.app != e.index) continue;
    if (m == "attempted") return static_cast<double>(c.attempted);
    if (m == "established") return static_cast<double>(c.established);
    if (m == "completed") return static_cast<double>(c.completed);
    if (m == "failed") return static_cast<double>(c.failed);
    if (m == "pending") return static_cast<double>(c.pending);
    if (m == "connected_without_server_state") return static_cast<double>(c.connected_without_server_state);
    if (m == "established_ratio") return c.attempted ? c.established_ratio : kNaN;
    if (m == "completed_ratio")
      return c.attempted ? static_cast<double>(c.completed) / static_cast<double>(c.attempted) : kNaN;
    if (m == "failed_ratio")
      return c.attempted ? static_cast<double>(c.failed) / static_cast<double>(c.attempted) : kNaN;
    if (m.starts_with("connect_")) return quantile_metric(c.connect_time, std::string_view(m).substr(8));
    if (m.starts_with("response_")) return quantile_metric(c.response_time, std::string_view(m).substr(9));
    if (m.starts_with("failed_")) {
      auto it = c.failed_by.find(m.substr(7));
      return it == c.failed_by.end() ? 0 : static_cast<double>(it->second);
    }
  }
  for (const ListenerResult& l : s.listeners) {
    if (l.app != e.index) continue;
    if (m == "max_syn_queue") return l.max_syn_queue;
    if (m == "max_accept_queue") return l.max_accept_queue;
    if (m == "sampled_max_syn_queue") return l.sampled_max_syn_queue;
    if (m == "sampled_max_accept_queue") return l.sampled_max_accept_queue;
    if (m == "final_syn_queue") return l.final_syn_queue;
    if (m == "final_accept_queue") return l.final_accept_queue;
    if (m == "max_ack_backlog") return l.max_ack_backlog;
    if (m == "accepted") return static_cast<double>(l.accepted);
    if (m == "syn_in") return static_cast<double>(l.syn_in);
    if (m == "synack_out") return static_cast<double>(l.synack_out);
    if (m == "rst_out") return static_cast<double>(l.rst_out);
    if (m == "rst_in") return static_cast<double>(l.rst_in);
    break;
  }
  for (const AppResult& a : s.apps) {
    if (a.app != e.index) continue;
    auto it = a.counters.find(m);
    if (it != a.counters.end()) return static_cast<double>(it->second);
  }
  return kNaN;
}

std::string format_measured(double v, MetricUnit unit) {
  if (std::isnan(v)) return "n/a";
  switch (unit) {
    case MetricUnit::kDuration:
      return format_duration_ns(v);
    case MetricUnit::kRatio:
      return fmt::format("{:.4f}", v);
    case MetricUnit::kCount:
      break;
  }
  if (v == std::floor(v) && std::fabs(v) < 1e18) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

}  // namespace

const char* cmp_op_text(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "==";
    case CmpOp::kNe: return "!=";
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
  }
  return "?";
}

std::string format_duration_ns(double ns) {
  if (std::isnan(ns)) return "n/a";
  const double a = std::fabs(ns);
  if (a >= 1e9) return fmt::format("{:.3f}s", ns / 1e9);
  if (a >= 1e6) return fmt::format("{:.3f}ms", ns / 1e6);
  if (a >= 1e3) return fmt::format("{:.3f}us", ns / 1e3);
  return fmt::format("{}ns", static_cast<int64_t>(ns));
}

std::vector<Expectation> parse_expect(const JsonValue& v, const std::vector<ExpectTarget>& targets) {
  std::vector<Expectation> out;
  for (const auto& [name, tv] : v.as_map().members()) {
    const ExpectTarget* t = nullptr;
    for (const ExpectTarget& x : targets)
      if (x.name == name) t = &x;
    if (!t) {
      std::string names;
      std::vector<std::string_view> all;
      for (const ExpectTarget& x : targets) all.push_back(x.name);
      for (size_t i = 0; i < targets.size() && i < 20; ++i) names += (i ? ", " : "") + targets[i].name;
      if (targets.size() > 20) names += ", ...";
      tv.fail("unknown target \"" + name + "\"" + apps::did_you_mean(name, all) +
              ": expected a host or an app name (" + names + ")");
    }
    for (const auto& [metric, mv] : tv.as_map().members()) {
      const auto unit = metric_unit(*t, metric);
      if (!unit) {
        std::vector<std::string_view> cands;
        if (t->kind == TargetKind::kHost) {
          for (int m = 0; m < stack::MIB_MAX; ++m) cands.push_back(stack::mib_name(static_cast<stack::Mib>(m)));
          cands.insert(cands.end(), std::begin(kHostExtra), std::end(kHostExtra));
        } else {
          if (t->def->kind == apps::AppKind::kClient)
            for (const MetricInfo& i : kClientMetrics) cands.push_back(i.name);
          if (t->def->kind == apps::AppKind::kServer)
            cands.insert(cands.end(), std::begin(kListenerMetrics), std::end(kListenerMetrics));
          cands.insert(cands.end(), t->def->counters.begin(), t->def->counters.end());
        }
        mv.fail("unknown metric \"" + metric + "\" for " + name + apps::did_you_mean(metric, cands) + "; expected " +
                known_metrics(*t));
      }
      out.push_back(parse_one(mv, *t, metric, *unit));
    }
  }
  return out;
}

std::vector<ExpectationResult> evaluate_expect(const std::vector<Expectation>& expect, const RunSummary& s) {
  std::vector<ExpectationResult> out;
  for (const Expectation& e : expect) {
    ExpectationResult r;
    r.target = e.target;
    r.metric = e.metric;
    r.op = cmp_op_text(e.op);
    r.bound = e.bound_text;
    r.pointer = e.pointer;
    r.measured = measure(e, s);
    r.measured_text = format_measured(r.measured, e.unit);
    r.pass = !std::isnan(r.measured) && compare(r.measured, e.op, e.bound);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace scenario
