#include "sim/config/units.h"

#include <cmath>
#include <limits>

namespace sim::config {

namespace {

using u128 = unsigned __int128;

// DIGITS [ "." DIGITS ] split off the front of `text`: the digits as one
// integer (the point dropped) and how many of them were after the point.
struct Decimal {
  uint64_t digits = 0;
  uint32_t frac_digits = 0;
};

struct Split {
  Decimal value;
  std::string_view unit;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<Split> split_decimal(std::string_view text) {
  Split out;
  size_t i = 0;
  auto take_digits = [&](bool after_point) -> bool {
    const size_t start = i;
    while (i < text.size() && is_digit(text[i])) {
      const uint64_t d = static_cast<uint64_t>(text[i] - '0');
      if (out.value.digits > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;  // too many digits
      out.value.digits = out.value.digits * 10 + d;
      if (after_point) ++out.value.frac_digits;
      ++i;
    }
    return i > start;
  };
  if (!take_digits(false)) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!take_digits(true)) return std::nullopt;
  }
  out.unit = text.substr(i);
  return out;
}

u128 pow10(uint32_t n) {
  u128 r = 1;
  while (n--) r *= 10;
  return r;
}

// digits / 10^frac * factor, if that is a whole number not above `max`.
std::optional<uint64_t> scale_exact(Decimal d, uint64_t factor, uint64_t max) {
  if (d.frac_digits > 19) return std::nullopt;
  const u128 num = static_cast<u128>(d.digits) * factor;
  const u128 den = pow10(d.frac_digits);
  if (num % den != 0) return std::nullopt;
  const u128 v = num / den;
  if (v > max) return std::nullopt;
  return static_cast<uint64_t>(v);
}

struct Unit {
  std::string_view name;
  uint64_t factor;
};

template <size_t N>
std::optional<uint64_t> parse_with_units(std::string_view text, const Unit (&units)[N], uint64_t max) {
  auto s = split_decimal(text);
  if (!s) return std::nullopt;
  for (const Unit& u : units) {
    if (s->unit == u.name) return scale_exact(s->value, u.factor, max);
  }
  return std::nullopt;
}

constexpr Unit kDurationUnits[] = {
    {"ns", 1}, {"us", 1000}, {"ms", 1000 * 1000}, {"s", 1000 * 1000 * 1000}};

constexpr uint64_t kKilo = 1000;
constexpr Unit kBandwidthUnits[] = {
    {"bps", 1},
    {"kbps", kKilo},
    {"Kbps", kKilo},
    {"Mbps", kKilo * kKilo},
    {"Gbps", kKilo * kKilo * kKilo},
    {"Tbps", kKilo * kKilo * kKilo * kKilo},
};

constexpr Unit kSizeUnits[] = {
    {"B", 1},
    {"kB", kKilo},
    {"KB", kKilo},
    {"MB", kKilo * kKilo},
    {"GB", kKilo * kKilo * kKilo},
    {"KiB", uint64_t{1} << 10},
    {"MiB", uint64_t{1} << 20},
    {"GiB", uint64_t{1} << 30},
};

}  // namespace

std::optional<sim::Time> parse_duration(std::string_view text) {
  if (text == "0") return sim::Time();
  auto ns = parse_with_units(text, kDurationUnits, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  if (!ns) return std::nullopt;
  return sim::Time::from_ns(static_cast<int64_t>(*ns));
}

std::optional<uint64_t> parse_bandwidth(std::string_view text) {
  auto bps = parse_with_units(text, kBandwidthUnits, std::numeric_limits<uint64_t>::max());
  if (!bps || *bps == 0) return std::nullopt;
  return bps;
}

std::optional<uint64_t> parse_size(std::string_view text) {
  return parse_with_units(text, kSizeUnits, std::numeric_limits<uint64_t>::max());
}

std::optional<Probability> parse_probability(std::string_view text) {
  auto s = split_decimal(text);
  if (!s || s->value.frac_digits > 19) return std::nullopt;
  u128 den = pow10(s->value.frac_digits);
  if (s->unit == "%") {
    den *= 100;
  } else if (!s->unit.empty()) {
    return std::nullopt;
  }
  const u128 num = static_cast<u128>(s->value.digits);
  if (num > den) return std::nullopt;  // above 1 (or 100%)
  // Round to nearest: (num * 2^32 + den/2) / den. num <= den < 10^22, so the
  // product stays far below 2^128.
  const u128 scaled = (num * Probability::kOne + den / 2) / den;
  return Probability{static_cast<uint64_t>(scaled)};
}

std::optional<Probability> probability_from_double(double p) {
  if (!(p >= 0.0 && p <= 1.0)) return std::nullopt;  // also rejects NaN
  return Probability{static_cast<uint64_t>(std::llround(p * static_cast<double>(Probability::kOne)))};
}

}  // namespace sim::config
