// Running scenarios: Linux's numbers where they are pinned (backlog N holds
// N + 1 children), the surprising outcome counted, determinism of every
// output byte, pcaps that tshark reads cleanly, expectations evaluated.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/runner/expect.h"
#include "scenarios/runner/run.h"
#include "scenarios/runner/scenario.h"
#include "tests/scenarios/test_paths.h"

using scenario_test::path;
using scenario_test::read_file;
using scenario_test::scratch;

namespace {

scenario::RunOutput run(const std::string& file, const std::vector<std::string>& sets = {},
                        const std::string& out = "") {
  scenario::LoadOptions lo;
  lo.sets = sets;
  const scenario::Scenario sc = scenario::load_scenario(path(file), lo);
  scenario::RunOptions ro;
  ro.out_dir = out;
  return scenario::run_scenario(sc, ro);
}

const scenario::ListenerResult& only_listener(const scenario::RunSummary& s) {
  REQUIRE(s.listeners.size() == 1);
  return s.listeners[0];
}

}  // namespace

TEST_CASE("backlog_overflow: backlog 8 and a server that never accepts hold exactly 9 children") {
  const auto out = run("scenarios/backlog_overflow.json");
  const auto& l = only_listener(out.summary);
  CHECK(l.backlog == 8);
  CHECK(l.max_ack_backlog == 8);
  CHECK(l.accepted == 0);
  CHECK(l.final_accept_queue == 9);
  CHECK(l.max_accept_queue == 9);
  CHECK(l.sampled_max_accept_queue == 9);
  const auto& c = out.summary.clients.at(0);
  CHECK(c.attempted == 20);
  CHECK(c.established == 9);
  CHECK(c.failed == 0);
  CHECK(out.summary.hosts.size() == 2);
  // The SYNs that found the queue full were dropped and counted.
  for (const auto& h : out.summary.hosts)
    if (h.name == "server") CHECK(h.counters.at("TcpExtListenOverflows") > 0);
  CHECK(out.summary.expect_status == "pass");
}

TEST_CASE("listen backlog N admits N + 1 children for other N too, including 0") {
  for (int backlog : {0, 1, 3}) {
    CAPTURE(backlog);
    const auto out = run("scenarios/backlog_overflow.json", {"apps/0/backlog=" + std::to_string(backlog), "duration=1s"});
    const auto& l = only_listener(out.summary);
    CHECK(l.final_accept_queue == static_cast<uint32_t>(backlog + 1));
    CHECK(out.summary.clients.at(0).established == static_cast<uint64_t>(backlog + 1));
  }
}

TEST_CASE("thundering_clients counts clients connected while the server holds nothing for them") {
  const auto out = run("scenarios/thundering_clients.json");
  const auto& c = out.summary.clients.at(0);
  CHECK(c.established == 100);
  CHECK(c.connected_without_server_state > 0);
  // Each is established, unanswered and open: never more than the pending ones.
  CHECK(c.connected_without_server_state <= c.pending);
  // With no cookies there is no such client: the server keeps a request sock
  // for every client whose ACK it dropped, and retransmits its SYN-ACK.
  const auto nc = run("scenarios/thundering_clients.json", {"hosts/server/sysctl/net.ipv4.tcp_syncookies=0"});
  CHECK(nc.summary.clients.at(0).connected_without_server_state == 0);
}

