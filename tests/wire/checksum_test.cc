#include "sim/wire/checksum.h"

#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tests/wire/known_packets.h"

namespace sim::wire {
namespace {

// The definition, written as plainly as possible: big-endian 16-bit words,
// a trailing odd byte padded with zero, end-around carry after every add.
uint16_t reference_sum(const uint8_t* p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i < n; i += 2) {
    const uint32_t w = (uint32_t{p[i]} << 8) | (i + 1 < n ? p[i + 1] : 0);
    s += w;
    s = (s & 0xffff) + (s >> 16);
  }
  return static_cast<uint16_t>(s);
}

TEST_CASE("RFC 1071 section 3 worked example") {
  const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(csum_fold(csum_add(0, bytes, sizeof bytes)) == 0xddf2);
  CHECK(internet_checksum(bytes, sizeof bytes) == 0x220d);
}

TEST_CASE("IPv4 header checksums of known packets") {
  // The classic example header (192.168.0.1 -> 192.168.0.199, UDP) has b861.
  uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  CHECK(internet_checksum(hdr, sizeof hdr) == 0xb861);
  hdr[10] = 0xb8;
  hdr[11] = 0x61;
  CHECK(csum_is_valid(csum_add(0, hdr, sizeof hdr)));
  hdr[19] ^= 1;
  CHECK_FALSE(csum_is_valid(csum_add(0, hdr, sizeof hdr)));

  for (const uint8_t* pkt : {testdata::kSyn, testdata::kData, testdata::kUdp}) {
    CHECK(csum_is_valid(csum_add(0, pkt, 20)));
    uint8_t copy[20];
    std::memcpy(copy, pkt, 20);
    copy[10] = copy[11] = 0;
    CHECK(internet_checksum(copy, 20) == ((pkt[10] << 8) | pkt[11]));
  }
}

TEST_CASE("TCP and UDP checksums over the pseudo-header match the known packets") {
  using namespace testdata;
  SUBCASE("SYN with options") {
    const CsumAcc acc = csum_pseudo_ipv4(0, kAddrA, kAddrB, 6, sizeof kSyn - 20);
    CHECK(csum_is_valid(csum_add(acc, kSyn + 20, sizeof kSyn - 20)));
  }
  SUBCASE("odd-length payload") {
    uint8_t seg[sizeof kData - 20];
    std::memcpy(seg, kData + 20, sizeof seg);
    CHECK(csum_is_valid(csum_add(csum_pseudo_ipv4(0, kAddrA, kAddrB, 6, sizeof seg), seg, sizeof seg)));
    const uint16_t want = static_cast<uint16_t>((seg[16] << 8) | seg[17]);
    seg[16] = seg[17] = 0;
    CHECK(csum_finish(csum_add(csum_pseudo_ipv4(0, kAddrA, kAddrB, 6, sizeof seg), seg, sizeof seg)) == want);
  }
  SUBCASE("UDP") {
    const CsumAcc acc = csum_pseudo_ipv4(0, kAddrA, kAddrB, 17, sizeof kUdp - 20);
    CHECK(csum_is_valid(csum_add(acc, kUdp + 20, sizeof kUdp - 20)));
  }
  SUBCASE("a different address breaks it") {
    const CsumAcc acc = csum_pseudo_ipv4(0, kAddrA, kAddrB + 1, 6, sizeof kSyn - 20);
    CHECK_FALSE(csum_is_valid(csum_add(acc, kSyn + 20, sizeof kSyn - 20)));
  }
}

TEST_CASE("csum_add agrees with the definition for every length and alignment") {
  std::mt19937 rng(1071);
  std::vector<uint8_t> buf(600 + 8);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t off = 0; off < 8; ++off) {
    for (size_t n = 0; n <= 600; ++n) {
      const uint8_t* p = buf.data() + off;
      REQUIRE(csum_fold(csum_add(0, p, n)) == reference_sum(p, n));
    }
  }
}

TEST_CASE("chained even-length pieces sum like one call") {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(1501);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t cut = 0; cut <= 1500; cut += 2) {
    const CsumAcc two = csum_add(csum_add(0, buf.data(), cut), buf.data() + cut, buf.size() - cut);
    REQUIRE(csum_fold(two) == reference_sum(buf.data(), buf.size()));
  }
}

TEST_CASE("all-ones data and large accumulators fold correctly") {
  std::vector<uint8_t> ones(65535, 0xff);
  CHECK(csum_fold(csum_add(0, ones.data(), ones.size())) == reference_sum(ones.data(), ones.size()));
  CHECK(csum_fold(~CsumAcc{0}) == 0xffff);
  CHECK(csum_fold(0) == 0);
  // 0x1_0000 wraps to 1 in one's complement.
  CHECK(csum_fold(hton16(0xffff) + CsumAcc{hton16(0x0002)}) == 0x0002);
}

TEST_CASE("csum_add16/csum_add32 add host-order words") {
  const uint8_t bytes[] = {0x12, 0x34, 0xab, 0xcd};
  CHECK(csum_fold(csum_add16(csum_add16(0, 0x1234), 0xabcd)) == csum_fold(csum_add(0, bytes, 4)));
  CHECK(csum_fold(csum_add32(0, 0x1234abcd)) == csum_fold(csum_add(0, bytes, 4)));
}

TEST_CASE("RFC 1624 incremental update equals recomputation") {
  std::mt19937 rng(1624);
  for (int iter = 0; iter < 20000; ++iter) {
    uint8_t hdr[20];
    for (auto& b : hdr) b = static_cast<uint8_t>(rng());
    hdr[10] = hdr[11] = 0;
    const uint16_t check = internet_checksum(hdr, 20);
    const size_t word = (rng() % 10) * 2;
    if (word == 10) continue;  // the checksum field itself
    const uint16_t old_w = static_cast<uint16_t>((hdr[word] << 8) | hdr[word + 1]);
    const uint16_t new_w = static_cast<uint16_t>(rng());
    hdr[word] = static_cast<uint8_t>(new_w >> 8);
    hdr[word + 1] = static_cast<uint8_t>(new_w);
    const uint16_t updated = csum_replace16(check, old_w, new_w);
    // Both encodings of zero are valid checksums of the same data; the
    // incremental form may produce either, the stored field must verify.
    hdr[10] = static_cast<uint8_t>(updated >> 8);
    hdr[11] = static_cast<uint8_t>(updated);
    REQUIRE(csum_is_valid(csum_add(0, hdr, 20)));
  }
  // The forwarding case: TTL 64 -> 63 in the known SYN.
  uint8_t hdr[20];
  std::memcpy(hdr, testdata::kSyn, 20);
  const uint16_t check = static_cast<uint16_t>((hdr[10] << 8) | hdr[11]);
  const uint16_t updated = csum_replace16(check, 0x4006, 0x3f06);
  hdr[8] = 63;
  hdr[10] = hdr[11] = 0;
  CHECK(updated == internet_checksum(hdr, 20));
}

}  // namespace
}  // namespace sim::wire
