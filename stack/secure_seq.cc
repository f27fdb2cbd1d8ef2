// mirrors net/core/secure_seq.c (tag: docs/kernel-version.md): initial
// sequence numbers and timestamp offsets that an off-path attacker cannot
// guess, from a keyed hash of the 4-tuple plus a clock.
//
// SIM: the hash is our own keyed mixer, not SipHash; the construction (one
// hash, two 32-bit halves: ISN base and ts_off; ISN clock of 64 ns ticks)
// follows Linux. Keys come from the host's seeded random stream.
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}
}  // namespace

uint64_t keyed_hash(const uint64_t key[2], uint64_t a, uint64_t b, uint64_t c) {
  uint64_t h = mix(key[0] ^ a);
  h = mix(h ^ key[1] ^ b);
  h = mix(h ^ c ^ (key[0] << 1));
  return h;
}

uint32_t secure_tcp_seq_and_tsoff(const net* n, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
                                  uint32_t* tsoff) {
  const uint64_t h = keyed_hash(n->secrets.isn_key, (static_cast<uint64_t>(saddr) << 32) | daddr,
                                (static_cast<uint64_t>(sport) << 16) | dport, 0);
  if (tsoff) *tsoff = static_cast<uint32_t>(h >> 32);
  // seq_scale(): the ISN advances one per 64 ns of (simulated) real time.
  return static_cast<uint32_t>(h) + static_cast<uint32_t>(n->now().ns() >> 6);
}

}  // namespace stack
