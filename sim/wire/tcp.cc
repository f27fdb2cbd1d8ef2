#include "sim/wire/tcp.h"

#include <cassert>
#include <cstring>

#include "sim/wire/bytes.h"
#include "sim/wire/checksum.h"
#include "sim/wire/ipv4.h"

namespace sim::wire {

ParseResult parse_tcp(const uint8_t* p, size_t n, uint32_t saddr, uint32_t daddr, TcpRepr& out,
                      bool verify_csum) {
  if (n < kTcpHeaderLen) return ParseResult::kTruncated;
  const uint32_t doff_bytes = (p[12] >> 4) * 4u;
  if (doff_bytes < kTcpHeaderLen || doff_bytes > n) return ParseResult::kTcpBadDoff;
  if (verify_csum && !tcp_checksum_ok(p, n, saddr, daddr)) return ParseResult::kTcpBadChecksum;

  out.sport = load_be16(p);
  out.dport = load_be16(p + 2);
  out.seq = load_be32(p + 4);
  out.ack = load_be32(p + 8);
  out.reserved = p[12] & 0x0f;
  out.flags = p[13];
  out.window = load_be16(p + 14);
  out.urg = load_be16(p + 18);
  out.doff_bytes = static_cast<uint8_t>(doff_bytes);
  out.options = p + kTcpHeaderLen;
  out.options_len = static_cast<uint8_t>(doff_bytes - kTcpHeaderLen);
  out.payload = p + doff_bytes;
  out.payload_len = static_cast<uint32_t>(n - doff_bytes);
  return ParseResult::kOk;
}

uint32_t emit_tcp_header(uint8_t* p, const TcpRepr& r) {
  assert(r.options_len <= kTcpMaxOptionsLen);
  const uint32_t hlen = tcp_header_len(r);
  store_be16(p, r.sport);
  store_be16(p + 2, r.dport);
  store_be32(p + 4, r.seq);
  store_be32(p + 8, r.ack);
  p[12] = static_cast<uint8_t>(((hlen / 4) << 4) | (r.reserved & 0x0f));
  p[13] = r.flags;
  store_be16(p + 14, r.window);
  store_be16(p + 16, 0);
  store_be16(p + 18, r.urg);
  if (r.options_len) std::memcpy(p + kTcpHeaderLen, r.options, r.options_len);
  std::memset(p + kTcpHeaderLen + r.options_len, 0, hlen - kTcpHeaderLen - r.options_len);
  return hlen;
}

void tcp_fill_checksum(uint8_t* p, uint32_t len, uint32_t saddr, uint32_t daddr) {
  store_be16(p + kTcpChecksumOffset, 0);
  CsumAcc acc = csum_pseudo_ipv4(0, saddr, daddr, kIpProtoTcp, static_cast<uint16_t>(len));
  store_be16(p + kTcpChecksumOffset, csum_finish(csum_add(acc, p, len)));
}

bool tcp_checksum_ok(const uint8_t* p, size_t len, uint32_t saddr, uint32_t daddr) {
  CsumAcc acc = csum_pseudo_ipv4(0, saddr, daddr, kIpProtoTcp, static_cast<uint16_t>(len));
  return csum_is_valid(csum_add(acc, p, len));
}

uint32_t emit_tcp(uint8_t* p, const TcpRepr& r, uint32_t saddr, uint32_t daddr) {
  // Payload first: if it sits where the header goes, it moves out of the way.
  const uint32_t hlen = tcp_header_len(r);
  if (r.payload_len && r.payload != p + hlen) std::memmove(p + hlen, r.payload, r.payload_len);
  emit_tcp_header(p, r);
  tcp_fill_checksum(p, hlen + r.payload_len, saddr, daddr);
  return hlen + r.payload_len;
}

}  // namespace sim::wire
