// timeseries.csv read back for plotting: one series per listener (host,
// port), in the order listeners first appear, each column kept by name.
// The file's format is documented in scenarios/README.md ("timeseries.csv").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netsim::report {

struct ListenerSeries {
  std::string host;
  int port = 0;
  std::vector<int64_t> t_ns;
  // Every numeric column after t_ns/host/port, in file order, one value per sample.
  std::vector<std::pair<std::string, std::vector<double>>> columns;

  // The column called `name`, or nullptr.
  const std::vector<double>* column(std::string_view name) const;
};

struct Timeseries {
  std::vector<ListenerSeries> listeners;
};

// Parses the whole file. Empty text is an empty Timeseries. Returns false
// with "line N: what" in *error on a malformed file (missing t_ns/host/port
// header, wrong field count, non-numeric value).
bool parse_timeseries_csv(std::string_view text, Timeseries* out, std::string* error);

}  // namespace netsim::report
