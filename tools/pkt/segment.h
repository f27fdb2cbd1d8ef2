// TCP segments between the script and the wire: building the bytes of an
// inbound script packet, reading an outbound live packet, mapping it into
// script space and comparing it with the script line, the way packetdrill's
// map_inbound_packet(), tcp_convert_seq_number(), map_outbound_live_packet()
// and verify_outbound_live_*() do (run_packet.c; LANGUAGE.md sections 3-4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/pkt/ast.h"
#include "tools/pkt/peer.h"

namespace pkt {

// A TCP/IPv4 segment as plain values (no pointers into a buffer), in either
// direction and in either sequence space.
struct WireSegment {
  uint32_t saddr = 0, daddr = 0;  // host order
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;      // sim::wire::TCPHDR_*
  uint8_t reserved = 0;   // the 4 bits before the flags (AccECN's AE is the lowest)
  uint16_t window = 0;
  uint16_t urg = 0;
  uint8_t doff_bytes = 20;
  std::vector<uint8_t> options;  // raw, wire order
  uint32_t payload_len = 0;
  bool payload_zero = true;      // every payload byte is 0 (scripts only write zeros)
  uint8_t ip_ihl_bytes = 20;
  uint16_t ip_total_len = 0;
};

// The option bytes of a script option list (at most 40 bytes; the parser
// has checked that they fit and are 4-byte aligned).
std::vector<uint8_t> encode_options(const std::vector<TcpOption>& options);

// Parses an outbound packet (skb->data at the IPv4 header). Checks both
// checksums: the simulated host has no offload, so a bad one is a bug.
// nullopt, with *error, for anything that is not a well-formed TCP/IPv4
// packet; *is_tcp tells a non-TCP packet apart from a broken one.
std::optional<WireSegment> parse_outbound(const std::vector<uint8_t>& ip_packet, bool* is_tcp, std::string* error);

// The live bytes of an inbound script packet for connection `s`
// (map_inbound_packet()): the connection's live tuple with any explicit
// port kept, seq/ack/SACK mapped, TS ecr replaced by the live TS val it
// echoes, zero payload. `ts_ecr_scaled` is --tcp_ts_ecr_scaled.
struct InboundPacket {
  std::vector<uint8_t> bytes;  // IPv4 header onwards, checksums filled
  std::string error;           // set when the packet cannot be built
};
InboundPacket build_inbound(const TrackedSocket& s, const TcpSegment& script, bool ts_ecr_scaled);

// Rewrites an outbound live segment into script space for connection `s`
// (tcp_convert_seq_number() then map_outbound_live_packet()): seq, ack and
// SACK blocks become relative, and the TS val is expressed against the
// first (script, live) pair. When both the script and the packet carry a
// timestamp, the pair is recorded first, so later inbound ecr values can
// name it.
WireSegment to_script_space(TrackedSocket& s, const WireSegment& live, const TcpSegment& script);

// Compares an outbound segment already in script space with the script
// line: flags, seq, ack, window when written, urgent pointer, data offset,
// option kinds, lengths and values (except timestamps, unless ts_tolerance
// is set), payload length and bytes. Returns the first difference, e.g.
// "flags: expected S., got R.", or nullopt when they match.
struct TsCheck {
  int64_t tick_usecs = 0;       // --tcp_ts_tick_usecs; 0: TS val not checked
  int64_t tolerance_usecs = 0;  // allowed drift of the TS val, in usecs
};
std::optional<std::string> compare_outbound(const TcpSegment& script, const WireSegment& actual,
                                            const TsCheck& ts = {});

// packetdrill-style text of a segment in script space, e.g.
// "> S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>". The window is
// always shown, the ack only with the ACK flag, like tcpdump.
std::string format_segment(const WireSegment& seg, Direction dir);

}  // namespace pkt
