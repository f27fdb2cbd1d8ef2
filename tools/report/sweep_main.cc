// `netsim sweep`: see sweep_main.h. The CLI entry point (tools/cmd_sweep.cc)
// only forwards to sweep_main().
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/runner/scenario.h"
#include "sim/config/config_error.h"
#include "tools/junit/junit_xml.h"
#include "tools/junit/run_suite.h"
#include "tools/report/page.h"
#include "tools/report/sweep_html.h"
#include "tools/report/sweep_main.h"
#include "tools/report/sweep_table.h"

extern char** environ;

namespace netsim::report {

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: netsim sweep SCENARIO.json --param PATH=V1,V2,... [--param ...] [--jobs N]\n"
    "                    [--out DIR] [--junit FILE] [--seed N] [--set PATH=VALUE ...] [--no-expect]\n"
    "\n"
    "Runs every combination of the parameter values (the first --param varies slowest),\n"
    "each as `netsim run SCENARIO --set PATH=VALUE ...`, N runs in parallel, and writes\n"
    "into DIR (default out/<scenario name>-sweep/):\n"
    "  sweep.csv    one row per run in grid order: the parameters, the exit status and\n"
    "               the headline metrics (per client group, listener and listening host)\n"
    "  sweep.html   those metrics plotted against the parameters, and the table\n"
    "  runs/NNN/    each run's own outputs (summary.json, report.html, ...); runs/NNN.log\n"
    "               its stdout and stderr\n"
    "\n"
    "  --param PATH=V1,V2,...  PATH as for `netsim run --set`; commas inside [], {} or\n"
    "                     quotes do not split values: --param apps/0/backlog=8,128,1024\n"
    "  --jobs N           runs at a time (default: the number of CPUs this process may use)\n"
    "  --out DIR          output directory\n"
    "  --junit FILE       JUnit XML: one suite per run, one test case per expectation\n"
    "  --seed N, --set PATH=VALUE, --no-expect   passed to every run\n"
    "\n"
    "exit codes: 0 every run passed, 1 a run failed or an expectation failed, 2 bad input\n";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "netsim sweep: %s\n%s", msg.c_str(), kUsage);
  return 2;
}

int default_jobs() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The last lines of a run's log: why it failed, for the table and JUnit.
std::string log_tail(const std::string& path, size_t max_lines = 15) {
  const std::string text = read_file(path);
  std::deque<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    lines.push_back(l);
    if (lines.size() > max_lines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out.empty() ? "(no output)\n" : out;
}

struct Options {
  std::string file;
  std::vector<SweepParam> params;
  int jobs = 0;
  std::string out_dir;
  std::string junit;
  std::optional<uint64_t> seed;
  std::vector<std::string> sets;
  bool no_expect = false;
};

// Returns an exit code when the arguments end the command (help, error).
std::optional<int> parse_args(const std::vector<std::string>& args, Options* o) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--param") {
      const auto v = value();
      if (!v) return usage_error("--param needs PATH=V1,V2,...");
      SweepParam p;
      std::string err;
      if (!parse_sweep_param(*v, &p, &err)) return usage_error(err);
      for (const SweepParam& q : o->params) {
        if (q.path == p.path) return usage_error("--param " + p.path + " given twice");
      }
      o->params.push_back(std::move(p));
    } else if (a == "--jobs" || a == "-j") {
      const auto v = value();
      int n = 0;
      if (!v) return usage_error("--jobs needs a number");
      const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
      if (ec != std::errc() || end != v->data() + v->size() || n < 1 || n > 4096) {
        return usage_error("--jobs expects a number from 1 to 4096, got \"" + *v + "\"");
      }
      o->jobs = n;
    } else if (a == "--out") {
      const auto v = value();
      if (!v || v->empty()) return usage_error("--out needs a directory");
      o->out_dir = *v;
    } else if (a == "--junit") {
      const auto v = value();
      if (!v || v->empty()) return usage_error("--junit needs a file name");
      o->junit = *v;
    } else if (a == "--seed") {
      const auto v = value();
      uint64_t seed = 0;
      if (!v) return usage_error("--seed needs a number");
      const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), seed);
      if (ec != std::errc() || end != v->data() + v->size() || seed > INT64_MAX) {
        return usage_error("--seed expects a non-negative integer, got \"" + *v + "\"");
      }
      o->seed = seed;
    } else if (a == "--set") {
      const auto v = value();
      if (!v) return usage_error("--set needs PATH=VALUE");
      o->sets.push_back(*v);
    } else if (a == "--no-expect") {
      o->no_expect = true;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + a);
    } else if (o->file.empty()) {
      o->file = a;
    } else {
      return usage_error("one scenario at a time (got " + o->file + " and " + a + ")");
    }
  }
  if (o->file.empty()) return usage_error("missing SCENARIO.json");
  if (o->params.empty()) return usage_error("nothing to sweep: give at least one --param");
  if (o->jobs == 0) o->jobs = default_jobs();
  return std::nullopt;
}

