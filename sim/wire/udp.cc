#include "sim/wire/udp.h"

#include <cassert>
#include <cstring>

#include "sim/wire/bytes.h"
#include "sim/wire/checksum.h"
#include "sim/wire/ipv4.h"

namespace sim::wire {

ParseResult parse_udp(const uint8_t* p, size_t n, uint32_t saddr, uint32_t daddr, UdpRepr& out,
                      bool verify_csum) {
  if (n < kUdpHeaderLen) return ParseResult::kTruncated;
  const uint16_t len = load_be16(p + 4);
  if (len < kUdpHeaderLen || len > n) return ParseResult::kUdpBadLength;
  const bool has_checksum = load_be16(p + kUdpChecksumOffset) != 0;
  if (verify_csum && has_checksum) {
    const CsumAcc acc = csum_pseudo_ipv4(0, saddr, daddr, kIpProtoUdp, len);
    if (!csum_is_valid(csum_add(acc, p, len))) return ParseResult::kUdpBadChecksum;
  }
  out.sport = load_be16(p);
  out.dport = load_be16(p + 2);
  out.payload = p + kUdpHeaderLen;
  out.payload_len = len - kUdpHeaderLen;
  out.has_checksum = has_checksum;
  return ParseResult::kOk;
}

void emit_udp_header(uint8_t* p, const UdpRepr& r) {
  assert(r.payload_len <= 0xffff - kUdpHeaderLen);
  store_be16(p, r.sport);
  store_be16(p + 2, r.dport);
  store_be16(p + 4, static_cast<uint16_t>(kUdpHeaderLen + r.payload_len));
  store_be16(p + kUdpChecksumOffset, 0);
}

void udp_fill_checksum(uint8_t* p, uint32_t len, uint32_t saddr, uint32_t daddr) {
  store_be16(p + kUdpChecksumOffset, 0);
  const CsumAcc acc = csum_pseudo_ipv4(0, saddr, daddr, kIpProtoUdp, static_cast<uint16_t>(len));
  const uint16_t c = csum_finish(csum_add(acc, p, len));
  store_be16(p + kUdpChecksumOffset, c == 0 ? 0xffff : c);
}

uint32_t emit_udp(uint8_t* p, const UdpRepr& r, uint32_t saddr, uint32_t daddr) {
  if (r.payload_len && r.payload != p + kUdpHeaderLen)
    std::memmove(p + kUdpHeaderLen, r.payload, r.payload_len);
  emit_udp_header(p, r);
  const uint32_t len = kUdpHeaderLen + r.payload_len;
  if (r.has_checksum) udp_fill_checksum(p, len, saddr, daddr);
  return len;
}

}  // namespace sim::wire
