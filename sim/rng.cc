#include "sim/rng.h"

#include <cmath>

namespace sim {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;  // 2^64 / golden ratio

// splitmix64's output function (Steele, Lea, Flood 2014): a bijection on
// 64-bit words with good avalanche, so distinct inputs stay distinct.
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(uint64_t seed, uint64_t stream) {
  // For a fixed seed, mix64(seed) + stream is distinct per stream and mix64 is
  // a bijection, so two streams of one seed never start from the same point.
  uint64_t x = mix64(mix64(seed) + stream);
  // Fill the state from splitmix64's sequence, as xoshiro's authors advise:
  // consecutive outputs of a bijection are never all zero.
  for (uint64_t& word : s_) {
    x += kGolden;
    word = mix64(x);
  }
}

uint64_t Rng::stream_id(std::string_view name) {
  // FNV-1a over the bytes, then a finaliser so that names differing in one
  // character land far apart.
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return mix64(h);
}

double Rng::exponential(double mean) {
  // 1 - u is in (0, 1], so the logarithm is finite.
  return -mean * std::log1p(-uniform_real());
}

}  // namespace sim
