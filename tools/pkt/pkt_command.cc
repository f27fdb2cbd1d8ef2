#include "tools/pkt/pkt_command.h"

#include <optional>

#include "tools/junit/junit_xml.h"
#include "tools/pkt/parser.h"
#include "tools/pkt/printer.h"
#include "tools/pkt/runner.h"
#include "tools/pkt/script_config.h"

namespace pkt {

namespace {

constexpr const char* kUsage =
    "usage: netsim pkt [OPTIONS] SCRIPT.pkt...\n"
    "\n"
    "Runs packetdrill-language scripts, each against a fresh simulated Linux 6.18 host\n"
    "(local 192.168.0.2 on tun0, peer 192.0.2.1 via gateway 192.168.0.1), in simulated\n"
    "time. Prints PASS or FAIL per script, then 'N passed, N failed'.\n"
    "\n"
    "options:\n"
    "  --junit FILE       also write a JUnit XML report to FILE\n"
    "  --verbose, -v      trace every event and packet to stderr\n"
    "  --NAME[=VALUE]     a script option for every script, overriding the script's own:\n"
    "                     --tolerance_usecs=N, --tolerance_percent=P (default: exact timing),\n"
    "                     --local_ip=A, --remote_ip=A, --mss=N, --mtu=N, --ip_version=ipv4,\n"
    "                     --bind_port=N, --connect_port=N, --tcp_ts_ecr_scaled, ...\n"
    "\n"
    "exit codes: 0 all passed, 1 any failed, 2 bad input (nothing is run)\n";

// "tests/conformance/a.pkt" -> "a"
std::string stem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

struct Loaded {
  std::string path;
  Script script;
  ScriptConfig config;
  Tolerance tolerance;
};

}  // namespace

int pkt_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> paths;
  std::vector<Option> options;
  std::optional<std::string> junit;
  bool verbose = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return 0;
    }
    if (a == "--verbose" || a == "-v") {
      verbose = true;
    } else if (a == "--junit" || a.rfind("--junit=", 0) == 0) {
      if (a == "--junit") {
        if (i + 1 == args.size()) {
          err << "netsim pkt: --junit needs a file name\n";
          return 2;
        }
        junit = args[++i];
      } else {
        junit = a.substr(8);
      }
    } else if (a.rfind("--", 0) == 0) {
      std::optional<Option> o = parse_option_arg(a);
      if (!o) {
        err << "netsim pkt: bad option '" << a << "'\n";
        return 2;
      }
      options.push_back(std::move(*o));
    } else if (a.size() > 1 && a[0] == '-') {
      err << "netsim pkt: unknown option '" << a << "' (try 'netsim pkt --help')\n";
      return 2;
    } else {
      paths.push_back(a);
    }
  }
  // Command-line options are checked once, before any file is read.
  ScriptConfig checked;
  for (const Option& o : options) {
    if (std::optional<std::string> e = apply_option(checked, o)) {
      err << "command line: " << *e << "\n";
      return 2;
    }
  }
  if (paths.empty()) {
    err << "netsim pkt: no script given\n" << kUsage;
    return 2;
  }

  // Everything is parsed before anything runs: bad input means no results.
  std::vector<Loaded> loaded;
  bool bad = false;
  for (const std::string& path : paths) {
    ParseResult r = parse_script_file(path);
    if (!r.ok()) {
      err << r.error->to_string() << "\n";
      bad = true;
      continue;
    }
    ConfigResult c = resolve_config(*r.script, options);
    if (c.error) {
      err << *c.error << "\n";
      bad = true;
      continue;
    }
    const Tolerance tol = resolve_tolerance(*r.script, options, c.config);
    loaded.push_back(Loaded{path, std::move(*r.script), c.config, tol});
  }
  if (bad) return 2;

  netsim::junit::TestSuite suite;
  suite.name = "netsim pkt";
  int passed = 0, failed = 0;
  for (const Loaded& l : loaded) {
    RunOptions ro;
    if (verbose) {
      ro.trace = &err;
      err << "== " << l.path << "\n";
    }
    const ScriptOutcome o = run_script(l.script, l.config, l.tolerance, ro);
    netsim::junit::TestCase tc;
    tc.name = l.path;
    tc.classname = "netsim.pkt." + stem(l.path);
    if (o.passed) {
      ++passed;
      out << "PASS " << l.path << "\n";
    } else {
      ++failed;
      const std::string msg = "line " + std::to_string(o.line) + ": " + o.message;
      out << "FAIL " << l.path << ": " << msg << "\n";
      tc.outcome = netsim::junit::Outcome::kFailed;
      tc.type = "packetdrill";
      tc.message = msg;
      tc.detail = l.path + ":" + std::to_string(o.line) + ": " + o.message;
    }
    if (verbose)
      err << "   simulated " << format_seconds(o.sim_ns) << " s, " << o.sim_events << " simulator events\n";
    suite.cases.push_back(std::move(tc));
  }
  out << passed << " passed, " << failed << " failed\n";
  out.flush();

  if (junit) {
    std::string werr;
    if (!netsim::junit::write_junit_file(*junit, "netsim pkt", {suite}, &werr)) {
      err << "netsim pkt: " << werr << "\n";
      return 2;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace pkt
