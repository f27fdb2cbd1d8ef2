// netsim sweep: the grid, the table and CSV, the page's charts, and the
// command end to end against a stand-in for `netsim run` (fake_netsim.cc).
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/junit/junit_check.h"
#include "tests/report/fixture.h"
#include "tools/report/sweep_html.h"
#include "tools/report/sweep_main.h"
#include "tools/report/sweep_table.h"

namespace {

using netsim::report::SweepParam;
using netsim::report::SweepRun;

SweepParam param(const std::string& arg) {
  SweepParam p;
  std::string err;
  REQUIRE_MESSAGE(netsim::report::parse_sweep_param(arg, &p, &err), err);
  return p;
}

std::string parse_error(const std::string& arg) {
  SweepParam p;
  std::string err;
  CHECK_FALSE(netsim::report::parse_sweep_param(arg, &p, &err));
  return err;
}

nlohmann::json fake_summary(double backlog, double p50_ms) {
  return {{"clients",
           {{{"name", "legit"},
             {"attempted", 20},
             {"established", backlog + 1},
             {"established_ratio", (backlog + 1) / 20},
             {"failed", 0},
             {"connected_without_server_state", 0},
             {"connect_time", {{"count", 5}, {"p50_ns", p50_ms * 1e6}, {"p99_ns", p50_ms * 2e6}}}}}},
          {"listeners",
           {{{"host", "server"}, {"port", 80}, {"max_syn_queue", 0}, {"max_accept_queue", backlog + 1},
             {"accepted", 0}}}},
          {"hosts", {{{"name", "server"}, {"counters", {{"TcpExtListenOverflows", 19 - backlog}}}}}},
          {"expect_status", "pass"}};
}

// Runs for the grid backlog x rate, backlog varying slowest.
std::vector<SweepRun> fake_runs(const std::vector<SweepParam>& params) {
  std::vector<SweepRun> runs;
  const auto grid = netsim::report::sweep_grid(params);
  for (size_t i = 0; i < grid.size(); ++i) {
    SweepRun r;
    r.point = grid[i];
    r.dir = "runs/00" + std::to_string(i);
    r.exit_code = 0;
    r.summary = fake_summary(std::stod(grid[i][0]), std::stod(grid[i][1]));
    runs.push_back(std::move(r));
  }
  return runs;
}

std::string fresh_dir(const std::string& name) {
  const std::string d = netsim::testing::test_tmpdir() + "/" + name;
  std::filesystem::remove_all(d);
  return d;
}

const std::string kFake = "tests/report/fake_netsim";
const std::string kScenario = "scenarios/backlog_overflow.json";

}  // namespace

TEST_CASE("--param values: commas split, except inside brackets, braces and quotes") {
  CHECK(param("apps/0/backlog=8,128,1024").values == std::vector<std::string>{"8", "128", "1024"});
  CHECK(param("apps/0/backlog=8").path == "apps/0/backlog");
  CHECK(param("x=[1,2],{\"a\":1,\"b\":2}").values ==
        std::vector<std::string>{"[1,2]", "{\"a\":1,\"b\":2}"});
  CHECK(param("x=\"a,b\",c").values == std::vector<std::string>{"\"a,b\"", "c"});
  CHECK(param("duration=100ms,1s").values == std::vector<std::string>{"100ms", "1s"});
  CHECK(parse_error("apps/0/backlog") == "--param expects PATH=V1,V2,..., got \"apps/0/backlog\"");
  CHECK(parse_error("=1,2") == "--param \"=1,2\": empty PATH");
  CHECK(parse_error("a=1,,2") == "--param a: empty value in \"1,,2\"");
  CHECK(parse_error("a=") == "--param a: empty value in \"\"");
}

