// IPv4 header (RFC 791): a plain struct, a strict parser and an emitter.
// Parse once into Ipv4Repr; code above this layer never touches header bytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/wire/parse_result.h"

namespace sim::wire {

inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;

inline constexpr uint32_t kIpv4HeaderLen = 20;      // without options
inline constexpr uint32_t kIpv4MaxHeaderLen = 60;

struct Ipv4Repr {
  uint32_t saddr = 0;  // host byte order
  uint32_t daddr = 0;  // host byte order
  uint8_t protocol = 0;
  uint8_t ttl = 64;    // Linux's net.ipv4.ip_default_ttl
  uint8_t tos = 0;
  uint16_t id = 0;
  bool df = true;      // Linux sets DF on TCP (path MTU discovery on by default)
  uint16_t total_len = 0;   // header + payload
  uint8_t ihl_bytes = kIpv4HeaderLen;  // parse: header length incl. options; emit: ignored (always 20)
};

// Strict parse of the header at p, with n bytes available (n may exceed
// total_len, e.g. link padding: bytes past total_len are not the packet's).
// Checks, in the order Linux's ip_rcv_core() does: version 4, ihl >= 5, the
// header fits, header checksum, then total_len within [ihl, n]. Fragments are
// rejected (SIM: the simulator neither fragments nor reassembles).
// `out` is written only on kOk. Options (if any) are at p + 20.
ParseResult parse_ipv4(const uint8_t* p, size_t n, Ipv4Repr& out);

// Writes a 20-byte header (no options) with its checksum at p. Uses every
// field of r except ihl_bytes; total_len must already count the payload.
void emit_ipv4(uint8_t* p, const Ipv4Repr& r);

// Offsets of fields a forwarding path rewrites in place.
inline constexpr size_t kIpv4TtlOffset = 8;
inline constexpr size_t kIpv4ChecksumOffset = 10;

}  // namespace sim::wire
