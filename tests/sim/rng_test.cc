// Seeded random streams: reproducible, independent per name, unbiased bounds.
#include "sim/rng.h"

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include <doctest/doctest.h>

namespace sim {
namespace {

std::vector<uint64_t> draws(Rng r, int n) {
  std::vector<uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(r.next_u64());
  return out;
}

TEST_CASE("pinned values: the same seed and stream give these draws on every machine") {
  // Pinned when written; xoshiro256** was checked against the reference
  // vector (state {1,2,3,4} -> 11520, 0, 1509978240, ...) and splitmix64
  // against its published outputs. A change here changes every scenario.
  CHECK(draws(Rng(1), 3) == std::vector<uint64_t>{0xbed39bb864d51ef8ull, 0x2570d86f5d876711ull, 0xb4074c4963953840ull});
  CHECK(draws(Rng::derive(7, "host:server"), 3) ==
        std::vector<uint64_t>{0xde455dea5ac75861ull, 0x150312266e393c50ull, 0xbf694af84f1c42deull});
  CHECK(Rng::stream_id("host:server") == 0x174595732834df0aull);
  Rng r = Rng::derive(7, "host:server");
  std::vector<uint64_t> u;
  for (int i = 0; i < 5; ++i) u.push_back(r.uniform(1000));
  CHECK(u == std::vector<uint64_t>{868, 82, 747, 873, 224});
}

TEST_CASE("same seed and stream reproduce the sequence") {
  CHECK(draws(Rng(99, 5), 1000) == draws(Rng(99, 5), 1000));
  CHECK(draws(Rng::derive(3, "app:3"), 1000) == draws(Rng::derive(3, "app:3"), 1000));
  CHECK(draws(Rng::derive(3, "app:3"), 10) == draws(Rng(3, Rng::stream_id("app:3")), 10));
  CHECK(draws(Rng(3), 10) == draws(Rng(3, 0), 10));
}

TEST_CASE("different names, streams and seeds give different sequences") {
  const std::array<const char*, 6> names = {"host:server", "host:client", "app:1", "app:2", "app:10", ""};
  std::set<uint64_t> ids, firsts;
  for (const char* n : names) {
    ids.insert(Rng::stream_id(n));
    firsts.insert(Rng::derive(1, n).next_u64());
  }
  CHECK(ids.size() == names.size());
  CHECK(firsts.size() == names.size());
  CHECK(draws(Rng(1, 0), 4) != draws(Rng(1, 1), 4));
  CHECK(draws(Rng(1, 0), 4) != draws(Rng(2, 0), 4));
  // Seed and stream do not trade places.
  CHECK(draws(Rng(1, 2), 4) != draws(Rng(2, 1), 4));
}

TEST_CASE("adding a stream does not alter another stream's draws") {
  Rng alone = Rng::derive(11, "host:server");
  const std::vector<uint64_t> expect = draws(alone, 100);

  Rng server = Rng::derive(11, "host:server");
  Rng client = Rng::derive(11, "host:client");  // a new host appears
  std::vector<uint64_t> got;
  for (int i = 0; i < 100; ++i) {
    client.next_u64();
    client.next_u64();
    got.push_back(server.next_u64());
  }
  CHECK(got == expect);
}

TEST_CASE("uniform(n) stays in [0, n) and reaches every value") {
  Rng r(5);
  for (int i = 0; i < 1000; ++i) CHECK(r.uniform(1) == 0);
  std::array<int, 6> counts{};
  for (int i = 0; i < 60'000; ++i) {
    const uint64_t v = r.uniform(6);
    REQUIRE(v < 6);
    ++counts[v];
  }
  // Expected 10,000 each; 5 standard deviations is about 456.
  for (int c : counts) CHECK((c > 9'500 && c < 10'500));
  // A bound of 1.5 * 2^63, where bias would be largest: exactly 2/3 of the
  // mass lies below 2^63 (a plain modulo would put 3/4 there).
  const uint64_t big = (uint64_t{1} << 63) + (uint64_t{1} << 62);
  int low = 0;
  for (int i = 0; i < 10'000; ++i) {
    const uint64_t v = r.uniform(big);
    REQUIRE(v < big);
    low += v < (uint64_t{1} << 63);
  }
  CHECK((low > 6'400 && low < 6'933));  // 2/3 expected
}

TEST_CASE("uniform(lo, hi) is inclusive at both ends") {
  Rng r(6);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t v = r.uniform(10, 13);
    REQUIRE((v >= 10 && v <= 13));
    seen.insert(v);
  }
  CHECK(seen == std::set<uint64_t>{10, 11, 12, 13});
  CHECK(r.uniform(42, 42) == 42);
  r.uniform(0, UINT64_MAX);  // the full range is allowed
}

TEST_CASE("uniform_real, bernoulli and exponential") {
  Rng r(8);
  double sum = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double x = r.uniform_real();
    REQUIRE((x >= 0.0 && x < 1.0));
    sum += x;
  }
  CHECK(sum / 100'000 == doctest::Approx(0.5).epsilon(0.01));

  int hits = 0;
  for (int i = 0; i < 100'000; ++i) hits += r.bernoulli(0.25);
  CHECK((hits > 24'300 && hits < 25'700));
  for (int i = 0; i < 1000; ++i) {
    REQUIRE_FALSE(r.bernoulli(0.0));
    REQUIRE(r.bernoulli(1.0));
  }

  double esum = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double x = r.exponential(3.0);
    REQUIRE(x >= 0.0);
    esum += x;
  }
  CHECK(esum / 100'000 == doctest::Approx(3.0).epsilon(0.02));
}

TEST_CASE("next_u32 is the high half of the 64-bit draw") {
  Rng a(12), b(12);
  for (int i = 0; i < 100; ++i) CHECK(a.next_u32() == static_cast<uint32_t>(b.next_u64() >> 32));
}

}  // namespace
}  // namespace sim
