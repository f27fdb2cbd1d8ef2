#include "sim/wire/ipv4_addr.h"

#include <doctest/doctest.h>

#include <random>

namespace sim::wire {
namespace {

TEST_CASE("parse_ipv4_addr accepts dotted quads") {
  CHECK(parse_ipv4_addr("10.0.0.1") == ipv4_addr(10, 0, 0, 1));
  CHECK(parse_ipv4_addr("0.0.0.0") == 0u);
  CHECK(parse_ipv4_addr("255.255.255.255") == 0xffffffffu);
  CHECK(parse_ipv4_addr("192.0.2.254") == 0xc00002feu);
}

TEST_CASE("parse_ipv4_addr rejects everything else") {
  for (const char* bad : {"", "10", "10.0.0", "10.0.0.1.2", "10.0.0.256", "10.0.0.1000", "010.0.0.1",
                          "10.00.0.1", "10..0.1", ".10.0.0", "10.0.0.", " 10.0.0.1", "10.0.0.1 ",
                          "10.0.0.1/24", "a.b.c.d", "10.0.0.-1", "+10.0.0.1", "0x0a.0.0.1",
                          "4294967295", "10.0.0.1\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_ipv4_addr(bad).has_value());
  }
}

TEST_CASE("parse_ipv4_prefix wants a network with host bits clear") {
  CHECK(parse_ipv4_prefix("10.0.0.0/24") == Ipv4Prefix{ipv4_addr(10, 0, 0, 0), 24});
  CHECK(parse_ipv4_prefix("0.0.0.0/0") == Ipv4Prefix{0, 0});
  CHECK(parse_ipv4_prefix("10.1.2.3/32") == Ipv4Prefix{ipv4_addr(10, 1, 2, 3), 32});
  for (const char* bad : {"10.0.0.1/24", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/024",
                          "10.0.0.0/2a", "10.0.0.0/-1", "10.0.0.0/24/", "10.0.0.0 /24", "/24",
                          "10.0.0.0/100"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_ipv4_prefix(bad).has_value());
  }
}

TEST_CASE("parse_ipv4_interface keeps host bits") {
  CHECK(parse_ipv4_interface("10.0.0.1/24") == Ipv4Prefix{ipv4_addr(10, 0, 0, 1), 24});
  CHECK_FALSE(parse_ipv4_interface("10.0.0.1").has_value());
  CHECK_FALSE(parse_ipv4_interface("10.0.0.1/33").has_value());
}

TEST_CASE("masks and containment") {
  CHECK(ipv4_mask(0) == 0u);
  CHECK(ipv4_mask(8) == 0xff000000u);
  CHECK(ipv4_mask(31) == 0xfffffffeu);
  CHECK(ipv4_mask(32) == 0xffffffffu);
  const Ipv4Prefix net{ipv4_addr(10, 0, 0, 0), 24};
  CHECK(ipv4_prefix_contains(net, ipv4_addr(10, 0, 0, 255)));
  CHECK_FALSE(ipv4_prefix_contains(net, ipv4_addr(10, 0, 1, 0)));
  CHECK(ipv4_prefix_contains(Ipv4Prefix{0, 0}, ipv4_addr(1, 2, 3, 4)));
}

TEST_CASE("formatting round-trips") {
  CHECK(ipv4_addr_str(ipv4_addr(10, 0, 0, 1)) == "10.0.0.1");
  CHECK(ipv4_addr_str(0) == "0.0.0.0");
  CHECK(ipv4_addr_str(0xffffffff) == "255.255.255.255");
  CHECK(ipv4_addr_str(ipv4_addr(100, 20, 3, 109)) == "100.20.3.109");
  CHECK(ipv4_prefix_str(Ipv4Prefix{ipv4_addr(192, 168, 0, 0), 16}) == "192.168.0.0/16");
  std::mt19937 rng(4);
  for (int i = 0; i < 10000; ++i) {
    const uint32_t a = static_cast<uint32_t>(rng());
    REQUIRE(parse_ipv4_addr(ipv4_addr_str(a)) == a);
  }
}

}  // namespace
}  // namespace sim::wire
