#include "tests/junit/junit_check.h"

#include <stdio.h>
#include <sys/wait.h>

#include <array>

namespace netsim::testing {
namespace {

constexpr const char* kXmllint = "/usr/bin/xmllint";
constexpr const char* kSchema = "tests/junit/junit.xsd";  // runfiles-relative

bool have_xmllint() {
  std::string out;
  return run_capture(std::string("test -x ") + kXmllint, &out) == 0;
}

}  // namespace

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

int run_capture(const std::string& command, std::string* output) {
  output->clear();
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) output->append(buf.data(), n);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string xpath(const std::string& xml_path, const std::string& expr) {
  std::string out;
  run_capture(std::string(kXmllint) + " --xpath " + shell_quote(expr) + " " + shell_quote(xml_path),
              &out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

JunitCheck check_junit_file(const std::string& xml_path) {
  JunitCheck r;
  if (!have_xmllint()) {
    r.log = std::string(kXmllint) +
            " is missing: the JUnit schema check needs Debian package libxml2-utils "
            "(./netsim installs it)";
    return r;
  }
  std::string out;
  const int rc = run_capture(std::string(kXmllint) + " --noout --schema " + kSchema + " " +
                                 shell_quote(xml_path),
                             &out);
  if (rc != 0) {
    r.log = "schema check failed (xmllint exit " + std::to_string(rc) + "):\n" + out;
    return r;
  }
  // Suites whose stated totals disagree with their cases; must be none.
  const std::string bad_suites = xpath(
      xml_path,
      "count(/testsuites/testsuite[count(testcase) != @tests"
      " or count(testcase[failure]) != @failures"
      " or count(testcase[error]) != @errors"
      " or (@skipped and count(testcase[skipped]) != @skipped)])");
  if (bad_suites != "0") {
    r.log = "testsuite totals disagree with their test cases in " + bad_suites + " suite(s)";
    return r;
  }
  const std::string root_ok = xpath(
      xml_path,
      "count(//testcase) = /testsuites/@tests"
      " and count(//testcase[failure]) = /testsuites/@failures"
      " and count(//testcase[error]) = /testsuites/@errors"
      " and (not(/testsuites/@skipped) or count(//testcase[skipped]) = /testsuites/@skipped)");
  if (root_ok != "true") {
    r.log = "root <testsuites> totals disagree with the test cases (" + root_ok + ")";
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace netsim::testing
