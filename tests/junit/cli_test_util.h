// Running the netsim binary (and the Bazel macro's runner script) from a
// test, in the test's runfiles: tools/netsim, tools/bazel/netsim_test.sh.
#pragma once

#include <cstdlib>
#include <string>

#include "tests/junit/junit_check.h"

namespace netsim::testing {

inline std::string tmp_file(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + name;
}

// Exit status of `tools/netsim ARGS` (stdout and stderr in *output).
inline int netsim(const std::string& args, std::string* output) {
  return run_capture("tools/netsim " + args, output);
}

// Exit status of the macro's runner as Bazel would start it, with
// XML_OUTPUT_FILE pointing at `xml`.
inline int macro_runner(const std::string& xml, const std::string& args, std::string* output) {
  return run_capture("XML_OUTPUT_FILE=" + shell_quote(xml) + " TEST_UNDECLARED_OUTPUTS_DIR=" +
                         shell_quote(tmp_file("")) + " tools/bazel/netsim_test.sh " + args,
                     output);
}

}  // namespace netsim::testing
