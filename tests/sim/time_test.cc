#include "sim/time.h"

#include <doctest/doctest.h>

namespace sim {
namespace {

using namespace sim::literals;

TEST_CASE("literals and constructors agree on the unit") {
  CHECK(1_s == 1000_ms);
  CHECK(1_ms == 1000_us);
  CHECK(1_us == 1000_ns);
  CHECK(seconds(3) == nanoseconds(3'000'000'000));
  CHECK(milliseconds(7) == microseconds(7000));
  CHECK((5_s).ns() == 5'000'000'000);
  CHECK(Time() == 0_ns);
  static_assert(2_ms + 500_us == microseconds(2500));  // usable at compile time
}

TEST_CASE("accessors truncate toward zero") {
  const Time t = nanoseconds(2'999'999'999);
  CHECK(t.sec() == 2);
  CHECK(t.ms() == 2999);
  CHECK(t.us() == 2'999'999);
  const Time neg = nanoseconds(-1'500'000);
  CHECK(neg.ms() == -1);
  CHECK(neg.sec() == 0);
}

TEST_CASE("arithmetic and ordering") {
  Time t = 10_ms;
  t += 5_ms;
  CHECK(t == 15_ms);
  t -= 20_ms;
  CHECK(t == nanoseconds(-5'000'000));
  CHECK(t - t == Time());
  CHECK(3_ms * 4 == 12_ms);
  CHECK(12_ms / 5 == microseconds(2400));
  CHECK(12_ms / 5_ms == 2);  // whole multiples
  CHECK((1_s << 3) == 8_s);  // exponential backoff: 1 s, 2 s, 4 s, ...
  CHECK(1_ms < 2_ms);
  CHECK(2_ms >= 2_ms);
  CHECK(Time::max() > 1'000'000_s);
  CHECK(Time::max().ns() == INT64_MAX);
}

}  // namespace
}  // namespace sim
