#include "scenarios/runner/run.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "scenarios/runner/expect.h"
#include "scenarios/runner/world.h"

namespace scenario {

namespace {

namespace fs = std::filesystem;

// Files of an earlier run in the same directory would mix with this one's.
// Only what a run writes is removed; anything else in the directory stays.
void prepare_out_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw std::runtime_error("cannot create output directory " + dir + ": " + ec.message());
  static constexpr const char* kOurs[] = {"summary.json", "run.json", "timeseries.csv", "connections.csv",
                                          "events.jsonl"};
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    bool ours = e.path().extension() == ".pcap";
    for (const char* o : kOurs) ours |= name == o;
    if (ours && e.is_regular_file()) fs::remove(e.path(), ec);
  }
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

uint64_t peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace

std::string default_out_dir(const Scenario& sc) { return "out/" + sc.name; }

std::string connections_csv(const RunSummary& s) {
  std::string out;
  for (const char* c : kConnectionsColumns) out += (out.empty() ? "" : ",") + std::string(c);
  out += "\n";
  for (const ClientGroupResult& c : s.clients)
    for (const ConnRecord& r : c.conns)
      out += fmt::format("{},{},{},{},{},{},{},{}\n", c.app, c.name, r.start_ns, r.connected_ns, r.first_byte_ns,
                         r.done_ns, r.failure, r.sport);
  return out;
}

RunOutput run_scenario(const Scenario& sc, const RunOptions& opts) {
  RunOutput out;
  const bool files = !opts.out_dir.empty();
  if (files) prepare_out_dir(opts.out_dir);
  out.info.started_at = utc_now();
  const auto wall0 = std::chrono::steady_clock::now();
  auto wall = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(); };

  std::vector<std::string> written;
  {
    World w(sc, opts.out_dir);
    w.run([&](sim::Time now) {
      if (opts.progress) opts.progress(now, sc.duration, wall());
    });
    out.summary = w.collect();
    written = w.outputs();
  }
  const double wall_s = wall();

  RunSummary& s = out.summary;
  if (sc.expect.empty()) {
    s.expect_status = "none";
  } else if (opts.no_expect) {
    s.expect_status = "skipped";
  } else {
    s.expectations = evaluate_expect(sc.expect, s);
    const bool all = std::all_of(s.expectations.begin(), s.expectations.end(), [](auto& e) { return e.pass; });
    s.expect_status = all ? "pass" : "fail";
  }

  out.info.wall_seconds = wall_s;
  out.info.sim_seconds_per_wall_second = wall_s > 0 ? static_cast<double>(s.duration_ns) / 1e9 / wall_s : 0;
  out.info.events_per_second = wall_s > 0 ? static_cast<double>(s.events_executed) / wall_s : 0;
  out.info.peak_rss_bytes = peak_rss_bytes();
  out.info.argv = opts.argv;
  out.info.netsim_version = opts.netsim_version;
  out.info.kernel_version = opts.kernel_version;

  if (files) {
    written.push_back("connections.csv");
    written.push_back("summary.json");
    written.insert(written.end(), opts.extra_outputs.begin(), opts.extra_outputs.end());
    std::sort(written.begin(), written.end());
    s.outputs = written;
    write_file(opts.out_dir + "/connections.csv", connections_csv(s));
    write_file(opts.out_dir + "/summary.json", to_json(s).dump(2) + "\n");
    write_file(opts.out_dir + "/run.json", to_json(out.info).dump(2) + "\n");
  }
  return out;
}

int expect_exit_code(const RunSummary& s) { return s.expect_status == "fail" ? 1 : 0; }

std::string human_summary(const RunSummary& s, const std::string& out_dir) {
  std::string o = fmt::format("{}: {} simulated, {} events, seed {}\n", s.name,
                              format_duration_ns(static_cast<double>(s.duration_ns)), s.events_executed, s.seed);
  for (const ClientGroupResult& c : s.clients) {
    o += fmt::format("  clients {} on {}: attempted {}, established {} ({:.1f}%), completed {}, failed {}, pending {}\n",
                     c.name, c.host, c.attempted, c.established, 100.0 * c.established_ratio, c.completed, c.failed,
                     c.pending);
    if (c.connect_time.count)
      o += fmt::format("    connect time p50 {}, p99 {}, max {}\n",
                       format_duration_ns(static_cast<double>(c.connect_time.p50_ns)),
                       format_duration_ns(static_cast<double>(c.connect_time.p99_ns)),
                       format_duration_ns(static_cast<double>(c.connect_time.max_ns)));
    if (!c.failed_by.empty()) {
      std::string f;
      for (const auto& [why, n] : c.failed_by) f += fmt::format("{}{} {}", f.empty() ? "" : ", ", why, n);
      o += "    failed by: " + f + "\n";
    }
    if (c.connected_without_server_state)
      o += fmt::format("    {} connected without server state (client believes it is connected; the server "
                       "dropped its final ACK and holds nothing)\n",
                       c.connected_without_server_state);
  }
  for (const ListenerResult& l : s.listeners)
    o += fmt::format("  server {} on {}:{} (backlog {}): accepted {}, max accept queue {}, max SYN queue {}\n",
                     l.app_name, l.host, l.port, l.backlog, l.accepted, l.max_accept_queue, l.max_syn_queue);
  static constexpr const char* kKey[] = {
      "TcpExtListenOverflows", "TcpExtListenDrops",     "TcpExtSyncookiesSent", "TcpExtSyncookiesRecv",
      "TcpExtSyncookiesFailed", "TcpExtTCPReqQFullDrop", "TcpExtTCPReqQFullDoCookies", "TcpPassiveOpens",
      "TcpExtTCPSynRetrans",   "TcpOutRsts",            "TcpExtEmbryonicRsts"};
  for (const HostResult& h : s.hosts) {
    bool server = false;
    for (const ListenerResult& l : s.listeners) server |= l.host == h.name;
    if (!server) continue;
    std::string line;
    for (const char* k : kKey) {
      auto it = h.counters.find(k);
      if (it != h.counters.end() && it->second) line += fmt::format("{}{} {}", line.empty() ? "" : ", ", k, it->second);
    }
    o += fmt::format("  host {}: {}\n", h.name, line.empty() ? "no listen-path counters moved" : line);
  }
  for (const AppResult& a : s.apps) {
    if (a.type == "server" || a.type == "client") continue;
    std::string line;
    for (const auto& [k, v] : a.counters) line += fmt::format("{}{} {}", line.empty() ? "" : ", ", k, v);
    o += fmt::format("  {} {} on {}: {}\n", a.type, a.name, a.host, line);
  }
  if (s.expect_status == "skipped") o += "expectations: skipped (--no-expect)\n";
  if (!s.expectations.empty()) {
    size_t pass = 0;
    for (const ExpectationResult& e : s.expectations) {
      pass += e.pass;
      o += fmt::format("  {} {} {} {} {} (measured {})\n", e.pass ? "PASS" : "FAIL", e.target, e.metric, e.op,
                       e.bound, e.measured_text);
    }
    o += fmt::format("expectations: {} passed, {} failed\n", pass, s.expectations.size() - pass);
  }
  if (!out_dir.empty()) o += "results in " + out_dir + "/\n";
  return o;
}

}  // namespace scenario
