// Strict parsers for quantities written the way people write them: "10ms",
// "1Gbps", "64KiB", "1%". Results are integers in base units (ns, bits/s,
// bytes, a fixed-point fraction), so no floating point reaches the simulation:
// the same file gives the same run on every machine.
//
// Grammar (no spaces, no signs, no exponents):  DIGITS [ "." DIGITS ] UNIT
// A value must be a whole number of base units ("1.5ns" is rejected, not
// rounded). Each parser returns nullopt on anything else; the JSON layer turns
// that into a ConfigError naming what was expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/time.h"

namespace sim::config {

// Units: ns, us, ms, s. "0" alone is accepted (zero needs no unit).
// Examples: "10ms", "1.5s", "250us", "0".
std::optional<sim::Time> parse_duration(std::string_view text);

// Bits per second; units bps, kbps (or Kbps), Mbps, Gbps, Tbps, decimal (SI)
// multiples. Zero is rejected: a link that never transmits is a mistake.
// Examples: "1Gbps", "100Mbps", "10kbps", "1.5Gbps".
std::optional<uint64_t> parse_bandwidth(std::string_view text);

// Bytes; units B, kB (or KB), MB, GB (powers of 1000) and KiB, MiB, GiB
// (powers of 1024). Examples: "1500B", "64KiB", "1MB", "0B".
std::optional<uint64_t> parse_size(std::string_view text);

// A probability as a fixed-point fraction of 2^32: kOne means "always". A
// random 32-bit draw r is a hit when r < scaled, so "0" never hits, "1"
// always does, and the resolution (2.3e-10) is far below any loss rate a
// simulation can observe.
struct Probability {
  static constexpr uint64_t kOne = uint64_t{1} << 32;
  uint64_t scaled = 0;  // in [0, kOne]

  bool never() const { return scaled == 0; }
  friend constexpr bool operator==(Probability, Probability) = default;
};

// Text form: a decimal fraction in [0, 1] ("0.01") or a percentage in
// [0, 100] ("1%", "0.5%"). Rounded to the nearest 2^-32.
std::optional<Probability> parse_probability(std::string_view text);
// JSON number form, in [0, 1]; NaN and out-of-range values are rejected.
// (The only place a double is involved: converting the parsed JSON number.)
std::optional<Probability> probability_from_double(double p);

}  // namespace sim::config