TEST_CASE("same scenario, same seed: byte-identical outputs except run.json") {
  const std::string a = scratch("det_a"), b = scratch("det_b");
  // abort_on_overflow captures a link and traces events.
  run("scenarios/abort_on_overflow.json", {"duration=1s"}, a);
  run("scenarios/abort_on_overflow.json", {"duration=1s"}, b);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(a)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"client-server.pcap", "connections.csv", "events.jsonl", "run.json",
                                          "summary.json", "timeseries.csv"});
  for (const std::string& n : names) {
    CAPTURE(n);
    const std::string x = read_file(a + "/" + n), y = read_file(b + "/" + n);
    CHECK(!x.empty());
    if (n != "run.json") CHECK(x == y);
  }
  // run.json holds what depends on the machine.
  const auto info = nlohmann::json::parse(read_file(a + "/run.json"));
  CHECK(info.contains("wall_seconds"));
  CHECK(info.contains("peak_rss_bytes"));
  CHECK(info["peak_rss_bytes"].get<uint64_t>() > 0);
  // ... and summary.json nothing of that.
  const std::string summary = read_file(a + "/summary.json");
  CHECK(summary.find("wall") == std::string::npos);
  // A different seed changes the run (ports, ISNs), so the check above is not vacuous.
  const std::string c = scratch("det_c");
  scenario::LoadOptions lo;
  lo.sets = {"duration=1s"};
  lo.seed = 12345;
  scenario::RunOptions ro;
  ro.out_dir = c;
  scenario::run_scenario(scenario::load_scenario(path("scenarios/abort_on_overflow.json"), lo), ro);
  CHECK(read_file(a + "/client-server.pcap") != read_file(c + "/client-server.pcap"));
}

TEST_CASE("outputs: summary.json, timeseries.csv and connections.csv have the documented shape") {
  const std::string dir = scratch("shape");
  const auto out = run("scenarios/backlog_overflow.json", {}, dir);
  const auto s = nlohmann::json::parse(read_file(dir + "/summary.json"));
  CHECK(s["name"] == "backlog_overflow");
  CHECK(s["seed"] == 7);
  CHECK(s["duration_ns"] == 5000000000LL);
  CHECK(s["listeners"][0]["final_accept_queue"] == 9);
  CHECK(s["clients"][0]["connect_time"]["cdf_ns"].size() == 101);
  CHECK(s["expect_status"] == "pass");
  CHECK(s["expectations"].size() == 7);
  CHECK(s["outputs"] == nlohmann::json::array({"client-server.pcap", "connections.csv", "events.jsonl",
                                                "summary.json", "timeseries.csv"}));
  CHECK(s["trace_events"].get<uint64_t>() > 0);

  std::istringstream ts(read_file(dir + "/timeseries.csv"));
  std::string line;
  std::getline(ts, line);
  std::string header;
  for (const char* c : scenario::kTimeseriesColumns) header += (header.empty() ? "" : ",") + std::string(c);
  CHECK(line == header);
  size_t rows = 0;
  std::string last;
  while (std::getline(ts, line)) {
    ++rows;
    last = line;
  }
  CHECK(rows == 500);  // 5 s sampled every 10 ms, one listener
  CHECK(last.starts_with("5000000000,server,80,0,9,"));

  std::istringstream cs(read_file(dir + "/connections.csv"));
  std::getline(cs, line);
  CHECK(line == "app,name,start_ns,connected_ns,first_byte_ns,done_ns,failure,sport");
  size_t conns = 0;
  while (std::getline(cs, line)) ++conns;
  CHECK(conns == 20);

  // events.jsonl: one object per line with the documented fields.
  std::istringstream ev(read_file(dir + "/events.jsonl"));
  size_t events = 0;
  while (std::getline(ev, line)) {
    const auto e = nlohmann::json::parse(line);
    for (const char* k : {"t_ns", "host", "func", "verdict", "reason", "local", "remote"}) CHECK(e.contains(k));
    ++events;
  }
  CHECK(events == s["trace_events"].get<uint64_t>());
  CHECK(read_file(dir + "/events.jsonl").find("\"func\":\"tcp_conn_request\",\"verdict\":\"drop\",\"reason\":\"accept queue full\"") != std::string::npos);
}

TEST_CASE("a failed run writes nothing stale: the out dir is cleared of an earlier run's files") {
  const std::string dir = scratch("stale");
  run("scenarios/abort_on_overflow.json", {"duration=200ms"}, dir);
  CHECK(std::filesystem::exists(dir + "/client-server.pcap"));
  std::filesystem::create_directories(dir);
  { std::ofstream keep(dir + "/notes.txt"); keep << "mine"; }
  run("scenarios/abort_on_overflow.json", {"duration=200ms", "capture=[]", "trace=false"}, dir);
  CHECK(!std::filesystem::exists(dir + "/client-server.pcap"));
  CHECK(!std::filesystem::exists(dir + "/events.jsonl"));
  CHECK(std::filesystem::exists(dir + "/notes.txt"));
}

