// netsim: the command-line front end. Each subcommand lives in its own file
// and takes the arguments after its name; this file only dispatches and
// prints the top-level usage.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tools/commands.h"

namespace {

constexpr const char* kUsage =
    "netsim: a discrete-event network simulator whose hosts run Linux 6.18's socket layer\n"
    "and TCP listen path (SYN queue, accept queue, SYN cookies, timers, nstat counters).\n"
    "\n"
    "usage: netsim COMMAND [ARGS...]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.json [--out DIR] [--seed N] [--set path=value ...] [--quiet]\n"
    "                    run a scenario; results in DIR (default out/<scenario name>/)\n"
    "  check FILE.json   validate a scenario or topology without running it\n"
    "  pkt SCRIPT.pkt... run packetdrill-language scripts against a simulated Linux host\n"
    "  sweep SCENARIO.json --param path=v1,v2,... [--jobs N]\n"
    "                    run a grid of variants in parallel; one CSV row per run\n"
    "\n"
    "  netsim COMMAND --help   details of one command\n"
    "  netsim --version        version and the Linux version the stack follows\n"
    "\n"
    "exit codes: 0 ok, 1 run or test failed, 2 bad input\n";

struct Command {
  const char* name;
  int (*fn)(const std::vector<std::string>& args);
};

constexpr Command kCommands[] = {
    {"run", netsim::cmd_run},
    {"check", netsim::cmd_check},
    {"pkt", netsim::cmd_pkt},
    {"sweep", netsim::cmd_sweep},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("netsim %s (stack follows Linux %s)\n", netsim::kVersion, netsim::kKernelVersion);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (cmd == c.name) return c.fn(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "netsim: unknown command '%s' (try 'netsim --help')\n", argv[1]);
  return 2;
}
