#include <doctest/doctest.h>

#include "tests/pkt/test_util.h"
#include "tools/pkt/script_config.h"

namespace pkt {
namespace {

Option opt(std::string name, std::optional<std::string> value = std::nullopt) {
  return Option{std::move(name), std::move(value), SourceLoc{}};
}

TEST_CASE("defaults are packetdrill's") {
  const ScriptConfig c;
  CHECK(c.remote_ip == "192.0.2.1");
  CHECK(c.remote_prefix_len == 24);
  CHECK(c.gateway_ip == "192.168.0.1");
  CHECK(c.netmask_ip == "255.255.0.0");
  CHECK(c.local_ip.empty());
  CHECK(c.bind_port == 8080);
  CHECK(c.connect_port == 8080);
  CHECK(c.tolerance_usecs == 4000);
  CHECK(c.tolerance_percent == 12.5);
  CHECK(c.tcp_ts_tick_usecs == 0);
  CHECK_FALSE(c.tcp_ts_ecr_scaled);
  CHECK_FALSE(c.mss.has_value());
  CHECK(c.mtu == 1500);
}

TEST_CASE("script options apply, then the command line overrides them") {
  const Script s = testing::parse_ok(
      "--tolerance_usecs=25000\n--local_ip=192.168.7.9\n--remote_ip=10.0.0.1/8\n--tcp_ts_ecr_scaled\n"
      "--ip_version=ipv4\n--mss=1000\n--bind_port=80\n--tolerance_percent=5.5\n"
      "0 close(3) = 0\n");
  const ConfigResult r = resolve_config(s, {*parse_option_arg("--tolerance_usecs=1000"), *parse_option_arg("--strict_segments")});
  REQUIRE_FALSE(r.error.has_value());
  CHECK(r.config.tolerance_usecs == 1000);
  CHECK(r.config.local_ip == "192.168.7.9");
  CHECK(r.config.remote_ip == "10.0.0.1");
  CHECK(r.config.remote_prefix_len == 8);
  CHECK(r.config.tcp_ts_ecr_scaled);
  CHECK(r.config.strict_segments);
  CHECK(r.config.mss == std::optional<int>(1000));
  CHECK(r.config.bind_port == 80);
  CHECK(r.config.tolerance_percent == 5.5);
}

TEST_CASE("script option errors carry the option's place; command-line ones say so") {
  const Script s = testing::parse_ok("\n  --tolerance_usecs=0\n0 close(3) = 0\n");
  CHECK(resolve_config(s, {}).error ==
        std::optional<std::string>(
            "t.pkt:2:3: bad value '0' for --tolerance_usecs (a positive number of microseconds)"));
  const Script ok = testing::parse_ok("0 close(3) = 0\n");
  CHECK(resolve_config(ok, {opt("wire_client")}).error ==
        std::optional<std::string>("command line: unsupported option '--wire_client'"));
}

TEST_CASE("each kind of bad option is named") {
  ScriptConfig c;
  CHECK(apply_option(c, opt("frobnicate", "1")) == std::optional<std::string>("unknown option '--frobnicate'"));
  CHECK(apply_option(c, opt("define", "A=1")) == std::optional<std::string>("unsupported option '--define'"));
  CHECK(apply_option(c, opt("ip_version", "ipv6")) ==
        std::optional<std::string>("unsupported: --ip_version=ipv6 (only ipv4)"));
  CHECK(apply_option(c, opt("ip_version", "v4")) ==
        std::optional<std::string>("bad value 'v4' for --ip_version (ipv4, ipv6 or ipv4-mapped-ipv6)"));
  CHECK(apply_option(c, opt("mss")) == std::optional<std::string>("option '--mss' needs a value (--mss=...)"));
  CHECK(apply_option(c, opt("tcp_ts_ecr_scaled", "1")) ==
        std::optional<std::string>("option '--tcp_ts_ecr_scaled' takes no value"));
  CHECK(apply_option(c, opt("local_ip", "192.168.0.256")) ==
        std::optional<std::string>("bad value '192.168.0.256' for --local_ip (an IPv4 address such as 192.168.0.2)"));
  CHECK(apply_option(c, opt("remote_ip", "1.2.3.4/33")) ==
        std::optional<std::string>("bad value '1.2.3.4/33' for --remote_ip (an IPv4 address, optionally with /prefix_len)"));
  CHECK(apply_option(c, opt("bind_port", "0")) ==
        std::optional<std::string>("bad value '0' for --bind_port (a port 1..65535)"));
  CHECK(apply_option(c, opt("tolerance_percent", "101")) ==
        std::optional<std::string>("bad value '101' for --tolerance_percent (a percentage 0..100)"));
  CHECK(apply_option(c, opt("tcp_ts_tick_usecs", "x")) ==
        std::optional<std::string>("bad value 'x' for --tcp_ts_tick_usecs (0..1000000)"));
  // Nothing above changed the configuration.
  CHECK(c.local_ip.empty());
  CHECK(c.remote_ip == "192.0.2.1");
  CHECK(c.bind_port == 8080);
}

TEST_CASE("parse_option_arg accepts only --name[=value]") {
  CHECK(parse_option_arg("--mss=1000")->value == std::optional<std::string>("1000"));
  CHECK_FALSE(parse_option_arg("--tcp_ts_ecr_scaled")->value.has_value());
  CHECK(parse_option_arg("--remote_ip=")->value == std::optional<std::string>(""));
  CHECK_FALSE(parse_option_arg("-v").has_value());
  CHECK_FALSE(parse_option_arg("--").has_value());
  CHECK_FALSE(parse_option_arg("--=1").has_value());
  CHECK_FALSE(parse_option_arg("--a-b=1").has_value());
  CHECK_FALSE(parse_option_arg("x.pkt").has_value());
}

}  // namespace
}  // namespace pkt
