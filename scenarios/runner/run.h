// Running a loaded scenario end to end: prepare the out dir, build the world,
// run it, collect the results, evaluate expectations, write the files.
// `netsim run` is this plus argument parsing and printing; sweeps and tests
// call it directly.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "scenarios/runner/results.h"
#include "scenarios/runner/scenario.h"
#include "sim/time.h"

namespace scenario {

struct RunOptions {
  std::string out_dir;    // "" = write no files, only return the results
  bool no_expect = false; // --no-expect: expect_status "skipped"
  std::vector<std::string> argv;  // recorded in run.json
  // Files the caller writes into the out dir after the run (report.html),
  // listed in summary.json's "outputs" with the engine's own.
  std::vector<std::string> extra_outputs;
  std::string netsim_version;     // recorded in run.json
  std::string kernel_version;
  // Called every 1% of simulated time with (now, end, wall seconds so far).
  std::function<void(sim::Time, sim::Time, double)> progress;
};

struct RunOutput {
  RunSummary summary;
  RunInfo info;
};

// Throws std::runtime_error when the run itself fails (an app's setup call
// failed, an output file cannot be written); the scenario is already valid.
RunOutput run_scenario(const Scenario& sc, const RunOptions& opts);

// 1 if any expectation failed, else 0 (what `netsim run` exits with).
int expect_exit_code(const RunSummary& s);

// The short human summary `netsim run` prints on stdout.
std::string human_summary(const RunSummary& s, const std::string& out_dir);

// The default output directory: out/<scenario name>.
std::string default_out_dir(const Scenario& sc);

// connections.csv content (deterministic).
std::string connections_csv(const RunSummary& s);

}  // namespace scenario
