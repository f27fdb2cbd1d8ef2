// Validates a JUnit XML file the way CI would read it, for tests of every
// command that writes one (netsim run / pkt / sweep --junit):
//  1. xmllint (Debian libxml2-utils) checks it against tests/junit/junit.xsd,
//     our strict statement of the common JUnit schema;
//  2. XPath checks that the tests/failures/errors/skipped totals on every
//     <testsuite> and on the root match the test cases actually present
//     (a schema cannot express that, and CI dashboards show those numbers).
// The test's data must include //tests/junit:junit.xsd.
#pragma once

#include <string>

namespace netsim::testing {

struct JunitCheck {
  bool ok = false;
  std::string log;  // what failed, with xmllint's own messages
};

// Runs a shell command, returning its exit status and merged stdout+stderr.
int run_capture(const std::string& command, std::string* output);
std::string shell_quote(const std::string& s);

// The value of an XPath 1.0 expression over the file, as xmllint prints it.
std::string xpath(const std::string& xml_path, const std::string& expr);

JunitCheck check_junit_file(const std::string& xml_path);

}  // namespace netsim::testing
