// sweep.html: the metrics of a sweep plotted against its parameters, and
// the table of runs (the same as sweep.csv, each run linked to its own
// report.html). Self-contained like report.html.
//
// The x axis is the first parameter whose values are all numbers (or all
// durations such as "100ms"); every combination of the other parameters is
// one line. Without a numeric parameter the first one is shown as
// categories in the order given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/report/chart.h"
#include "tools/report/sweep_table.h"

namespace netsim::report {

struct SweepPage {
  std::string title;
  std::string body_html;
  std::vector<Chart> charts;
};

SweepPage build_sweep_page(const std::string& scenario_file, const std::vector<SweepParam>& params,
                           const std::vector<SweepRun>& runs);

std::string sweep_html(const std::string& scenario_file, const std::vector<SweepParam>& params,
                       const std::vector<SweepRun>& runs);

// A parameter value as a number for the x axis: plain numbers as they are,
// durations ("250us", "100ms", "2s") in milliseconds. nullopt otherwise.
std::optional<double> sweep_value_number(const std::string& value, bool* is_duration);

}  // namespace netsim::report
