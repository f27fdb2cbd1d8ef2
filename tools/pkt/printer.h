// Canonical text of script elements, for runner messages ("expected
// > S. 0:0(0) ack 1 <mss 1460>, got ...") and for round-trip tests: printing
// a parsed script and parsing the result gives the same tree.
#pragma once

#include <cstdint>
#include <string>

#include "tools/pkt/ast.h"

namespace pkt {

// Seconds with no trailing zeros: 100000000 -> "0.1", 35000000000 -> "35".
std::string format_seconds(int64_t ns);

std::string to_string(const EventTime& time);      // "0", "+0.1", "*", "1~2", "+1~+2"
std::string to_string(const Expr& expr);           // "O_RDWR|O_NONBLOCK", "[1]", "{fd=3, events=POLLIN}"
std::string to_string(const TcpFlags& flags);      // "S.", "P.", ".", "-"
std::string to_string(const TcpOption& option);    // "mss 1460", "TS val 100 ecr 0"
std::string to_string(const Packet& packet);       // "< S 0:0(0) win 32792 <mss 1460>"
std::string to_string(const Syscall& call);        // "accept(3, ..., ...) = -1 EAGAIN (...)"
std::string to_string(const Event& event);         // time, blocking end, action
std::string to_string(const Script& script);       // one option, command or event per line

}  // namespace pkt
