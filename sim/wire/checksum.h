// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's
// complement sum of the data taken as 16-bit big-endian words.
//
// A running sum is kept as a CsumAcc: an unfolded sum in the host's *native*
// byte order. RFC 1071 section 2(B) shows the sum does not depend on byte
// order as long as it is swapped once at the end, so the hot loop loads words
// with plain native loads and csum_fold() swaps once. Values that cross the
// API (folded sums, checksums) are host-order numbers: 0xb861 is the header
// field whose bytes on the wire are b8 61; store them with store_be16().
//
// Chaining: csum_add() may be called several times on consecutive pieces of
// one datagram, provided every piece except the last has even length (as
// with TCP/UDP: the header length is a multiple of 4, the payload follows).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/wire/bytes.h"

namespace sim::wire {

using CsumAcc = uint64_t;

// Adds n bytes starting at p. Processes 16 bytes per step.
CsumAcc csum_add(CsumAcc acc, const uint8_t* p, size_t n);

// Adds one 16-bit host-order word (e.g. a header field taken as a number).
inline CsumAcc csum_add16(CsumAcc acc, uint16_t host_word) { return acc + hton16(host_word); }
// Adds one 32-bit host-order word (its two 16-bit halves, in effect).
inline CsumAcc csum_add32(CsumAcc acc, uint32_t host_word) { return acc + hton32(host_word); }

// The folded 16-bit one's complement sum, host order.
inline uint16_t csum_fold(CsumAcc acc) {
  acc = (acc & 0xffffffffu) + (acc >> 32);  // < 2^33
  acc = (acc & 0xffffu) + (acc >> 16);      // < 2^17 + 2^16
  acc = (acc & 0xffffu) + (acc >> 16);      // <= 0xffff + 2
  acc = (acc & 0xffffu) + (acc >> 16);      // <= 0xffff
  return ntoh16(static_cast<uint16_t>(acc));
}

// The value to put in a checksum field: the complement of the folded sum.
inline uint16_t csum_finish(CsumAcc acc) { return static_cast<uint16_t>(~csum_fold(acc)); }

// A datagram whose checksum field is included in the sum is intact when the
// folded sum is all ones (RFC 1071 section 1, "To check a checksum").
inline bool csum_is_valid(CsumAcc acc) { return csum_fold(acc) == 0xffff; }

// The IPv4 pseudo-header of TCP and UDP (RFC 9293 section 3.1, RFC 768):
// source, destination, zero, protocol, and the transport length. Addresses
// are host order.
inline CsumAcc csum_pseudo_ipv4(CsumAcc acc, uint32_t saddr, uint32_t daddr, uint8_t protocol,
                                uint16_t transport_len) {
  acc += hton32(saddr);
  acc += hton32(daddr);
  acc += hton16(protocol);
  acc += hton16(transport_len);
  return acc;
}

// The checksum of n bytes in one call, host order.
inline uint16_t internet_checksum(const uint8_t* p, size_t n) { return csum_finish(csum_add(0, p, n)); }

// Incremental update of a checksum field when one 16-bit word of the covered
// data changes from old_word to new_word (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')).
// All values host order. Used when a forwarding node decrements the TTL.
inline uint16_t csum_replace16(uint16_t check, uint16_t old_word, uint16_t new_word) {
  uint32_t s = static_cast<uint16_t>(~check);
  s += static_cast<uint16_t>(~old_word);
  s += new_word;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}

}  // namespace sim::wire
