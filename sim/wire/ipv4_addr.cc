#include "sim/wire/ipv4_addr.h"

namespace sim::wire {

namespace {

// A decimal number of 1..max_digits digits with no leading zero (other than
// "0" itself) at the front of s; advances s past it.
std::optional<uint32_t> take_decimal(std::string_view& s, size_t max_digits) {
  size_t i = 0;
  uint32_t v = 0;
  while (i < s.size() && i < max_digits + 1 && s[i] >= '0' && s[i] <= '9') {
    v = v * 10 + static_cast<uint32_t>(s[i] - '0');
    ++i;
  }
  if (i == 0 || i > max_digits) return std::nullopt;
  if (i > 1 && s[0] == '0') return std::nullopt;
  s.remove_prefix(i);
  return v;
}

std::optional<uint32_t> take_addr(std::string_view& s) {
  uint32_t addr = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s[0] != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    const auto octet = take_decimal(s, 3);
    if (!octet || *octet > 255) return std::nullopt;
    addr = (addr << 8) | *octet;
  }
  return addr;
}

std::optional<Ipv4Prefix> take_prefix(std::string_view s) {
  const auto addr = take_addr(s);
  if (!addr || s.empty() || s[0] != '/') return std::nullopt;
  s.remove_prefix(1);
  const auto len = take_decimal(s, 2);
  if (!len || *len > 32 || !s.empty()) return std::nullopt;
  return Ipv4Prefix{*addr, static_cast<uint8_t>(*len)};
}

}  // namespace

std::optional<uint32_t> parse_ipv4_addr(std::string_view s) {
  const auto addr = take_addr(s);
  if (!addr || !s.empty()) return std::nullopt;
  return addr;
}

std::optional<Ipv4Prefix> parse_ipv4_prefix(std::string_view s) {
  const auto p = take_prefix(s);
  if (!p || (p->addr & ~ipv4_mask(p->len)) != 0) return std::nullopt;
  return p;
}

std::optional<Ipv4Prefix> parse_ipv4_interface(std::string_view s) { return take_prefix(s); }

size_t format_ipv4_addr(uint32_t addr, char* buf) {
  size_t n = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const uint32_t o = (addr >> shift) & 0xff;
    if (o >= 100) buf[n++] = static_cast<char>('0' + o / 100);
    if (o >= 10) buf[n++] = static_cast<char>('0' + o / 10 % 10);
    buf[n++] = static_cast<char>('0' + o % 10);
    if (shift) buf[n++] = '.';
  }
  return n;
}

std::string ipv4_addr_str(uint32_t addr) {
  char buf[15];
  return std::string(buf, format_ipv4_addr(addr, buf));
}

std::string ipv4_prefix_str(Ipv4Prefix p) {
  return ipv4_addr_str(p.addr) + '/' + std::to_string(p.len);
}

}  // namespace sim::wire
