// JUnit XML: the report format CI systems read (GitHub Actions reporters,
// GitLab, Jenkins). `netsim run`, `netsim pkt` and `netsim sweep` describe
// their outcome as suites of test cases (one per expectation, per script or
// per run) and hand them here; this file only knows the format.
//
//   netsim::junit::TestSuite suite{.name = "syn_flood_cookies"};
//   suite.cases.push_back({.name = "server TcpExtSyncookiesSent > 0",
//                          .classname = "netsim.run.syn_flood_cookies"});
//   suite.cases.push_back({.name = "legit established_ratio >= 0.99",
//                          .classname = "netsim.run.syn_flood_cookies",
//                          .outcome = netsim::junit::Outcome::kFailed,
//                          .message = "measured 0.42, expected >= 0.99"});
//   std::string err;
//   if (!netsim::junit::write_junit_file("out/junit.xml", "netsim run", {suite}, &err)) ...
//
// The document has the shape every consumer accepts: a <testsuites> root with
// totals, one <testsuite> per suite with its own totals, one <testcase> per
// case carrying at most one <failure>, <error> or <skipped> child. Text is
// escaped, and bytes that XML 1.0 cannot carry (control characters, invalid
// UTF-8) are replaced, so any message from a script or a file is safe.
//
// Output is deterministic: the same suites give the same bytes. Times are
// written only when the caller sets them (they are wall-clock figures, and
// callers that promise byte-identical outputs leave them out).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netsim::junit {

enum class Outcome {
  kPassed,
  kFailed,   // the check ran and did not hold: <failure>
  kError,    // the check could not run (bad input, crash): <error>
  kSkipped,  // deliberately not run (e.g. --no-expect): <skipped>
};

struct TestCase {
  std::string name;       // e.g. "server TcpExtListenOverflows == 0", "tests/x.pkt"
  std::string classname;  // dotted grouping, e.g. "netsim.run.backlog_overflow"
  Outcome outcome = Outcome::kPassed;
  // For a non-passed case: one line for the message attribute, e.g.
  // "measured 9, expected <= 8", and a longer body for the element text.
  std::string message;
  std::string type;    // failure/error type attribute, e.g. "expectation"; "" omits it
  std::string detail;  // element text; "" leaves the element empty
  std::optional<double> time_s;  // wall seconds; unset omits the attribute
  std::string system_out;        // "" omits <system-out>
};

struct TestSuite {
  std::string name;
  std::vector<std::pair<std::string, std::string>> properties;  // in the given order
  std::vector<TestCase> cases;
  std::optional<double> time_s;
};

struct Totals {
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
};
Totals totals(const TestSuite& suite);

// The whole document, UTF-8, ending in a newline. `name` is the root's name
// attribute (e.g. "netsim run").
std::string junit_xml(std::string_view name, const std::vector<TestSuite>& suites);

// Writes junit_xml() to `path` (replacing it). On failure returns false and
// puts "PATH: reason" in *error.
bool write_junit_file(const std::string& path, std::string_view name,
                      const std::vector<TestSuite>& suites, std::string* error);

// Text made safe for XML 1.0 element content or attribute values: invalid
// UTF-8 and characters XML cannot hold become U+FFFD; markup characters
// become entities. In attributes, tab/newline/CR become character references
// so that a parser's attribute normalisation keeps them.
std::string xml_escape_text(std::string_view s);
std::string xml_escape_attr(std::string_view s);

}  // namespace netsim::junit
