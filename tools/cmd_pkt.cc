// `netsim pkt SCRIPT.pkt...`: packetdrill-language scripts against a
// simulated Linux host. The command lives in tools/pkt (pkt_command.h) so
// that its tests can run it in-process.
#include <iostream>
#include <string>
#include <vector>

#include "tools/commands.h"
#include "tools/pkt/pkt_command.h"

namespace netsim {

int cmd_pkt(const std::vector<std::string>& args) { return pkt::pkt_command(args, std::cout, std::cerr); }

}  // namespace netsim
