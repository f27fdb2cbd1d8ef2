// Loading scenarios: every shipped one validates; each broken one under
// bad/ fails at the right JSON pointer; --set overrides; check_file decides
// scenario vs topology by content.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/runner/scenario.h"
#include "sim/config/config_error.h"
#include "tests/scenarios/test_paths.h"

using scenario_test::path;

namespace {

std::vector<std::string> shipped() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(path("scenarios")))
    if (e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The error a file gives, or "" if it loads.
sim::config::ConfigError load_error(const std::string& file, const scenario::LoadOptions& opts = {}) {
  try {
    scenario::load_scenario(file, opts);
  } catch (const sim::config::ConfigError& e) {
    return e;
  }
  FAIL("expected " << file << " to be rejected");
  return sim::config::ConfigError("", "", "");
}

}  // namespace

TEST_CASE("every shipped scenario validates, has a description and states its finding in expect") {
  const auto files = shipped();
  // The studies issue 8 asks for.
  for (const char* name : {"backlog_overflow", "slow_accept", "syn_flood_cookies", "syn_flood_no_cookies",
                           "abort_on_overflow", "synack_retries_tuning", "thundering_clients"}) {
    CAPTURE(name);
    CHECK(std::find(files.begin(), files.end(), path("scenarios/") + name + ".json") != files.end());
  }
  for (const std::string& f : files) {
    CAPTURE(f);
    scenario::Scenario sc;
    REQUIRE_NOTHROW(sc = scenario::load_scenario(f));
    CHECK(sc.description.size() > 80);
    CHECK(!sc.expect.empty());
    CHECK(!sc.apps.empty());
    CHECK(sc.name == std::filesystem::path(f).stem().string());
    CHECK(scenario::check_file(f) == "scenario");
  }
}

TEST_CASE("each broken scenario names the file, the JSON pointer and what was expected") {
  struct Case {
    const char* file;
    const char* pointer;
    const char* says;
  };
  const Case cases[] = {
      {"unknown_key", "/durration", "did you mean \"duration\""},
      {"bad_unit", "/duration", "expected a duration"},
      {"unknown_host", "/apps/0/host", "unknown host \"nosuch\""},
      {"app_on_router", "/apps/0/host", "is a router"},
      {"port_conflict", "/apps/1/port", "already in use by /apps/0"},
      {"unknown_sysctl", "/sysctl/net.ipv4.tcp_bogus", "unknown sysctl"},
      {"sysctl_out_of_range", "/hosts/server/sysctl/net.ipv4.tcp_syncookies", "outside 0..2"},
      {"unknown_app", "/apps/0/app", "unknown app \"sever\""},
      {"unknown_app_key", "/apps/1/rate_ppps", "unknown key"},
      {"dst_without_port", "/apps/1/dst", "HOST:PORT"},
      {"dst_unknown_host", "/apps/1/dst", "unknown host \"nosuch\""},
      {"dst_router", "/apps/1/dst", "routers run no TCP stack"},
      {"start_after_end", "/apps/1/start", "after the end of the run"},
      {"negative_backlog_type", "/apps/0/backlog", "expected an integer"},
      {"port_out_of_range", "/apps/0/port", "[1, 65535]"},
      {"unknown_capture", "/capture/0", "unknown link"},
      {"unknown_expect_target", "/expect/srever", "did you mean \"server\""},
      {"unknown_counter", "/expect/server/TcpExtListenOverflow", "did you mean \"TcpExtListenOverflows\""},
      {"unknown_client_metric", "/expect/legit/connect_p98", "unknown metric"},
      {"unknown_errno_metric", "/expect/legit/failed_EFOO", "unknown metric"},
      {"expect_bound_without_unit", "/expect/legit/connect_p99", "with its unit"},
      {"expect_bad_comparison", "/expect/server/TcpExtListenOverflows", "a comparison"},
      {"inline_topology_bad_delay", "/topology/links/0/delay", "expected a duration"},
      {"missing_topology", "", "missing required key \"topology\""},
      {"rate_and_concurrency", "/apps/1", "not both"},
      {"flood_rst_unroutable", "/apps/2/rst_fraction", "not routed back"},
      {"duplicate_app_name", "/apps/1/name", "duplicate app name"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    const std::string file = path(std::string("tests/scenarios/bad/") + c.file + ".json");
    const auto e = load_error(file);
    CHECK(e.file == file);
    CHECK(e.pointer == c.pointer);
    CHECK_MESSAGE(e.message.find(c.says) != std::string::npos, e.message);
    // what() is the one line netsim prints: FILE: POINTER: MESSAGE.
    CHECK(std::string(e.what()).starts_with(file + ": "));
  }
  // Every file under bad/ is covered above (plus malformed.json below).
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(path("tests/scenarios/bad"))) files += e.path().extension() == ".json";
  CHECK(files == std::size(cases) + 1);
}

