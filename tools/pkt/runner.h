// Runs one parsed packetdrill script against a fresh simulated host (see
// sim_host.h) with the scripted peer (peer.h), in simulated time: a script
// that spans 70 s of timers finishes in milliseconds, and the same script
// always gives the same outcome. RUNNER.md describes the semantics and where
// they differ from packetdrill.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tools/pkt/ast.h"
#include "tools/pkt/script_config.h"
#include "tools/pkt/timing.h"

namespace pkt {

// The local address when the script does not set --local_ip. packetdrill
// draws a random one in 192.168.0.0/16; scripts never depend on it.
inline constexpr const char* kDefaultLocalIp = "192.168.0.2";

struct RunOptions {
  uint64_t seed = 1;               // the simulated kernel's random streams
  std::ostream* trace = nullptr;   // if set: one line per event and per packet
};

struct ScriptOutcome {
  bool passed = false;
  // On failure: the script line it is about (the event that failed, or the
  // one whose wait saw an unexpected packet) and what went wrong, e.g.
  // "expected > S. 0:0(0) ack 1 <mss 1460> at 0.1 s got > R. 0:0(0) ack 1 win 0 at 0.1 s
  //  (flags: expected S., got R.)".
  int line = 0;
  std::string message;
  // Figures for the curious: simulated time covered and simulator events.
  int64_t sim_ns = 0;
  uint64_t sim_events = 0;
};

// The timing tolerance of a run: --tolerance_usecs and --tolerance_percent
// as given in the script or on the command line; each one not given is 0
// (exact), because the simulator is deterministic.
Tolerance resolve_tolerance(const Script& script, const std::vector<Option>& command_line,
                            const ScriptConfig& config);

ScriptOutcome run_script(const Script& script, const ScriptConfig& config, const Tolerance& tolerance,
                         const RunOptions& options = {});

}  // namespace pkt
