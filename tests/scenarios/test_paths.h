// Paths inside the test's runfiles (the workspace is named "netsim") and a
// scratch directory per test.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace scenario_test {

inline std::string root() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return srcdir ? std::string(srcdir) + "/netsim" : std::string(".");
}
inline std::string path(const std::string& rel) { return root() + "/" + rel; }

// A fresh, empty directory under TEST_TMPDIR (or /tmp).
inline std::string scratch(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::filesystem::path p = std::filesystem::path(tmp ? tmp : "/tmp") / ("scenario_test_" + name);
  std::filesystem::remove_all(p);
  return p.string();
}

inline std::string read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace scenario_test
