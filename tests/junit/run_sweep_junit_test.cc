// `netsim run --junit` and `netsim sweep --junit` from the real binary, the
// macro's runner on a scenario, and report.html written by `netsim run`.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/junit/cli_test_util.h"
#include "tests/junit/junit_check.h"

namespace {
using netsim::testing::check_junit_file;
using netsim::testing::tmp_file;
using netsim::testing::xpath;

constexpr const char* kScenario = "scenarios/backlog_overflow.json";
}  // namespace

TEST_CASE("netsim run --junit: a wrong expectation fails with measured vs bound; report.html written") {
  const std::string xml = tmp_file("run.xml");
  const std::string out_dir = tmp_file("run-out");
  std::string out;
  CHECK(netsim::testing::netsim(std::string("run ") + kScenario + " --quiet --out " + out_dir +
                                    " --junit " + xml + " --set 'expect/web/max_accept_queue=== 8'",
                                &out) == 1);
  const auto check = check_junit_file(xml);
  REQUIRE_MESSAGE(check.ok, (check.log + out));
  CHECK(xpath(xml, "string(/testsuites/@tests)") == "7");
  CHECK(xpath(xml, "string(//failure/@message)") == "web max_accept_queue: measured 9, expected == 8");
  CHECK(std::filesystem::exists(out_dir + "/report.html"));
}

TEST_CASE("netsim run --junit on bad input: exit 2 and one <error> naming the place") {
  const std::string xml = tmp_file("bad.xml");
  std::string out;
  CHECK(netsim::testing::netsim(std::string("run ") + kScenario + " --out " + tmp_file("bad-out") +
                                    " --junit " + xml + " --set apps/0/backlog=many",
                                &out) == 2);
  const auto check = check_junit_file(xml);
  REQUIRE_MESSAGE(check.ok, (check.log + out));
  CHECK(xpath(xml, "string(/testsuites/@errors)") == "1");
  CHECK(xpath(xml, "contains(//error/@message, '/apps/0/backlog')") == "true");
}

TEST_CASE("the macro's runner on a scenario: passes, keeps the outputs, reports per expectation") {
  const std::string xml = tmp_file("macro-run.xml");
  std::string out;
  CHECK(netsim::testing::macro_runner(xml, std::string("scenario tools/netsim 0 ") + kScenario, &out) == 0);
  const auto check = check_junit_file(xml);
  REQUIRE_MESSAGE(check.ok, (check.log + out));
  CHECK(xpath(xml, "string(/testsuites/@tests)") == "7");
  CHECK(std::filesystem::exists(tmp_file("out/report.html")));
}

TEST_CASE("netsim sweep --junit: one suite per run, rows in grid order") {
  const std::string xml = tmp_file("sweep.xml");
  const std::string dir = tmp_file("sweep-out");
  std::string out;
  CHECK(netsim::testing::netsim(std::string("sweep ") + kScenario +
                                    " --param apps/0/backlog=4,8 --jobs 2 --out " + dir + " --junit " + xml,
                                &out) == 1);
  const auto check = check_junit_file(xml);
  REQUIRE_MESSAGE(check.ok, (check.log + out));
  CHECK(xpath(xml, "count(/testsuites/testsuite)") == "2");
  // backlog 4 holds 5 children, not the 9 the scenario pins for backlog 8.
  CHECK(xpath(xml, "string(/testsuites/testsuite[1]/@failures)") != "0");
  CHECK(xpath(xml, "string(/testsuites/testsuite[2]/@failures)") == "0");
  CHECK(std::filesystem::exists(dir + "/sweep.csv"));
  CHECK(std::filesystem::exists(dir + "/runs/000/report.html"));
}
