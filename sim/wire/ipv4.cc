#include "sim/wire/ipv4.h"

#include "sim/wire/bytes.h"
#include "sim/wire/checksum.h"

namespace sim::wire {

namespace {
constexpr uint16_t kFlagDf = 0x4000;
constexpr uint16_t kFlagMf = 0x2000;
constexpr uint16_t kFragOffsetMask = 0x1fff;
}  // namespace

ParseResult parse_ipv4(const uint8_t* p, size_t n, Ipv4Repr& out) {
  if (n < kIpv4HeaderLen) return ParseResult::kTruncated;
  if ((p[0] >> 4) != 4) return ParseResult::kIpBadVersion;
  const uint32_t ihl_bytes = (p[0] & 0x0fu) * 4;
  if (ihl_bytes < kIpv4HeaderLen || ihl_bytes > n) return ParseResult::kIpBadIhl;
  if (!csum_is_valid(csum_add(0, p, ihl_bytes))) return ParseResult::kIpBadChecksum;
  const uint16_t total_len = load_be16(p + 2);
  if (total_len < ihl_bytes || total_len > n) return ParseResult::kIpBadTotalLen;
  const uint16_t frag = load_be16(p + 6);
  if (frag & (kFlagMf | kFragOffsetMask)) return ParseResult::kIpFragment;

  out.tos = p[1];
  out.total_len = total_len;
  out.id = load_be16(p + 4);
  out.df = (frag & kFlagDf) != 0;
  out.ttl = p[8];
  out.protocol = p[9];
  out.saddr = load_be32(p + 12);
  out.daddr = load_be32(p + 16);
  out.ihl_bytes = static_cast<uint8_t>(ihl_bytes);
  return ParseResult::kOk;
}

void emit_ipv4(uint8_t* p, const Ipv4Repr& r) {
  p[0] = 0x45;  // version 4, ihl 5
  p[1] = r.tos;
  store_be16(p + 2, r.total_len);
  store_be16(p + 4, r.id);
  store_be16(p + 6, r.df ? kFlagDf : 0);
  p[8] = r.ttl;
  p[9] = r.protocol;
  store_be16(p + 10, 0);
  store_be32(p + 12, r.saddr);
  store_be32(p + 16, r.daddr);
  store_be16(p + 10, internet_checksum(p, kIpv4HeaderLen));
}

}  // namespace sim::wire