std::string run_dir_name(size_t index, size_t count) {
  const int width = std::max<int>(3, static_cast<int>(std::to_string(count - 1).size()));
  std::string s = std::to_string(index);
  return "runs/" + std::string(static_cast<size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

// Starts `netsim run` for one grid point with stdout and stderr in its log.
pid_t spawn_run(const std::string& exe, const Options& o, const std::vector<std::string>& point_sets,
                const std::string& run_dir, const std::string& log_path) {
  std::vector<std::string> argv = {exe, "run", o.file, "--out", run_dir, "--quiet"};
  if (o.seed) {
    argv.push_back("--seed");
    argv.push_back(std::to_string(*o.seed));
  }
  if (o.no_expect) argv.push_back("--no-expect");
  for (const auto& s : o.sets) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  for (const auto& s : point_sets) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

const char* outcome_word(const SweepRun& r) {
  if (r.exit_code == 0) return "passed";
  if (r.exit_code == 1 && r.summary) return "expectations failed";
  return "error";
}

}  // namespace

int sweep_main(const std::vector<std::string>& args, const std::string& run_exe) {
  Options o;
  if (const auto rc = parse_args(args, &o)) return *rc;

  const std::vector<std::vector<std::string>> grid = sweep_grid(o.params);
  // Validate every variant first: a bad value anywhere stops the sweep
  // before any run starts or any file is written.
  std::string name;
  for (size_t i = 0; i < grid.size(); ++i) {
    scenario::LoadOptions load;
    load.sets = o.sets;
    const auto point_sets = sweep_sets(o.params, grid[i]);
    load.sets.insert(load.sets.end(), point_sets.begin(), point_sets.end());
    load.seed = o.seed;
    try {
      const scenario::Scenario sc = scenario::load_scenario(o.file, load);
      if (i == 0) name = sc.name;
    } catch (const sim::config::ConfigError& e) {
      std::fprintf(stderr, "netsim sweep: run %zu (%s): %s\n", i,
                   sweep_point_label(o.params, grid[i]).c_str(), e.what());
      return 2;
    }
  }
  if (o.out_dir.empty()) o.out_dir = "out/" + name + "-sweep";
  const std::string exe = run_exe.empty() ? self_exe() : run_exe;
  if (exe.empty()) {
    std::fputs("netsim sweep: cannot find this program's own path (/proc/self/exe)\n", stderr);
    return 1;
  }
  std::error_code ec;
  fs::create_directories(o.out_dir + "/runs", ec);
  if (ec) {
    std::fprintf(stderr, "netsim sweep: cannot create %s/runs: %s\n", o.out_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }

  std::vector<SweepRun> runs(grid.size());
  std::map<pid_t, size_t> running;
  size_t next = 0, done = 0;
  int failures = 0;
  auto finish = [&](pid_t pid, int status) {
    const auto it = running.find(pid);
    if (it == running.end()) return;
    SweepRun& r = runs[it->second];
    running.erase(it);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                                    : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    const std::string abs_dir = o.out_dir + "/" + r.dir;
    if (r.exit_code == 0 || r.exit_code == 1) {
      const std::string text = read_file(abs_dir + "/summary.json");
      auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!j.is_discarded() && j.is_object()) r.summary = std::move(j);
    }
    if (!r.summary) r.error = log_tail(abs_dir + ".log");
    if (!(r.exit_code == 0 && r.summary)) ++failures;
    ++done;
    std::fprintf(stderr, "[%zu/%zu] %s %s: %s", done, runs.size(), r.dir.c_str(),
                 sweep_point_label(o.params, r.point).c_str(), outcome_word(r));
    if (!r.summary) std::fprintf(stderr, " (exit %d; see %s.log)", r.exit_code, abs_dir.c_str());
    std::fputs("\n", stderr);
  };
  while (done < runs.size()) {
    while (next < runs.size() && running.size() < static_cast<size_t>(o.jobs)) {
      SweepRun& r = runs[next];
      r.point = grid[next];
      r.dir = run_dir_name(next, runs.size());
      const std::string abs_dir = o.out_dir + "/" + r.dir;
      fs::remove_all(abs_dir, ec);  // a stale summary.json must not pass for this run's
      const pid_t pid = spawn_run(exe, o, sweep_sets(o.params, r.point), abs_dir,
                                  abs_dir + ".log");
      if (pid < 0) {
        r.error = std::string("cannot start ") + exe + ": " + std::strerror(errno);
        ++failures;
        ++done;
        std::fprintf(stderr, "[%zu/%zu] %s: %s\n", done, runs.size(), r.dir.c_str(), r.error.c_str());
      } else {
        running[pid] = next;
      }
      ++next;
    }
    if (running.empty()) continue;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "netsim sweep: waitpid: %s\n", std::strerror(errno));
      return 1;
    }
    finish(pid, status);
  }

  std::string err;
  const SweepTable table = sweep_table(o.params, runs);
  const std::string csv_path = o.out_dir + "/sweep.csv";
  const std::string html_path = o.out_dir + "/sweep.html";
  if (!write_file_atomically(csv_path, sweep_csv(table), &err) ||
      !write_file_atomically(html_path, sweep_html(o.file, o.params, runs), &err)) {
    std::fprintf(stderr, "netsim sweep: %s\n", err.c_str());
    return 1;
  }
  if (!o.junit.empty()) {
    std::vector<junit::TestSuite> suites;
    const std::string base = "netsim.sweep." + name;
    for (const SweepRun& r : runs) {
      const std::string label = r.dir + " (" + sweep_point_label(o.params, r.point) + ")";
      const std::string classname = base + "." + r.dir.substr(r.dir.find('/') + 1);
      junit::TestSuite s;
      if (r.summary) {
        s = junit::run_suite_json(*r.summary);
        for (auto& tc : s.cases) tc.classname = classname;
        if (r.exit_code != 0 && s.cases.size() == 1 && s.cases[0].outcome == junit::Outcome::kPassed &&
            s.cases[0].name == "run completed") {
          s.cases[0].outcome = junit::Outcome::kError;
          s.cases[0].message = "netsim run exited with " + std::to_string(r.exit_code);
        }
      } else {
        s = junit::error_suite(label, classname,
                               "netsim run exited with " + std::to_string(r.exit_code));
        s.cases[0].detail = r.error;
      }
      s.name = label;
      for (size_t i = 0; i < o.params.size(); ++i) s.properties.emplace_back(o.params[i].path, r.point[i]);
      suites.push_back(std::move(s));
    }
    if (!junit::write_junit_file(o.junit, "netsim sweep", suites, &err)) {
      std::fprintf(stderr, "netsim sweep: %s\n", err.c_str());
      return 1;
    }
  }
  size_t passed = 0, expect_failed = 0, errors = 0;
  for (const SweepRun& r : runs) {
    const std::string w = outcome_word(r);
    if (w == "passed") {
      ++passed;
    } else if (w == "error") {
      ++errors;
    } else {
      ++expect_failed;
    }
  }
  std::printf("sweep: %zu runs (%d at a time): %zu passed, %zu failed expectations, %zu errors\n",
              runs.size(), o.jobs, passed, expect_failed, errors);
  std::printf("  %s\n  %s\n", csv_path.c_str(), html_path.c_str());
  if (!o.junit.empty()) std::printf("  %s\n", o.junit.c_str());
  return failures > 0 ? 1 : 0;
}

}  // namespace netsim::report
