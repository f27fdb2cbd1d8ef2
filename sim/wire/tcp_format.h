// TCP segments as text, in the notation packetdrill scripts and tcpdump use:
//   S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 5 ecr 100,nop,wscale 7>
// so that test failures and traces read like the tools people already know.
// Not for the per-packet hot path (it allocates a string).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/wire/tcp.h"

namespace sim::wire {

// Flags in tcpdump's order: F S R P . U E W, then A for AccECN's AE bit
// (taken from `reserved`). No flag at all prints "none".
std::string format_tcp_flags(uint8_t flags, uint8_t reserved = 0);

// The option list without the angle brackets: "mss 1460,sackOK,nop,wscale 7".
// SACK edges are printed minus ack_base (they live in the acknowledgment
// space). A malformed block ends with "[bad opt]" after the options that
// could be read.
std::string format_tcp_options(const uint8_t* p, size_t n, uint32_t ack_base = 0);

// The whole segment. seq_base/ack_base are subtracted from the sequence and
// acknowledgment numbers to print relative values (packetdrill style: pass
// the sender's ISN and the receiver's ISN); 0 prints absolute numbers.
// "ack N" appears only with ACK set, "urg N" only with URG set, the option
// list only when there are options.
std::string format_tcp(const TcpRepr& r, uint32_t seq_base = 0, uint32_t ack_base = 0);

}  // namespace sim::wire
