// netsim check FILE.json: validates a scenario or a topology without running
// it. A scenario names a "topology" or has "apps"; anything else is read as a
// topology. Prints one line; exit 0 valid, 2 invalid.
#include <cstdio>
#include <string>
#include <vector>

#include "scenarios/runner/scenario.h"
#include "sim/config/config_error.h"
#include "tools/commands.h"

namespace netsim {

namespace {
constexpr const char* kUsage =
    "usage: netsim check FILE.json\n"
    "\n"
    "Validates a scenario (scenarios/README.md) or a topology (topologies/README.md)\n"
    "without running it; which one is decided by content (a scenario has \"topology\"\n"
    "or \"apps\"). Errors name the file, the JSON pointer and what was expected.\n"
    "\n"
    "exit codes: 0 valid, 2 invalid\n";
}  // namespace

int cmd_check(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args.size() != 1 || args[0].starts_with("-")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    const std::string kind = scenario::check_file(args[0]);
    std::printf("%s: valid %s\n", args[0].c_str(), kind.c_str());
    return 0;
  } catch (const sim::config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}

}  // namespace netsim