TEST_CASE("malformed JSON is reported with line and column") {
  const auto e = load_error(path("tests/scenarios/bad/malformed.json"));
  CHECK(e.line == 4);
  CHECK(e.column > 0);
  CHECK(e.message.find("invalid JSON") != std::string::npos);
}

TEST_CASE("--set overrides any field before validation, with JSON pointer paths") {
  const std::string f = path("scenarios/backlog_overflow.json");
  scenario::LoadOptions o;
  o.sets = {"apps/0/backlog=3", "/duration=2s", "hosts/server/sysctl/net.ipv4.tcp_syncookies=0",
            "sysctl/net.core.somaxconn=\"1024\"", "apps/1/dst=10.0.0.2:80"};
  o.seed = 99;
  const scenario::Scenario sc = scenario::load_scenario(f, o);
  CHECK(sc.duration == sim::seconds(2));
  CHECK(sc.seed == 99);
  CHECK(sc.echo["apps"][0]["backlog"] == 3);
  CHECK(sc.echo["apps"][1]["dst"] == "10.0.0.2:80");
  const int64_t server = sc.topology.find_node("server");
  REQUIRE(server >= 0);
  CHECK(sc.sysctls[static_cast<size_t>(server)].tcp_syncookies == 0);
  CHECK(sc.sysctls[static_cast<size_t>(server)].somaxconn == 1024);
  CHECK(sc.sysctls[static_cast<size_t>(sc.topology.find_node("client"))].tcp_syncookies == 1);

  // An override is validated like the file: the error points at the field.
  scenario::LoadOptions bad;
  bad.sets = {"apps/1/rate=-5"};
  CHECK(load_error(f, bad).pointer == "/apps/1/rate");
  bad.sets = {"apps/7/rate=5"};
  const auto e = load_error(f, bad);
  CHECK(e.file == "--set");
  CHECK(e.message.find("no element 7") != std::string::npos);
  bad.sets = {"no_equals_sign"};
  CHECK(load_error(f, bad).file == "--set");
}

TEST_CASE("apply_set: creates objects on the way, appends with '-', parses JSON or keeps text") {
  nlohmann::json d = {{"apps", nlohmann::json::array({{{"a", 1}}})}};
  scenario::apply_set(d, "x/y/z=5");
  CHECK(d["x"]["y"]["z"] == 5);
  scenario::apply_set(d, "apps/-={\"b\":2}");
  CHECK(d["apps"].size() == 2);
  CHECK(d["apps"][1]["b"] == 2);
  scenario::apply_set(d, "apps/0/a=10ms");
  CHECK(d["apps"][0]["a"] == "10ms");
  scenario::apply_set(d, "apps/0/a=true");  // only numbers over strings stay text
  CHECK(d["apps"][0]["a"] == true);
  scenario::apply_set(d, "k~1v=1");  // RFC 6901: ~1 is '/'
  CHECK(d["k/v"] == 1);
  d["dur"] = "20ms";
  scenario::apply_set(d, "dur=0");  // replacing a string keeps the text
  CHECK(d["dur"] == "0");
  CHECK_THROWS_AS(scenario::apply_set(d, "apps/x=1"), sim::config::ConfigError);
  CHECK_THROWS_AS(scenario::apply_set(d, "x/y/z/w=1"), sim::config::ConfigError);  // 5 is not a container
}

TEST_CASE("check_file tells a topology from a scenario") {
  CHECK(scenario::check_file(path("topologies/two_hosts.json")) == "topology");
  CHECK(scenario::check_file(path("topologies/star_1000.json")) == "topology");
  CHECK_THROWS_AS(scenario::check_file(path("tests/scenarios/bad/unknown_key.json")), sim::config::ConfigError);
}

TEST_CASE("defaults are filled in the echoed scenario") {
  const scenario::Scenario sc = scenario::load_scenario(path("scenarios/backlog_overflow.json"));
  const auto& client = sc.echo["apps"][1];
  CHECK(client["request_size"] == "100B");
  CHECK(client["response_size"] == "1000B");
  CHECK(client["connect_timeout"] == "0");
  CHECK(client["start"] == "10ms");
  CHECK(sc.echo["trace"] == "decisions");
  CHECK(sc.echo["sample"] == "10ms");
}
