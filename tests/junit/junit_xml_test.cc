// JUnit XML writer: schema-valid documents (checked by xmllint against
// junit.xsd), totals, failure messages, escaping of hostile text.
#include "tools/junit/junit_xml.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/junit/junit_check.h"

namespace {

using netsim::junit::Outcome;
using netsim::junit::TestCase;
using netsim::junit::TestSuite;

std::string tmp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::string write_tmp(const std::string& name, const std::string& text) {
  const std::string path = tmp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string check_log(const std::string& path) {
  return netsim::testing::check_junit_file(path).log;
}

TestCase tcase(std::string name, std::string classname, Outcome outcome = Outcome::kPassed,
                std::string message = "", std::string type = "", std::string detail = "") {
  TestCase tc;
  tc.name = std::move(name);
  tc.classname = std::move(classname);
  tc.outcome = outcome;
  tc.message = std::move(message);
  tc.type = std::move(type);
  tc.detail = std::move(detail);
  return tc;
}

TestSuite suite(std::string name) {
  TestSuite s;
  s.name = std::move(name);
  return s;
}

TestSuite scenario_suite() {
  TestSuite s = suite("syn_flood_cookies");
  s.properties = {{"seed", "7"}, {"scenario", "scenarios/syn_flood_cookies.json"}};
  s.cases.push_back(tcase("server TcpExtSyncookiesSent > 0", "netsim.run.syn_flood_cookies"));
  s.cases.push_back(tcase("legit established_ratio >= 0.99", "netsim.run.syn_flood_cookies",
                          Outcome::kFailed,
                          "legit established_ratio: measured 0.42, expected >= 0.99", "expectation",
                          "measured: 0.42\nexpected: >= 0.99\n"));
  s.cases.push_back(tcase("server TcpExtListenOverflows == 0", "netsim.run.syn_flood_cookies",
                          Outcome::kSkipped, "--no-expect"));
  return s;
}

TestSuite pkt_suite() {
  TestSuite s = suite("netsim pkt");
  s.cases.push_back(tcase("tests/conformance/listen_backlog.pkt", "netsim.pkt"));
  s.cases.push_back(tcase("tests/conformance/broken.pkt", "netsim.pkt", Outcome::kError,
                          "broken.pkt:3:7: syntax error", "script"));
  return s;
}

}  // namespace

TEST_CASE("a run report with a failing expectation is valid JUnit and names the numbers") {
  const std::string path =
      write_tmp("run.xml", netsim::junit::junit_xml("netsim run", {scenario_suite()}));
  const auto check = netsim::testing::check_junit_file(path);
  INFO(check.log);
  REQUIRE(check.ok);
  using netsim::testing::xpath;
  CHECK(xpath(path, "string(/testsuites/@tests)") == "3");
  CHECK(xpath(path, "string(/testsuites/@failures)") == "1");
  CHECK(xpath(path, "string(/testsuites/@skipped)") == "1");
  CHECK(xpath(path, "string(//testcase[failure]/@name)") == "legit established_ratio >= 0.99");
  CHECK(xpath(path, "string(//failure/@message)") ==
        "legit established_ratio: measured 0.42, expected >= 0.99");
  CHECK(xpath(path, "string(//failure/@type)") == "expectation");
  CHECK(xpath(path, "string(//property[@name='seed']/@value)") == "7");
}

TEST_CASE("several suites: totals add up on the root, errors counted apart from failures") {
  const std::string path = write_tmp(
      "two.xml", netsim::junit::junit_xml("netsim", {scenario_suite(), pkt_suite()}));
  const auto check = netsim::testing::check_junit_file(path);
  INFO(check.log);
  REQUIRE(check.ok);
  using netsim::testing::xpath;
  CHECK(xpath(path, "string(/testsuites/@tests)") == "5");
  CHECK(xpath(path, "string(/testsuites/@failures)") == "1");
  CHECK(xpath(path, "string(/testsuites/@errors)") == "1");
  CHECK(xpath(path, "string(/testsuites/testsuite[2]/@errors)") == "1");
  CHECK(xpath(path, "string(//error/@message)") == "broken.pkt:3:7: syntax error");
}

TEST_CASE("totals() counts each outcome once") {
  const auto t = netsim::junit::totals(scenario_suite());
  CHECK(t.tests == 3);
  CHECK(t.failures == 1);
  CHECK(t.errors == 0);
  CHECK(t.skipped == 1);
}

TEST_CASE("no suites and empty suites are still valid documents") {
  const std::string empty = write_tmp("empty.xml", netsim::junit::junit_xml("netsim pkt", {}));
  CHECK_MESSAGE(netsim::testing::check_junit_file(empty).ok, check_log(empty));
  const std::string one =
      write_tmp("one.xml", netsim::junit::junit_xml("netsim pkt", {suite("none")}));
  CHECK_MESSAGE(netsim::testing::check_junit_file(one).ok, check_log(one));
}

TEST_CASE("hostile text survives: markup, quotes, newlines, control bytes, broken UTF-8") {
  TestSuite s = suite("a<b>&\"c'");
  s.cases.push_back(tcase("x < y && y > \"z\"", "netsim.pkt", Outcome::kFailed,
                          "line 1\nline 2\tand\x01 bell\x07", "",
                          "]]> <![CDATA[ \r\n \xC3\x28 \xED\xA0\x80 caf\xC3\xA9"));
  s.cases.back().system_out = "stdout with </system-out> inside";
  const std::string xml = netsim::junit::junit_xml("n", {s});
  const std::string path = write_tmp("hostile.xml", xml);
  const auto check = netsim::testing::check_junit_file(path);
  INFO(check.log);
  REQUIRE(check.ok);
  using netsim::testing::xpath;
  CHECK(xpath(path, "string(//testcase/@name)") == "x < y && y > \"z\"");
  CHECK(xpath(path, "string(/testsuites/testsuite/@name)") == "a<b>&\"c'");
  // Newline and tab survive attribute normalisation; control bytes become U+FFFD.
  CHECK(xpath(path, "string(//failure/@message)") ==
        "line 1\nline 2\tand\xEF\xBF\xBD bell\xEF\xBF\xBD");
  // Invalid UTF-8 (a truncated sequence, an encoded surrogate) is replaced, valid text kept.
  CHECK(xpath(path, "string(//failure)") ==
        "]]> <![CDATA[ \r\n \xEF\xBF\xBD( \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD caf\xC3\xA9");
  CHECK(xpath(path, "string(//system-out)") == "stdout with </system-out> inside");
}

TEST_CASE("times appear only when set, with millisecond precision") {
  TestSuite s = suite("t");
  s.time_s = 1.5;
  s.cases.push_back(tcase("a", "c"));
  s.cases.back().time_s = 0.0004;
  s.cases.push_back(tcase("b", "c"));
  const std::string xml = netsim::junit::junit_xml("n", {s});
  CHECK(xml.find("<testsuites name=\"n\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"0\" "
                 "time=\"1.500\">") != std::string::npos);
  CHECK(xml.find("<testcase name=\"a\" classname=\"c\" time=\"0.000\"/>") != std::string::npos);
  CHECK(xml.find("<testcase name=\"b\" classname=\"c\"/>") != std::string::npos);
  const std::string path = write_tmp("times.xml", xml);
  CHECK_MESSAGE(netsim::testing::check_junit_file(path).ok, check_log(path));
}

TEST_CASE("the check rejects documents CI would misread") {
  // Schema violations: no classname; two outcomes on one case.
  const std::string no_class = write_tmp(
      "bad1.xml",
      "<testsuites tests=\"1\" failures=\"0\" errors=\"0\"><testsuite name=\"s\" tests=\"1\" "
      "failures=\"0\" errors=\"0\"><testcase name=\"a\"/></testsuite></testsuites>");
  CHECK_FALSE(netsim::testing::check_junit_file(no_class).ok);
  const std::string two = write_tmp(
      "bad2.xml",
      "<testsuites tests=\"1\" failures=\"1\" errors=\"1\"><testsuite name=\"s\" tests=\"1\" "
      "failures=\"1\" errors=\"1\"><testcase name=\"a\" classname=\"c\"><failure message=\"m\"/>"
      "<error message=\"e\"/></testcase></testsuite></testsuites>");
  CHECK_FALSE(netsim::testing::check_junit_file(two).ok);
  // Schema-valid but the totals lie.
  const std::string lie = write_tmp(
      "bad3.xml",
      "<testsuites tests=\"2\" failures=\"0\" errors=\"0\"><testsuite name=\"s\" tests=\"2\" "
      "failures=\"0\" errors=\"0\"><testcase name=\"a\" classname=\"c\"><failure message=\"m\"/>"
      "</testcase></testsuite></testsuites>");
  const auto r = netsim::testing::check_junit_file(lie);
  CHECK_FALSE(r.ok);
  CHECK(r.log.find("totals disagree") != std::string::npos);
}

TEST_CASE("write_junit_file writes the document, and reports an unwritable path") {
  const std::string path = tmp_path("written.xml");
  std::string err;
  REQUIRE(netsim::junit::write_junit_file(path, "netsim pkt", {pkt_suite()}, &err));
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  CHECK(ss.str() == netsim::junit::junit_xml("netsim pkt", {pkt_suite()}));
  CHECK_FALSE(netsim::junit::write_junit_file(tmp_path("no/such/dir/x.xml"), "n", {}, &err));
  CHECK(err.find("no/such/dir/x.xml: cannot write JUnit report") != std::string::npos);
}