namespace {
constexpr const char* kTshark = "/usr/bin/tshark";
bool have_tshark() {
  struct stat st;
  return stat(kTshark, &st) == 0 && (st.st_mode & S_IXUSR);
}
std::string sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}
}  // namespace

TEST_CASE("pcaps pass the tshark check: every frame parsed, every checksum good, nothing malformed") {
  REQUIRE_MESSAGE(have_tshark(), "tshark not found at /usr/bin/tshark: install the 'tshark' package");
  const std::string dir = scratch("tshark");
  // thundering_clients: handshakes, cookies, data, FINs on one link.
  const auto out = run("scenarios/thundering_clients.json", {"duration=1s"}, dir);
  const std::string pcap = dir + "/client-server.pcap";
  const std::string base = std::string(kTshark) + " -n -r '" + pcap +
                           "' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE ";
  const std::string fields =
      sh(base + "-T fields -e frame.number -e ip.checksum.status -e tcp.checksum.status -e _ws.malformed 2>/dev/null");
  std::istringstream in(fields);
  std::string line;
  uint64_t frames = 0;
  while (std::getline(in, line)) {
    ++frames;
    CAPTURE(line);
    std::vector<std::string> f;
    std::istringstream ls(line);
    std::string x;
    while (std::getline(ls, x, '\t')) f.push_back(x);
    f.resize(4);
    CHECK(f[1] == "1");
    CHECK(f[2] == "1");
    CHECK(f[3].empty());
  }
  // The capture is at the client's eth0: every packet it sent or received.
  uint64_t dev_packets = 0;
  for (const auto& h : out.summary.hosts)
    if (h.name == "client") dev_packets = h.devices.at(0).tx_packets + h.devices.at(0).rx_packets;
  CHECK(frames > 200);
  CHECK(frames == dev_packets);
  const std::string expert = sh(base + "-q -z expert 2>/dev/null");
  CHECK_MESSAGE(expert.find("Errors (") == std::string::npos, expert);
  CHECK_MESSAGE(expert.find("Malformed") == std::string::npos, expert);
  // Nanosecond timestamps straight from simulated time.
  CHECK(read_file(pcap).substr(0, 4) == std::string("\x4d\x3c\xb2\xa1", 4));
}

TEST_CASE("expectations: measured values, PASS/FAIL, exit code") {
  const scenario::Scenario sc = scenario::load_scenario(path("tests/scenarios/expect_wrong.json"));
  scenario::RunOptions ro;
  const auto out = scenario::run_scenario(sc, ro);
  const auto& ex = out.summary.expectations;
  REQUIRE(ex.size() == 4);
  // Sorted by target then metric (the object's key order).
  CHECK(ex[0].target == "legit");
  CHECK(ex[0].metric == "connect_p99");
  CHECK(ex[0].pass);
  CHECK(ex[1].metric == "failed_ETIMEDOUT");
  CHECK(ex[1].measured == 0);
  CHECK(ex[1].pass);
  CHECK(ex[2].target == "web");
  CHECK(ex[2].metric == "max_accept_queue");
  CHECK(ex[2].measured == 9);
  CHECK(ex[2].bound == "8");
  CHECK(!ex[2].pass);
  CHECK(ex[3].metric == "syn_in");
  CHECK(ex[3].pass);
  CHECK(out.summary.expect_status == "fail");
  CHECK(scenario::expect_exit_code(out.summary) == 1);
  const std::string text = scenario::human_summary(out.summary, "");
  CHECK_MESSAGE(text.find("FAIL web max_accept_queue == 8 (measured 9)") != std::string::npos, text);
  CHECK(text.find("expectations: 3 passed, 1 failed") != std::string::npos);

  ro.no_expect = true;
  const auto skipped = scenario::run_scenario(sc, ro);
  CHECK(skipped.summary.expect_status == "skipped");
  CHECK(skipped.summary.expectations.empty());
  CHECK(scenario::expect_exit_code(skipped.summary) == 0);
}

