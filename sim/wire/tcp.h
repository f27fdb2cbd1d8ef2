// TCP header (RFC 9293 section 3.1): a plain struct, a strict parser and an
// emitter. Options and payload are not copied: TcpRepr points into the
// packet it was parsed from (or, for emit, at bytes the caller owns).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/wire/parse_result.h"

namespace sim::wire {

// Flag bits of header byte 13, with Linux's names (include/net/tcp.h).
inline constexpr uint8_t TCPHDR_FIN = 0x01;
inline constexpr uint8_t TCPHDR_SYN = 0x02;
inline constexpr uint8_t TCPHDR_RST = 0x04;
inline constexpr uint8_t TCPHDR_PSH = 0x08;
inline constexpr uint8_t TCPHDR_ACK = 0x10;
inline constexpr uint8_t TCPHDR_URG = 0x20;
inline constexpr uint8_t TCPHDR_ECE = 0x40;
inline constexpr uint8_t TCPHDR_CWR = 0x80;
// Lowest of the four bits after the data offset: AccECN's AE flag.
inline constexpr uint8_t TCPHDR_AE_RES = 0x01;

inline constexpr uint32_t kTcpHeaderLen = 20;      // without options
inline constexpr uint32_t kTcpMaxOptionsLen = 40;  // doff is 4 bits: 60 - 20
inline constexpr size_t kTcpChecksumOffset = 16;

struct TcpRepr {
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;     // TCPHDR_*
  uint8_t reserved = 0;  // the 4 bits between data offset and flags (TCPHDR_AE_RES)
  uint16_t window = 0;   // as on the wire, not scaled
  uint16_t urg = 0;
  uint8_t doff_bytes = kTcpHeaderLen;  // parse: header length; emit: ignored (20 + padded options)
  const uint8_t* options = nullptr;    // raw option bytes, wire order
  uint8_t options_len = 0;
  const uint8_t* payload = nullptr;
  uint32_t payload_len = 0;
};

// Strict parse of the segment at p; n is the whole segment (IP payload:
// total_len - ihl). Checks, in the order tcp_v4_rcv() does: the fixed header
// is there, 5 <= doff and the header fits, then (if verify_csum) the checksum
// over the pseudo-header and all n bytes. Addresses are host order.
//
// Options are *not* validated here: Linux's tcp_parse_options() stops at a
// malformed option and still processes the segment, so rejecting it would
// drop segments Linux accepts. Walk them with TcpOptIter, or check them
// strictly with check_tcp_options(). `out` is written only on kOk.
ParseResult parse_tcp(const uint8_t* p, size_t n, uint32_t saddr, uint32_t daddr, TcpRepr& out,
                      bool verify_csum);

// The header length emit_tcp_header() writes for r: 20 + options rounded up to 4.
inline uint32_t tcp_header_len(const TcpRepr& r) { return kTcpHeaderLen + ((r.options_len + 3u) & ~3u); }

// Writes the header and options at p with a zero checksum field and returns
// the header length. Options shorter than a multiple of 4 are padded with
// zero bytes (End of Option List, RFC 9293 section 3.1); callers that want
// NOP padding, as Linux writes it, add the NOPs themselves.
// r.payload is not touched. Requires options_len <= kTcpMaxOptionsLen.
uint32_t emit_tcp_header(uint8_t* p, const TcpRepr& r);

// Computes and stores the checksum of the segment at p (header followed by
// payload, len bytes in total) over the IPv4 pseudo-header.
void tcp_fill_checksum(uint8_t* p, uint32_t len, uint32_t saddr, uint32_t daddr);
bool tcp_checksum_ok(const uint8_t* p, size_t len, uint32_t saddr, uint32_t daddr);

// Header, options, payload (copied from r.payload unless it is already in
// place right after the header) and checksum. Returns the segment length.
uint32_t emit_tcp(uint8_t* p, const TcpRepr& r, uint32_t saddr, uint32_t daddr);

// Sequence space a segment occupies: payload, plus one each for SYN and FIN.
inline uint32_t tcp_seq_len(const TcpRepr& r) {
  return r.payload_len + ((r.flags & TCPHDR_SYN) ? 1 : 0) + ((r.flags & TCPHDR_FIN) ? 1 : 0);
}

}  // namespace sim::wire
