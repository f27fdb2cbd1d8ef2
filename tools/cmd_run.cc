// netsim run SCENARIO.json: load and validate the scenario (any mistake: one
// message with file and JSON pointer, exit 2, nothing written), run it, write
// the results into the out dir, print a short summary, and exit 1 if an
// expectation failed (or the run itself did), else 0.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/runner/run.h"
#include "scenarios/runner/scenario.h"
#include "sim/config/config_error.h"
#include "tools/commands.h"
#include "tools/junit/run_suite.h"
#include "tools/report/report_html.h"

namespace netsim {

namespace {

constexpr const char* kUsage =
    "usage: netsim run SCENARIO.json [--out DIR] [--seed N] [--set PATH=VALUE ...] [--no-expect] [--quiet]\n"
    "                  [--junit FILE]\n"
    "\n"
    "Runs a scenario (scenarios/README.md) and writes summary.json, run.json,\n"
    "timeseries.csv, connections.csv, report.html, one pcap per capture and\n"
    "events.jsonl (with \"trace\") into DIR (default out/<scenario name>/).\n"
    "\n"
    "  --out DIR          output directory\n"
    "  --seed N           replaces the scenario's seed\n"
    "  --set PATH=VALUE   overrides one field before validation; PATH is a JSON pointer,\n"
    "                     with or without the leading '/': apps/1/rate_pps=2000,\n"
    "                     hosts/server/sysctl/net.ipv4.tcp_syncookies=0, duration=2s\n"
    "  --no-expect        do not evaluate the scenario's expect block\n"
    "  --quiet            no progress bar, no summary (only failed expectations and errors)\n"
    "  --junit FILE       also write a JUnit XML report: one test case per expectation\n"
    "\n"
    "exit codes: 0 ok, 1 an expectation failed or the run failed, 2 bad input\n";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "netsim run: %s\n%s", msg.c_str(), kUsage);
  return 2;
}

// "[#######.............]  1.250s / 5.000s  12.3x  ETA 0.3s" on one rewritten line.
void draw_progress(sim::Time now, sim::Time end, double wall) {
  const double f = end.ns() > 0 ? static_cast<double>(now.ns()) / static_cast<double>(end.ns()) : 1;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(f * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  const double sim_s = static_cast<double>(now.ns()) / 1e9;
  const double speed = wall > 0 ? sim_s / wall : 0;
  const double eta = f > 0 ? wall * (1 - f) / f : 0;
  std::fprintf(stderr, "\r[%s] %.3fs / %.3fs  %.1fx  ETA %.1fs ", bar.c_str(), sim_s,
               static_cast<double>(end.ns()) / 1e9, speed, eta);
  std::fflush(stderr);
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  std::string file, out_dir, junit;
  scenario::LoadOptions load;
  bool quiet = false, no_expect = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* what) -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      (void)what;
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--out") {
      auto v = value("--out");
      if (!v || v->empty()) return usage_error("--out needs a directory");
      out_dir = *v;
    } else if (a == "--seed") {
      auto v = value("--seed");
      uint64_t seed = 0;
      if (!v) return usage_error("--seed needs a number");
      const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), seed);
      if (ec != std::errc() || end != v->data() + v->size() || seed > INT64_MAX)
        return usage_error("--seed expects a non-negative integer, got \"" + *v + "\"");
      load.seed = seed;
    } else if (a == "--set") {
      auto v = value("--set");
      if (!v) return usage_error("--set needs PATH=VALUE");
      load.sets.push_back(*v);
    } else if (a == "--junit") {
      auto v = value("--junit");
      if (!v || v->empty()) return usage_error("--junit needs a file");
      junit = *v;
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a == "--no-expect") {
      no_expect = true;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + a);
    } else if (file.empty()) {
      file = a;
    } else {
      return usage_error("one scenario at a time (got " + file + " and " + a + ")");
    }
  }
  if (file.empty()) return usage_error("missing SCENARIO.json");

  // With --junit, CI gets a report even when the input is bad or the run fails.
  auto junit_error = [&](const std::string& message) {
    std::string err;
    if (!junit.empty() &&
        !junit::write_junit_file(junit, "netsim run", {junit::error_suite(file, "netsim.run", message)}, &err))
      std::fprintf(stderr, "netsim run: %s\n", err.c_str());
  };

  scenario::Scenario sc;
  try {
    sc = scenario::load_scenario(file, load);
  } catch (const sim::config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    junit_error(e.what());
    return 2;
  }
  if (out_dir.empty()) out_dir = scenario::default_out_dir(sc);

  scenario::RunOptions opts;
  opts.out_dir = out_dir;
  opts.no_expect = no_expect;
  opts.netsim_version = kVersion;
  opts.kernel_version = kKernelVersion;
  opts.argv = {"netsim", "run"};
  opts.argv.insert(opts.argv.end(), args.begin(), args.end());
  opts.extra_outputs = {"report.html"};
  const bool bar = !quiet && isatty(STDERR_FILENO);
  if (bar) opts.progress = draw_progress;

  scenario::RunOutput out;
  try {
    out = scenario::run_scenario(sc, opts);
  } catch (const std::exception& e) {
    if (bar) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "netsim run: %s: run failed: %s\n", file.c_str(), e.what());
    junit_error(std::string("run failed: ") + e.what());
    return 1;
  }
  if (bar) std::fputs("\r\033[K", stderr);
  std::string err;
  if (!report::write_report(out_dir, out.summary, &err)) {
    std::fprintf(stderr, "netsim run: %s: cannot write report.html: %s\n", file.c_str(), err.c_str());
    junit_error("cannot write report.html: " + err);
    return 1;
  }
  if (!junit.empty() && !junit::write_junit_file(junit, "netsim run", {junit::run_suite(out.summary)}, &err)) {
    std::fprintf(stderr, "netsim run: %s\n", err.c_str());
    return 1;
  }
  if (!quiet) {
    std::fputs(scenario::human_summary(out.summary, out_dir).c_str(), stdout);
  } else {
    for (const scenario::ExpectationResult& e : out.summary.expectations)
      if (!e.pass)
        std::printf("FAIL %s %s %s %s (measured %s)\n", e.target.c_str(), e.metric.c_str(), e.op.c_str(),
                    e.bound.c_str(), e.measured_text.c_str());
  }
  return scenario::expect_exit_code(out.summary);
}

}  // namespace netsim
