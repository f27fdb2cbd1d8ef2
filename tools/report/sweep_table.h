// `netsim sweep`: the parameter grid and the results table (sweep.csv).
//
// --param PATH=V1,V2,... names a field (same PATH syntax as `netsim run
// --set`) and its values; several --param flags form the cross product,
// the first flag varying slowest, like nested loops in the order given.
// Every run is `netsim run` with one --set per parameter; the table has one
// row per run in grid order (whatever order the runs finished in) with the
// parameters and the headline metrics read back from its summary.json.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace netsim::report {

struct SweepParam {
  std::string path;                 // "apps/0/backlog"
  std::vector<std::string> values;  // as written: "8", "128", "100ms", "[1,2]"
};

// Parses "PATH=V1,V2,...". Commas inside [], {} or "..." do not split, so a
// JSON array or object can be one value. Returns false with a message on an
// empty path, no '=', or an empty value.
bool parse_sweep_param(std::string_view arg, SweepParam* out, std::string* error);

// The cross product: point i holds one value per parameter, in parameter order.
std::vector<std::vector<std::string>> sweep_grid(const std::vector<SweepParam>& params);

// "apps/0/backlog=8" for each parameter of a point, as `--set` arguments.
std::vector<std::string> sweep_sets(const std::vector<SweepParam>& params,
                                    const std::vector<std::string>& point);

// "backlog=8, rate=100": the point for people (the last path component names
// a parameter unless two parameters share it).
std::string sweep_point_label(const std::vector<SweepParam>& params,
                              const std::vector<std::string>& point);

struct SweepRun {
  std::vector<std::string> point;      // parameter values, in parameter order
  std::string dir;                     // its out dir, relative to the sweep's (e.g. "runs/003")
  int exit_code = -1;                  // netsim run's exit status; -1 never ran; 128+N killed by signal N
  std::optional<nlohmann::json> summary;  // its summary.json, when it wrote one
  std::string error;                   // for runs without a summary: the end of its log
};

// One headline metric of a run: a column name and its value.
struct Metric {
  std::string column;  // "legit.established_ratio", "server:80.max_accept_queue"
  double value = 0;
  bool is_ms = false;  // a time in milliseconds (printed with 3 decimals)
};

// What a sweep row shows of a run: per client group attempted, established,
// established_ratio, failed, connect p50/p99 (ms), connected_without_server_state;
// per listener max SYN/accept queue and accepted; per listening host the
// listen-path counters (overflows, drops, cookies, SYN-queue-full drops).
std::vector<Metric> headline_metrics(const nlohmann::json& summary);

struct SweepTable {
  std::vector<std::string> columns;  // "run", parameter paths, "exit", "expect", metrics...
  size_t first_metric = 0;           // index of the first metric column
  std::vector<std::vector<std::string>> rows;  // one per run, grid order; "" = no value
};

// Metric columns appear in the order they first occur in grid order, so the
// same runs always give the same table.
SweepTable sweep_table(const std::vector<SweepParam>& params, const std::vector<SweepRun>& runs);

// RFC 4180 CSV (fields quoted when they hold a comma, quote or newline), "\n" line ends.
std::string sweep_csv(const SweepTable& table);

}  // namespace netsim::report
