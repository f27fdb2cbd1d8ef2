// The netsim subcommands. Each takes the arguments after its name and
// returns the process exit code (0 ok, 1 failed, 2 bad input).
#pragma once

#include <string>
#include <vector>

namespace netsim {

inline constexpr const char* kVersion = "0.1.0";
inline constexpr const char* kKernelVersion = "6.18";

int cmd_run(const std::vector<std::string>& args);
int cmd_check(const std::vector<std::string>& args);
int cmd_pkt(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);

}  // namespace netsim