TEST_CASE("the grid is the cross product, first parameter slowest") {
  const std::vector<SweepParam> ps = {param("a/backlog=1,2"), param("b/rate=x,y,z")};
  const auto grid = netsim::report::sweep_grid(ps);
  CHECK(grid == std::vector<std::vector<std::string>>{
                    {"1", "x"}, {"1", "y"}, {"1", "z"}, {"2", "x"}, {"2", "y"}, {"2", "z"}});
  CHECK(netsim::report::sweep_sets(ps, grid[4]) ==
        std::vector<std::string>{"a/backlog=2", "b/rate=y"});
  CHECK(netsim::report::sweep_point_label(ps, grid[4]) == "backlog=2, rate=y");
  // Two parameters with the same last component keep their full paths.
  const std::vector<SweepParam> same = {param("apps/0/rate=1"), param("apps/1/rate=2")};
  CHECK(netsim::report::sweep_point_label(same, {"1", "2"}) == "apps/0/rate=1, apps/1/rate=2");
}

TEST_CASE("headline metrics of a run: client groups, listeners, listening hosts' counters") {
  const auto m = netsim::report::headline_metrics(netsim::testing::fixture_summary());
  std::vector<std::string> cols;
  for (const auto& x : m) cols.push_back(x.column);
  CHECK(cols == std::vector<std::string>{
                    "legit.attempted", "legit.established", "legit.established_ratio", "legit.failed",
                    "legit.connect_p50_ms", "legit.connect_p99_ms",
                    "legit.connected_without_server_state", "probe.attempted", "probe.established",
                    "probe.established_ratio", "probe.failed", "probe.connect_p50_ms",
                    "probe.connect_p99_ms", "probe.connected_without_server_state", "late.attempted",
                    "late.established", "late.established_ratio", "late.failed",
                    "late.connected_without_server_state", "server:80.max_syn_queue",
                    "server:80.max_accept_queue", "server:80.accepted", "server:8080.max_syn_queue",
                    "server:8080.max_accept_queue", "server:8080.accepted",
                    "server.TcpExtListenOverflows", "server.TcpExtListenDrops",
                    "server.TcpExtSyncookiesSent", "server.TcpExtSyncookiesRecv",
                    "server.TcpExtSyncookiesFailed", "server.TcpExtTCPReqQFullDrop",
                    "server.TcpExtTCPReqQFullDoCookies"});
  CHECK(m[4].is_ms);
  CHECK(m[0].value == 120);
}

TEST_CASE("sweep.csv: parameters, status, metrics; empty cells for a run without results") {
  const std::vector<SweepParam> ps = {param("apps/0/backlog=8,16"), param("apps/1/rate=10")};
  auto runs = fake_runs(ps);
  runs[1].summary.reset();
  runs[1].exit_code = 134;
  runs[1].error = "Aborted\n";
  const std::string csv = netsim::report::sweep_csv(netsim::report::sweep_table(ps, runs));
  CHECK(csv ==
        "run,apps/0/backlog,apps/1/rate,exit,expect,legit.attempted,legit.established,"
        "legit.established_ratio,legit.failed,legit.connect_p50_ms,legit.connect_p99_ms,"
        "legit.connected_without_server_state,server:80.max_syn_queue,server:80.max_accept_queue,"
        "server:80.accepted,server.TcpExtListenOverflows\n"
        "runs/000,8,10,0,pass,20,9,0.45,0,10.000,20.000,0,0,9,0,11\n"
        "runs/001,16,10,134,error,,,,,,,,,,,\n");
  // Fields with commas or quotes are quoted.
  const std::vector<SweepParam> q = {param("x=\"a,b\"")};
  std::vector<SweepRun> one(1);
  one[0].point = {"\"a,b\""};
  one[0].dir = "runs/000";
  CHECK(netsim::report::sweep_csv(netsim::report::sweep_table(q, one)) ==
        "run,x,exit,expect\nruns/000,\"\"\"a,b\"\"\",,error\n");
}

TEST_CASE("parameter values as numbers: plain numbers and durations in ms") {
  bool d = false;
  CHECK(netsim::report::sweep_value_number("128", &d) == 128);
  CHECK_FALSE(d);
  CHECK(netsim::report::sweep_value_number("0.5", &d) == 0.5);
  CHECK(netsim::report::sweep_value_number("100ms", &d) == 100);
  CHECK(d);
  CHECK(netsim::report::sweep_value_number("2s", &d) == 2000);
  CHECK(netsim::report::sweep_value_number("250us", &d) == doctest::Approx(0.25));
  CHECK_FALSE(netsim::report::sweep_value_number("5parsecs", &d));
  CHECK_FALSE(netsim::report::sweep_value_number("on", &d));
  CHECK_FALSE(netsim::report::sweep_value_number("", &d));
}

