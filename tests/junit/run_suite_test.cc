// JUnit from scenario runs: a real run of a shipped scenario, with its own
// expectations and with a deliberately wrong one, validated as JUnit.
#include "tools/junit/run_suite.h"

#include <doctest/doctest.h>

#include <cstdlib>

#include "scenarios/runner/run.h"
#include "scenarios/runner/scenario.h"
#include "tests/junit/junit_check.h"

namespace {

scenario::RunSummary run(const std::vector<std::string>& sets, bool no_expect = false) {
  scenario::LoadOptions load;
  load.sets = sets;
  const scenario::Scenario sc = scenario::load_scenario("scenarios/backlog_overflow.json", load);
  scenario::RunOptions opts;  // no out_dir: results only, no files
  opts.no_expect = no_expect;
  return scenario::run_scenario(sc, opts).summary;
}

std::string write(const std::string& name, const netsim::junit::TestSuite& suite) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/" + name;
  std::string err;
  REQUIRE_MESSAGE(netsim::junit::write_junit_file(path, "netsim run", {suite}, &err), err);
  return path;
}

}  // namespace

TEST_CASE("backlog_overflow: one passing case per expectation, valid JUnit") {
  const auto summary = run({});
  const auto suite = netsim::junit::run_suite(summary);
  CHECK(suite.name == "backlog_overflow");
  REQUIRE(suite.cases.size() == summary.expectations.size());
  REQUIRE(suite.cases.size() == 7);
  for (const auto& tc : suite.cases) {
    CHECK(tc.outcome == netsim::junit::Outcome::kPassed);
    CHECK(tc.classname == "netsim.run.backlog_overflow");
  }
  const std::string path = write("pass.xml", suite);
  const auto check = netsim::testing::check_junit_file(path);
  CHECK_MESSAGE(check.ok, check.log);
  CHECK(netsim::testing::xpath(path, "string(//testcase[@name='web max_accept_queue == 9']/@classname)") ==
        "netsim.run.backlog_overflow");
  CHECK(netsim::testing::xpath(path, "string(//property[@name='seed']/@value)") == "7");
}

TEST_CASE("a wrong expectation fails with the measured value and the bound") {
  // Linux holds backlog + 1 = 9 children; claiming 8 must fail and say 9.
  const auto summary = run({"expect/web/max_accept_queue=== 8"});
  const auto suite = netsim::junit::run_suite(summary);
  const std::string path = write("fail.xml", suite);
  const auto check = netsim::testing::check_junit_file(path);
  REQUIRE_MESSAGE(check.ok, check.log);
  using netsim::testing::xpath;
  CHECK(xpath(path, "string(/testsuites/@failures)") == "1");
  CHECK(xpath(path, "string(//testcase[failure]/@name)") == "web max_accept_queue == 8");
  CHECK(xpath(path, "string(//failure/@message)") == "web max_accept_queue: measured 9, expected == 8");
  CHECK(xpath(path, "contains(string(//failure), 'expectation: /expect/web/max_accept_queue')") ==
        "true");
}

TEST_CASE("--no-expect gives one skipped case; an error suite carries the message") {
  const auto skipped = netsim::junit::run_suite(run({}, /*no_expect=*/true));
  REQUIRE(skipped.cases.size() == 1);
  CHECK(skipped.cases[0].outcome == netsim::junit::Outcome::kSkipped);
  const std::string p1 = write("skipped.xml", skipped);
  CHECK_MESSAGE(netsim::testing::check_junit_file(p1).ok, netsim::testing::check_junit_file(p1).log);

  const auto err = netsim::junit::error_suite(
      "scenarios/x.json", "netsim.run",
      "scenarios/x.json: /apps/0/backlog: expected an integer, got \"many\"");
  const std::string p2 = write("error.xml", err);
  CHECK_MESSAGE(netsim::testing::check_junit_file(p2).ok, netsim::testing::check_junit_file(p2).log);
  CHECK(netsim::testing::xpath(p2, "string(//error/@message)") ==
        "scenarios/x.json: /apps/0/backlog: expected an integer, got \"many\"");
}
