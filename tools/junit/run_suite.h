// JUnit test suites for scenario runs: one test case per expectation, so a
// CI page lists "legit connect_p99 < 200ms" with its measured value, and a
// failing one carries "measured 412.3ms, expected < 200ms".
//
// `netsim run --junit FILE` (after the run):
//   netsim::junit::write_junit_file(file, "netsim run", {netsim::junit::run_suite(out.summary)}, &err);
// and when the scenario is bad input (exit 2), so that CI still gets a report:
//   netsim::junit::write_junit_file(file, "netsim run",
//       {netsim::junit::error_suite(path, "netsim.run", e.what())}, &err);
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/runner/results.h"
#include "tools/junit/junit_xml.h"

namespace netsim::junit {

// Suite "<scenario name>", classname "netsim.run.<scenario name>", properties
// scenario file and seed. Cases: each expectation (pass/fail); with
// expect_status "skipped" one skipped case; with no expect block one passed
// case "run completed" (the run itself finished; a failed run never gets here).
TestSuite run_suite(const scenario::RunSummary& summary);
// The same from summary.json's content (what `netsim sweep` reads back).
TestSuite run_suite_json(const nlohmann::json& summary);

// A suite holding one <error> case: the input was bad or the run crashed.
TestSuite error_suite(const std::string& name, const std::string& classname,
                      const std::string& message);

}  // namespace netsim::junit
