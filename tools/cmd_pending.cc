// TEMPORARY: placeholders for the subcommands other engineers are writing
// (cmd_pkt: the packetdrill runner; cmd_sweep: sweeps). Delete this file and
// its line in tools/BUILD when tools/cmd_pkt.cc and tools/cmd_sweep.cc land.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/commands.h"

namespace netsim {

int cmd_pkt(const std::vector<std::string>& args) {
  (void)args;
  std::fputs("netsim pkt: not implemented yet\n", stderr);
  return 2;
}

int cmd_sweep(const std::vector<std::string>& args) {
  (void)args;
  std::fputs("netsim sweep: not implemented yet\n", stderr);
  return 2;
}

}  // namespace netsim
