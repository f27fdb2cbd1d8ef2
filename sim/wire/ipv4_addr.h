// IPv4 addresses and prefixes as text, for config files, logs and test
// output. Addresses are uint32_t in host byte order throughout the simulator.
//
// Parsing is strict: exactly four decimal octets, each 0..255, no leading
// zeros ("010" means 8 to inet_aton() and 10 to a human, so neither), no
// whitespace, no shorthand forms like "10.1".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim::wire {

struct Ipv4Prefix {
  uint32_t addr = 0;  // host order
  uint8_t len = 0;    // 0..32
  friend constexpr bool operator==(const Ipv4Prefix&, const Ipv4Prefix&) = default;
};

constexpr uint32_t ipv4_addr(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}
constexpr uint32_t ipv4_mask(uint8_t len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }
constexpr bool ipv4_prefix_contains(Ipv4Prefix p, uint32_t addr) {
  return ((addr ^ p.addr) & ipv4_mask(p.len)) == 0;
}

// "10.0.0.1"
std::optional<uint32_t> parse_ipv4_addr(std::string_view s);
// "10.0.0.0/24": a network; bits below the prefix length must be zero.
std::optional<Ipv4Prefix> parse_ipv4_prefix(std::string_view s);
// "10.0.0.1/24": an interface address with its on-link prefix length; any
// host bits are allowed (and kept in .addr).
std::optional<Ipv4Prefix> parse_ipv4_interface(std::string_view s);

// Writes the dotted quad (at most 15 chars, no terminator) into buf, which
// must hold 15 bytes; returns the length. No allocation.
size_t format_ipv4_addr(uint32_t addr, char* buf);
std::string ipv4_addr_str(uint32_t addr);
std::string ipv4_prefix_str(Ipv4Prefix p);

}  // namespace sim::wire
