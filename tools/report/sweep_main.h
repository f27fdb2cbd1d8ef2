// netsim sweep SCENARIO.json --param PATH=V1,V2,... [--param ...]: runs the
// cross product of parameter values, each as its own `netsim run` process
// (this binary, re-executed), N at a time, and writes sweep.csv (one row per
// run, grid order), sweep.html (metrics plotted against the parameters) and,
// with --junit, a JUnit report (one suite per run, one case per expectation).
//
// Every variant is loaded and validated before anything starts, so a bad
// value is reported like `netsim run` reports it (file, pointer, exit 2) and
// nothing is written. Separate processes rather than threads: a run owns its
// world completely, a crash takes down one run and not the sweep, and each
// run is exactly what `netsim run --set ...` would produce on its own.
#pragma once

#include <string>
#include <vector>

namespace netsim::report {

// The whole `netsim sweep` command: `args` are the arguments after "sweep".
// Each run is `RUN_EXE run SCENARIO --out DIR --quiet --set ...`; RUN_EXE ""
// means this very program (/proc/self/exe), which is what the CLI passes;
// tests pass a stand-in. Returns the exit code (0 all passed, 1 a run or an
// expectation failed, 2 bad input).
int sweep_main(const std::vector<std::string>& args, const std::string& run_exe = "");

}  // namespace netsim::report
