// The report tests' fixture: a summary.json and timeseries.csv as `netsim
// run` writes them (two listeners on one server, a SYN flood with cookies,
// three client groups of which one never connected, one failed expectation).
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace netsim::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline nlohmann::json fixture_summary() {
  return nlohmann::json::parse(read_file("tests/report/testdata/summary.json"));
}

inline std::string fixture_timeseries() { return read_file("tests/report/testdata/timeseries.csv"); }

inline std::string test_tmpdir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d ? d : "/tmp";
}

}  // namespace netsim::testing
