// UDP header (RFC 768): a plain struct, a strict parser and an emitter.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/wire/parse_result.h"

namespace sim::wire {

inline constexpr uint32_t kUdpHeaderLen = 8;
inline constexpr size_t kUdpChecksumOffset = 6;

struct UdpRepr {
  uint16_t sport = 0;
  uint16_t dport = 0;
  const uint8_t* payload = nullptr;  // points into the datagram
  uint32_t payload_len = 0;          // length field - 8
  bool has_checksum = true;          // parse: the field was nonzero; emit: compute one
};

// Strict parse of the datagram at p (n = IP payload length). The length
// field must be in [8, n]; bytes past it are ignored, as Linux's udp_rcv()
// trims them. A zero checksum field means the sender computed none (RFC 768)
// and is accepted; otherwise, if verify_csum, it must verify over the
// pseudo-header and `length` bytes. `out` is written only on kOk.
ParseResult parse_udp(const uint8_t* p, size_t n, uint32_t saddr, uint32_t daddr, UdpRepr& out,
                      bool verify_csum);

// Writes the 8-byte header (length = 8 + payload_len) with a zero checksum.
// Requires 8 + payload_len <= 65535.
void emit_udp_header(uint8_t* p, const UdpRepr& r);

// Checksum of the datagram at p (len bytes) over the IPv4 pseudo-header. A
// computed 0 is sent as 0xffff: 0 on the wire means "no checksum" (RFC 768).
void udp_fill_checksum(uint8_t* p, uint32_t len, uint32_t saddr, uint32_t daddr);

// Header, payload (copied unless already in place) and, if r.has_checksum,
// the checksum. Returns the datagram length.
uint32_t emit_udp(uint8_t* p, const UdpRepr& r, uint32_t saddr, uint32_t daddr);

}  // namespace sim::wire