TEST_CASE("evaluate_expect: every operator, and a metric with nothing measured fails") {
  scenario::RunSummary s;
  scenario::HostResult h;
  h.name = "server";
  h.counters["TcpExtListenOverflows"] = 5;
  s.hosts.push_back(h);
  scenario::ClientGroupResult c;
  c.app = 1;
  c.attempted = 0;  // nothing measured: quantiles and ratios are n/a
  s.clients.push_back(c);
  auto mk = [](scenario::CmpOp op, double bound) {
    scenario::Expectation e;
    e.target = "server";
    e.metric = "TcpExtListenOverflows";
    e.op = op;
    e.bound = bound;
    return e;
  };
  using scenario::CmpOp;
  const std::vector<std::pair<scenario::Expectation, bool>> cases = {
      {mk(CmpOp::kEq, 5), true},  {mk(CmpOp::kEq, 4), false}, {mk(CmpOp::kNe, 4), true}, {mk(CmpOp::kNe, 5), false},
      {mk(CmpOp::kLt, 6), true},  {mk(CmpOp::kLt, 5), false}, {mk(CmpOp::kLe, 5), true}, {mk(CmpOp::kLe, 4), false},
      {mk(CmpOp::kGt, 4), true},  {mk(CmpOp::kGt, 5), false}, {mk(CmpOp::kGe, 5), true}, {mk(CmpOp::kGe, 6), false},
  };
  for (const auto& [e, pass] : cases) {
    CAPTURE(scenario::cmp_op_text(e.op));
    CAPTURE(e.bound);
    CHECK(scenario::evaluate_expect({e}, s).at(0).pass == pass);
  }
  scenario::Expectation p99;
  p99.target = "legit";
  p99.metric = "connect_p99";
  p99.kind = scenario::TargetKind::kApp;
  p99.index = 1;
  p99.unit = scenario::MetricUnit::kDuration;
  p99.op = CmpOp::kLt;
  p99.bound = 1e12;
  const auto r = scenario::evaluate_expect({p99}, s).at(0);
  CHECK(!r.pass);
  CHECK(r.measured_text == "n/a");
  CHECK(scenario::format_duration_ns(183215000) == "183.215ms");
  CHECK(scenario::format_duration_ns(1.5e9) == "1.500s");
}

TEST_CASE("syn_flood: spoofed sources never answer unless told to; with rst_fraction some do") {
  auto flood_of = [](const scenario::RunSummary& s) -> const scenario::AppResult& {
    for (const auto& a : s.apps)
      if (a.name == "flood") return a;
    FAIL("no flood app");
    return s.apps.at(0);
  };
  // Two hosts: SYN-ACKs to the spoofed prefix come back to the attacker's host.
  const auto silent = run("tests/scenarios/flood_rst.json", {"apps/1/rst_fraction=0"});
  const auto& f0 = flood_of(silent.summary);
  CHECK(f0.counters.at("syns_sent") == 200);  // 1000/s for 200 ms
  CHECK(f0.counters.at("synacks_received") >= 200);  // retransmissions included
  CHECK(f0.counters.at("rsts_sent") == 0);
  CHECK(only_listener(silent.summary).rst_in == 0);
  CHECK(only_listener(silent.summary).syn_in == 200);

  const auto answering = run("tests/scenarios/flood_rst.json");
  const auto& f1 = flood_of(answering.summary);
  const uint64_t rsts = f1.counters.at("rsts_sent");
  CHECK(rsts > 0);
  CHECK(rsts < f1.counters.at("synacks_received"));
  CHECK(only_listener(answering.summary).rst_in == rsts);
  // A RST from the "owner" of a spoofed address removes its request sock,
  // so the SYN queue holds fewer of them at the end.
  CHECK(only_listener(answering.summary).final_syn_queue < only_listener(silent.summary).final_syn_queue);
}
