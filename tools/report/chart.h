// A chart as data: the C++ side decides what to plot (deterministically,
// testable without a browser); page.js only hands each Chart to uPlot.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace netsim::report {

struct ChartSeries {
  std::string label;
  std::vector<std::optional<double>> values;  // one per x; nullopt = no value (gap)
  bool dashed = false;                        // e.g. a limit drawn as a line
};

struct Chart {
  std::string id;  // the placeholder <div id="..."> in the page
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<double> x;  // ascending
  std::vector<ChartSeries> series;
  bool x_log = false;      // logarithmic x axis (x must be > 0)
  bool step = false;       // step lines (CDFs, counts between samples)
  bool y_from_zero = true;
  std::optional<double> y_max;  // fixed top of the y axis (e.g. 100 for percentages)
  bool points = false;     // draw markers (few x values, e.g. a sweep)
  std::vector<std::string> x_names;  // non-empty: x is 0..n-1 and these label the ticks
};

Chart make_chart(std::string id, std::string title, std::string x_label, std::string y_label);

nlohmann::json to_json(const Chart& c);

// The <div> placeholder a Chart renders into.
std::string chart_placeholder(const Chart& c);

}  // namespace netsim::report
