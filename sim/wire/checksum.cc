#include "sim/wire/checksum.h"

#include <cstring>

namespace sim::wire {

// Each 4-byte native load is added into a 64-bit accumulator as a plain
// integer: 2^64 = 1 (mod 2^16 - 1), so the 16-bit words inside a wider word
// fold to the same one's complement sum, and carries need no handling until
// the fold. 2^32 additions of 32-bit values cannot overflow 64 bits, far more
// than any frame; callers that chain many pieces fold in between.
// Four independent accumulators keep the additions from serialising.
CsumAcc csum_add(CsumAcc acc, const uint8_t* p, size_t n) {
  uint64_t a0 = acc, a1 = 0, a2 = 0, a3 = 0;
  while (n >= 16) {
    uint32_t w[4];
    std::memcpy(w, p, sizeof w);
    a0 += w[0];
    a1 += w[1];
    a2 += w[2];
    a3 += w[3];
    p += 16;
    n -= 16;
  }
  while (n >= 4) {
    uint32_t w;
    std::memcpy(&w, p, sizeof w);
    a0 += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t w;
    std::memcpy(&w, p, sizeof w);
    a1 += w;
    p += 2;
    n -= 2;
  }
  if (n) {
    // A trailing odd byte is the high-order byte of a word whose low byte is
    // zero (RFC 1071 section 4.1); in native order that is the word whose
    // first byte in memory is this one.
    uint8_t pair[2] = {*p, 0};
    uint16_t w;
    std::memcpy(&w, pair, sizeof w);
    a2 += w;
  }
  return a0 + a1 + a2 + a3;
}

}  // namespace sim::wire
