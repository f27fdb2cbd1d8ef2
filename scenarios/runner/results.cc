#include "scenarios/runner/results.h"

#include <algorithm>

#include "sim/wire/ipv4_addr.h"

namespace scenario {

namespace {

// Nearest rank: the smallest sample with at least p% of the samples at or below it.
int64_t rank(const std::vector<int64_t>& sorted, unsigned p) {
  const size_t n = sorted.size();
  size_t r = (static_cast<size_t>(p) * n + 99) / 100;  // ceil(p * n / 100)
  if (r == 0) r = 1;
  return sorted[r - 1];
}

}  // namespace

Quantiles make_quantiles(std::vector<int64_t>& samples) {
  Quantiles q;
  if (samples.empty()) return q;
  std::sort(samples.begin(), samples.end());
  q.count = samples.size();
  q.min_ns = samples.front();
  q.max_ns = samples.back();
  q.p50_ns = rank(samples, 50);
  q.p90_ns = rank(samples, 90);
  q.p99_ns = rank(samples, 99);
  // Summed as integers: the mean is then the same on every machine.
  __int128 sum = 0;
  for (int64_t s : samples) sum += s;
  q.mean_ns = static_cast<double>(sum) / static_cast<double>(samples.size());
  q.cdf.reserve(101);
  for (unsigned p = 0; p <= 100; ++p) q.cdf.push_back(p == 0 ? q.min_ns : rank(samples, p));
  return q;
}

nlohmann::json to_json(const Quantiles& q) {
  return {{"count", q.count},   {"min_ns", q.min_ns}, {"p50_ns", q.p50_ns}, {"p90_ns", q.p90_ns},
          {"p99_ns", q.p99_ns}, {"max_ns", q.max_ns}, {"mean_ns", q.mean_ns}, {"cdf_ns", q.cdf}};
}

nlohmann::json to_json(const ClientGroupResult& c) {
  return {{"app", c.app},
          {"name", c.name},
          {"host", c.host},
          {"attempted", c.attempted},
          {"established", c.established},
          {"completed", c.completed},
          {"failed", c.failed},
          {"pending", c.pending},
          {"failed_by", c.failed_by},
          {"established_ratio", c.established_ratio},
          {"connected_without_server_state", c.connected_without_server_state},
          {"connect_time", to_json(c.connect_time)},
          {"response_time", to_json(c.response_time)}};
}

nlohmann::json to_json(const ListenerResult& l) {
  return {{"app", l.app},
          {"app_name", l.app_name},
          {"host", l.host},
          {"addr", sim::wire::ipv4_addr_str(l.addr)},
          {"port", l.port},
          {"backlog", l.backlog},
          {"max_ack_backlog", l.max_ack_backlog},
          {"accepted", l.accepted},
          {"max_syn_queue", l.max_syn_queue},
          {"max_accept_queue", l.max_accept_queue},
          {"sampled_max_syn_queue", l.sampled_max_syn_queue},
          {"sampled_max_accept_queue", l.sampled_max_accept_queue},
          {"final_syn_queue", l.final_syn_queue},
          {"final_accept_queue", l.final_accept_queue},
          {"syn_in", l.syn_in},
          {"synack_out", l.synack_out},
          {"rst_out", l.rst_out},
          {"rst_in", l.rst_in}};
}

nlohmann::json to_json(const HostResult& h) {
  nlohmann::json devs = nlohmann::json::array();
  for (const DeviceResult& d : h.devices)
    devs.push_back({{"name", d.name},
                    {"rx_packets", d.rx_packets},
                    {"tx_packets", d.tx_packets},
                    {"rx_bytes", d.rx_bytes},
                    {"tx_bytes", d.tx_bytes},
                    {"tx_dropped", d.tx_dropped},
                    {"max_txq", d.max_txq}});
  return {{"name", h.name},
          {"counters", h.counters},
          {"max_syn_queue", h.max_syn_queue},
          {"max_accept_queue", h.max_accept_queue},
          {"devices", devs}};
}

nlohmann::json to_json(const AppResult& a) {
  return {{"app", a.app}, {"name", a.name}, {"type", a.type}, {"host", a.host}, {"counters", a.counters}};
}

nlohmann::json to_json(const ExpectationResult& e) {
  return {{"target", e.target},     {"metric", e.metric},   {"op", e.op},
          {"bound", e.bound},       {"pointer", e.pointer}, {"measured", e.measured},
          {"measured_text", e.measured_text}, {"pass", e.pass}};
}

nlohmann::json to_json(const RunSummary& s) {
  nlohmann::json hosts = nlohmann::json::array(), listeners = nlohmann::json::array(),
                 clients = nlohmann::json::array(), apps = nlohmann::json::array(),
                 expectations = nlohmann::json::array();
  for (const auto& h : s.hosts) hosts.push_back(to_json(h));
  for (const auto& l : s.listeners) listeners.push_back(to_json(l));
  for (const auto& c : s.clients) clients.push_back(to_json(c));
  for (const auto& a : s.apps) apps.push_back(to_json(a));
  for (const auto& e : s.expectations) expectations.push_back(to_json(e));
  nlohmann::json j;
  j["name"] = s.name;
  j["description"] = s.description;
  j["scenario_file"] = s.scenario_file;
  j["seed"] = s.seed;
  j["duration_ns"] = s.duration_ns;
  j["events_executed"] = s.events_executed;
  j["scenario"] = s.scenario;
  j["hosts"] = hosts;
  j["listeners"] = listeners;
  j["clients"] = clients;
  j["apps"] = apps;
  j["expect_status"] = s.expect_status;
  j["expectations"] = expectations;
  j["trace_events"] = s.trace_events;
  j["outputs"] = s.outputs;
  return j;
}

nlohmann::json to_json(const RunInfo& r) {
  return {{"netsim_version", r.netsim_version},
          {"kernel_version", r.kernel_version},
          {"wall_seconds", r.wall_seconds},
          {"sim_seconds_per_wall_second", r.sim_seconds_per_wall_second},
          {"events_per_second", r.events_per_second},
          {"peak_rss_bytes", r.peak_rss_bytes},
          {"started_at", r.started_at},
          {"argv", r.argv}};
}

}  // namespace scenario
