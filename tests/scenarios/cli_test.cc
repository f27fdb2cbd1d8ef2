// The netsim binary's contract for run and check: exit codes, one-line
// errors, no partial output on bad input.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/scenarios/test_paths.h"

using scenario_test::path;
using scenario_test::scratch;

namespace {

struct Result {
  int code;
  std::string out;  // stdout and stderr together
};

Result netsim(const std::string& args) {
  const std::string cmd = "cd '" + scenario_test::root() + "' && ./tools/netsim " + args + " 2>&1";
  Result r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace

TEST_CASE("netsim check: 0 for valid scenarios and topologies, 2 with file and pointer otherwise") {
  auto r = netsim("check scenarios/backlog_overflow.json");
  CHECK(r.code == 0);
  CHECK(r.out == "scenarios/backlog_overflow.json: valid scenario\n");
  r = netsim("check topologies/dumbbell.json");
  CHECK(r.code == 0);
  CHECK(r.out.find("valid topology") != std::string::npos);
  r = netsim("check tests/scenarios/bad/unknown_sysctl.json");
  CHECK(r.code == 2);
  CHECK(r.out == "tests/scenarios/bad/unknown_sysctl.json: /sysctl/net.ipv4.tcp_bogus: unknown sysctl "
                 "'net.ipv4.tcp_bogus'\n");
  r = netsim("check");
  CHECK(r.code == 2);
  CHECK(netsim("check --help").code == 0);
}

TEST_CASE("netsim run on bad input: exit 2, one line, and no output directory") {
  const std::string out = scratch("cli_bad");
  for (const char* f : {"tests/scenarios/bad/port_conflict.json", "tests/scenarios/bad/malformed.json",
                        "tests/scenarios/bad/unknown_counter.json"}) {
    CAPTURE(f);
    const auto r = netsim(std::string("run ") + f + " --out '" + out + "'");
    CHECK(r.code == 2);
    CHECK(r.out.starts_with(std::string(f) + ":"));
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK(!std::filesystem::exists(out));
  }
  auto r = netsim("run scenarios/backlog_overflow.json --set apps/0/backlog=x --out '" + out + "'");
  CHECK(r.code == 2);
  CHECK(r.out.find("/apps/0/backlog") != std::string::npos);
  CHECK(!std::filesystem::exists(out));
  CHECK(netsim("run scenarios/backlog_overflow.json --seed -3").code == 2);
  CHECK(netsim("run scenarios/backlog_overflow.json --bogus").code == 2);
  CHECK(netsim("run").code == 2);
  CHECK(netsim("run --help").code == 0);
}

TEST_CASE("netsim run: exit 1 on a failed expectation naming it, the measured value and the bound; 0 otherwise") {
  const std::string out = scratch("cli_expect");
  auto r = netsim("run tests/scenarios/expect_wrong.json --out '" + out + "'");
  CHECK(r.code == 1);
  CHECK_MESSAGE(r.out.find("FAIL web max_accept_queue == 8 (measured 9)") != std::string::npos, r.out);
  CHECK(r.out.find("PASS web syn_in > 0") != std::string::npos);
  CHECK(std::filesystem::exists(out + "/summary.json"));
  // No progress bar when stderr is not a terminal.
  CHECK(r.out.find('\r') == std::string::npos);

  r = netsim("run tests/scenarios/expect_wrong.json --no-expect --out '" + out + "'");
  CHECK(r.code == 0);
  CHECK(r.out.find("expectations: skipped") != std::string::npos);

  r = netsim("run tests/scenarios/expect_wrong.json --quiet --out '" + out + "'");
  CHECK(r.code == 1);
  CHECK(r.out == "FAIL web max_accept_queue == 8 (measured 9)\n");

  r = netsim("run tests/scenarios/expect_wrong.json --set expect/web/max_accept_queue='==9' --out '" + out + "'");
  CHECK_MESSAGE(r.code == 0, r.out);
  CHECK(r.out.find("clients legit on client: attempted 20, established 9") != std::string::npos);
}
