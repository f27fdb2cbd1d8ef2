// Standalone `netsim pkt` for development: the same command as
// `netsim pkt`, without the rest of the CLI.
#include <iostream>
#include <string>
#include <vector>

#include "tools/pkt/pkt_command.h"

int main(int argc, char** argv) {
  return pkt::pkt_command(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