TEST_CASE("sweep.html: x is the numeric parameter (sorted), one line per other combination") {
  // Values given unsorted; the second parameter is the one that is numeric
  // only in part, so backlog is the axis and rate the lines.
  const std::vector<SweepParam> ps = {param("apps/0/backlog=128,8,1024"), param("apps/1/rate=10,20")};
  const auto page = netsim::report::build_sweep_page(kScenario, ps, fake_runs(ps));
  REQUIRE(page.charts.size() == 4);  // established, connect time, queue maxima, counters
  const auto& est = page.charts[0];
  CHECK(est.id == "chart-established-0");
  CHECK(est.x_label == "apps/0/backlog");
  CHECK(est.x == std::vector<double>{8, 128, 1024});
  CHECK(est.x_names.empty());
  REQUIRE(est.series.size() == 2);
  CHECK(est.series[0].label == "rate=10");
  CHECK(est.series[1].label == "rate=20");
  // backlog 8 -> 9 of 20 established = 45%.
  CHECK(*est.series[0].values[0] == doctest::Approx(45));
  const auto& ct = page.charts[1];
  REQUIRE(ct.series.size() == 4);
  CHECK(ct.series[0].label == "p50, rate=10");
  CHECK(ct.series[3].label == "p99, rate=20");
  CHECK(ct.series[3].dashed);
  CHECK(*ct.series[3].values[2] == 40);
  CHECK(page.charts[3].title == "Listen-path counters, server");
  for (const auto& c : page.charts) {
    CHECK(page.body_html.find("id=\"" + c.id + "\"") != std::string::npos);
  }
  CHECK(page.body_html.find("<a href=\"runs/000/report.html\">runs/000</a>") != std::string::npos);
}

TEST_CASE("sweep.html: durations make a numeric axis in ms; names make categories") {
  const std::vector<SweepParam> dur = {param("apps/0/backlog=8,16"), param("duration=2s,500ms")};
  auto runs = fake_runs({param("apps/0/backlog=8,16"), param("apps/1/rate=1,2")});
  for (size_t i = 0; i < runs.size(); ++i) runs[i].point = netsim::report::sweep_grid(dur)[i];
  auto page = netsim::report::build_sweep_page(kScenario, dur, runs);
  // backlog is numeric and comes first, so it is still the axis.
  CHECK(page.charts[0].x_label == "apps/0/backlog");
  CHECK(page.charts[0].series[0].label == "duration=2s");

  const std::vector<SweepParam> only_dur = {param("duration=2s,500ms")};
  std::vector<SweepRun> r2(2);
  for (size_t i = 0; i < 2; ++i) {
    r2[i].point = {only_dur[0].values[i]};
    r2[i].exit_code = 0;
    r2[i].summary = fake_summary(8, 1);
  }
  page = netsim::report::build_sweep_page(kScenario, only_dur, r2);
  CHECK(page.charts[0].x_label == "duration (ms)");
  CHECK(page.charts[0].x == std::vector<double>{500, 2000});

  const std::vector<SweepParam> names = {param("hosts/server/sysctl/net.ipv4.tcp_syncookies=on,off")};
  for (size_t i = 0; i < 2; ++i) r2[i].point = {names[0].values[i]};
  page = netsim::report::build_sweep_page(kScenario, names, r2);
  CHECK(page.charts[0].x == std::vector<double>{0, 1});
  CHECK(page.charts[0].x_names == std::vector<std::string>{"on", "off"});
}

