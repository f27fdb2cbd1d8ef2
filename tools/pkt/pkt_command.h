// `netsim pkt`: parse every script given, run each against a fresh simulated
// host, print one line per script and a closing count.
//
//   PASS tests/conformance/listen_backlog_zero.pkt
//   FAIL x.pkt: line 12: expected > S. 0:0(0) ack 1 <mss 1460> at 0.1 s got no packet by 0.1 s
//   1 passed, 1 failed
//
// Exit code: 0 all passed, 1 any failed, 2 bad input (an unreadable or
// unparsable script, a bad option): then nothing is run, and the errors go
// to `err` as "file:line:column: message".
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace pkt {

int pkt_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace pkt
