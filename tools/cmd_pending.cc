// TEMPORARY: placeholders for the subcommands other engineers are writing
// (cmd_sweep: sweeps). Delete this file and its line in tools/BUILD when
// tools/cmd_sweep.cc lands.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/commands.h"

namespace netsim {

int cmd_sweep(const std::vector<std::string>& args) {
  (void)args;
  std::fputs("netsim sweep: not implemented yet\n", stderr);
  return 2;
}

}  // namespace netsim