TEST_CASE("netsim sweep end to end (stand-in runs): grid order, failures, JUnit, same bytes at any --jobs") {
  const std::string a = fresh_dir("sweep-a"), b = fresh_dir("sweep-b");
  const std::vector<std::string> common = {kScenario, "--param", "apps/0/backlog=8,13,66,77",
                                           "--param", "apps/1/rate=10,20"};
  auto args_a = common;
  args_a.insert(args_a.end(), {"--jobs", "3", "--out", a, "--junit", a + "/junit.xml"});
  auto args_b = common;
  args_b.insert(args_b.end(), {"--jobs", "1", "--out", b, "--junit", b + "/junit.xml"});
  CHECK(netsim::report::sweep_main(args_a, kFake) == 1);
  CHECK(netsim::report::sweep_main(args_b, kFake) == 1);

  const std::string csv = netsim::testing::read_file(a + "/sweep.csv");
  CHECK(csv == netsim::testing::read_file(b + "/sweep.csv"));
  CHECK(netsim::testing::read_file(a + "/sweep.html") == netsim::testing::read_file(b + "/sweep.html"));
  CHECK(netsim::testing::read_file(a + "/junit.xml") == netsim::testing::read_file(b + "/junit.xml"));

  std::vector<std::string> lines;
  std::istringstream in(csv);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 9);
  CHECK(lines[1].rfind("runs/000,8,10,0,pass,20,9,0.45,0,10.000,20.000,0,1,9,0,11", 0) == 0);
  CHECK(lines[2].rfind("runs/001,8,20,0,pass,20,9,0.45,0,20.000,40.000,", 0) == 0);
  CHECK(lines[3].rfind("runs/002,13,10,1,fail,20,14,0.7,", 0) == 0);
  CHECK(lines[5] == "runs/004,66,10,134,error" + std::string(12, ','));
  CHECK(lines[7] == "runs/006,77,10,2,error" + std::string(12, ','));
  // Each run's own outputs and log are kept.
  CHECK(std::filesystem::exists(a + "/runs/000/summary.json"));
  CHECK(netsim::testing::read_file(a + "/runs/006.log").find("something only the run noticed") !=
        std::string::npos);

  const std::string junit = a + "/junit.xml";
  const auto check = netsim::testing::check_junit_file(junit);
  REQUIRE_MESSAGE(check.ok, check.log);
  using netsim::testing::xpath;
  CHECK(xpath(junit, "count(/testsuites/testsuite)") == "8");
  CHECK(xpath(junit, "string(/testsuites/@failures)") == "2");
  CHECK(xpath(junit, "string(/testsuites/@errors)") == "4");
  CHECK(xpath(junit, "string(/testsuites/testsuite[3]/@name)") == "runs/002 (backlog=13, rate=10)");
  CHECK(xpath(junit, "string(/testsuites/testsuite[3]/testcase/failure/@message)") ==
        "web max_accept_queue: measured 14, expected <= 13");
  CHECK(xpath(junit, "string(/testsuites/testsuite[3]/testcase/@classname)") ==
        "netsim.sweep.backlog_overflow.002");
  CHECK(xpath(junit, "contains(string(/testsuites/testsuite[7]/testcase/error), "
                     "'something only the run noticed')") == "true");
}

TEST_CASE("a bad value anywhere in the grid is reported before anything runs or is written") {
  const std::string out = fresh_dir("sweep-bad");
  CHECK(netsim::report::sweep_main(
            {kScenario, "--param", "apps/0/backlog=8,many", "--out", out}, kFake) == 2);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(netsim::report::sweep_main({kScenario, "--param", "apps/0/no_such_key=1", "--out", out},
                                   kFake) == 2);
  CHECK_FALSE(std::filesystem::exists(out));
  // Usage errors.
  CHECK(netsim::report::sweep_main({kScenario, "--out", out}, kFake) == 2);
  CHECK(netsim::report::sweep_main({kScenario, "--param", "a=1", "--param", "a=2"}, kFake) == 2);
  CHECK(netsim::report::sweep_main({kScenario, "--param", "apps/0/backlog=8", "--jobs", "0"}, kFake) ==
        2);
  CHECK(netsim::report::sweep_main({"--help"}, kFake) == 0);
  CHECK_FALSE(std::filesystem::exists(out));
}
