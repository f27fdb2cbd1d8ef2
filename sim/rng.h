// Seeded random streams. Every random choice in a run (ISNs, cookie secrets,
// ephemeral ports, app think times, loss) draws from an Rng derived from the
// scenario seed and a stream name ("host:server", "app:3"), so adding a host
// or an app never shifts another stream's draws.
//
// The generator is xoshiro256** (Blackman and Vigna, 2018), seeded through
// splitmix64. Everything is integer arithmetic we define ourselves: no std::
// distributions, whose output differs between standard libraries, so the same
// seed gives the same draws on every machine.
#pragma once

#include <cassert>
#include <cstdint>
#include <string_view>

namespace sim {

class Rng {
 public:
  // Stream 0 of `seed`.
  explicit Rng(uint64_t seed) : Rng(seed, 0) {}
  // Stream `stream` of `seed`. Distinct (seed, stream) pairs give unrelated
  // sequences.
  Rng(uint64_t seed, uint64_t stream);
  // The stream named `name` of `seed`: Rng(seed, stream_id(name)).
  static Rng derive(uint64_t seed, std::string_view name) { return Rng(seed, stream_id(name)); }
  // A stable 64-bit id for a stream name (the same on every machine and run).
  static uint64_t stream_id(std::string_view name);

  uint64_t next_u64() {
    const uint64_t out = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return out;
  }
  // The high half: xoshiro's low bits are its weakest.
  uint32_t next_u32() { return static_cast<uint32_t>(next_u64() >> 32); }

  // Uniform in [0, n), without modulo bias (Lemire's multiply-and-reject).
  // n must be > 0.
  uint64_t uniform(uint64_t n) {
    assert(n > 0);
    unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next_u64()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Uniform in [lo, hi], both inclusive; lo <= hi.
  uint64_t uniform(uint64_t lo, uint64_t hi) {
    assert(lo <= hi);
    const uint64_t span = hi - lo;
    return span == UINT64_MAX ? next_u64() : lo + uniform(span + 1);
  }
  // Uniform in [0, 1) on the grid of 2^-53 (every value exactly representable).
  double uniform_real() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // true with probability p (p <= 0: never; p >= 1: always).
  bool bernoulli(double p) { return uniform_real() < p; }
  // Exponentially distributed with the given mean (inverse transform).
  // SIM: uses std::log1p, so bit-exact only between machines with the same
  // libm (glibc on x86-64 here); integer draws above carry no such caveat.
  double exponential(double mean);

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace sim
