// report.html for one `netsim run`: a self-contained page with the plots a
// person would rather look at than read (per listener SYN-queue and
// accept-queue occupancy over time, SYN / SYN-ACK / RST rates, drop and
// cookie counter rates, connect-time CDF per client group) and the tables
// (expectations, client groups, listeners, counters, apps, devices).
//
// Input is what the run wrote: summary.json's content (the JSON of
// scenario::RunSummary, see scenarios/README.md "Results") and
// timeseries.csv. Same input, same bytes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/runner/results.h"
#include "tools/report/chart.h"
#include "tools/report/timeseries.h"

namespace netsim::report {

struct ReportPage {
  std::string title;
  std::string body_html;
  std::vector<Chart> charts;
};

// The page's parts, for tests and for other pages that embed them.
ReportPage build_report(const nlohmann::json& summary, const Timeseries& timeseries);

// The whole HTML document.
std::string report_html(const nlohmann::json& summary, const Timeseries& timeseries);

// Reads OUT_DIR/timeseries.csv (a missing file means no samples) and writes
// OUT_DIR/report.html. Call it after summary.json and timeseries.csv are
// written. Returns false with a message in *error on an unreadable or
// malformed timeseries.csv or an unwritable directory.
//
// `netsim run` calls this after writing summary.json and timeseries.csv:
//   std::string err;
//   if (!netsim::report::write_report(out_dir, out.summary, &err)) ... err ...
bool write_report(const std::string& out_dir, const scenario::RunSummary& summary,
                  std::string* error);
// The same from summary.json's content (e.g. re-rendering an old out dir).
bool write_report_json(const std::string& out_dir, const nlohmann::json& summary,
                       std::string* error);

}  // namespace netsim::report
