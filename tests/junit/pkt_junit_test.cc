// `netsim pkt --junit` writes valid JUnit with one case per script, and the
// Bazel macro's runner hands Bazel's XML_OUTPUT_FILE to it.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/junit/cli_test_util.h"
#include "tests/junit/junit_check.h"

namespace {
using netsim::testing::check_junit_file;
using netsim::testing::tmp_file;
using netsim::testing::xpath;

constexpr const char* kPass = "tests/conformance/listen_shrinking_backlog_keeps_children.pkt";
constexpr const char* kWrong = "tests/pkt_bad/wrong_errno.pkt";
}  // namespace

TEST_CASE("netsim pkt --junit: one case per script, the failure says expected vs got") {
  const std::string xml = tmp_file("pkt.xml");
  std::string out;
  CHECK(netsim::testing::netsim(std::string("pkt --junit ") + xml + " " + kPass + " " + kWrong, &out) == 1);
  const auto check = check_junit_file(xml);
  REQUIRE_MESSAGE(check.ok, check.log);
  CHECK(xpath(xml, "string(/testsuites/@tests)") == "2");
  CHECK(xpath(xml, "string(/testsuites/@failures)") == "1");
  CHECK(xpath(xml, "string(//testcase[failure]/@name)") == kWrong);
  CHECK(xpath(xml, "contains(//failure/@message, 'expected accept(3, ..., ...) = -1 EINVAL')") == "true");
  CHECK(xpath(xml, "contains(//failure/@message, 'got -1 EAGAIN')") == "true");
}

TEST_CASE("the macro's runner gives Bazel the JUnit report and passes on the expected exit") {
  const std::string xml = tmp_file("macro-pkt.xml");
  std::string out;
  CHECK(netsim::testing::macro_runner(xml, std::string("pkt tools/netsim 0 ") + kPass, &out) == 0);
  const auto check = check_junit_file(xml);
  REQUIRE_MESSAGE(check.ok, (check.log + out));
  CHECK(xpath(xml, "string(//testcase/@name)") == kPass);

  // A failing script fails the test, and Bazel's report shows the failure.
  const std::string xml2 = tmp_file("macro-pkt-fail.xml");
  CHECK(netsim::testing::macro_runner(xml2, std::string("pkt tools/netsim 0 ") + kWrong, &out) == 1);
  CHECK(out.find("netsim pkt exited with 1; this test expects 0") != std::string::npos);
  CHECK(xpath(xml2, "string(/testsuites/@failures)") == "1");

  // Expecting the failure passes, and keeps the failing report out of Bazel's.
  const std::string xml3 = tmp_file("macro-pkt-expected.xml");
  CHECK(netsim::testing::macro_runner(xml3, std::string("pkt tools/netsim 1 ") + kWrong, &out) == 0);
  CHECK_FALSE(std::filesystem::exists(xml3));
  CHECK(check_junit_file(tmp_file("netsim-junit.xml")).ok);
}
