// sim/config: unit parsers and the JSON reading layer.
#include <doctest/doctest.h>

#include <string>

#include "sim/config/config_error.h"
#include "sim/config/json_reader.h"
#include "sim/config/units.h"

using namespace sim::config;

namespace {

// The message a ConfigError carries, or "" if f() did not throw one.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("durations: units, decimals, zero; exact or rejected") {
  CHECK(parse_duration("10ms")->ns() == 10'000'000);
  CHECK(parse_duration("1.5s")->ns() == 1'500'000'000);
  CHECK(parse_duration("250us")->ns() == 250'000);
  CHECK(parse_duration("7ns")->ns() == 7);
  CHECK(parse_duration("0")->ns() == 0);
  CHECK(parse_duration("0s")->ns() == 0);
  CHECK(parse_duration("0.000000001s")->ns() == 1);
  CHECK(parse_duration("9223372036854775807ns")->ns() == INT64_MAX);
  // Rejected: fractions of a nanosecond, spaces, no unit, unknown units,
  // signs, exponents, dangling points, overflow.
  for (const char* bad : {"1.5ns", "10 ms", "10", "10parsecs", "-1ms", "1e3ms", "1.ms", ".5s", "", "ms",
                          "9223372036854775808ns", "10000000000s", "1,5s", "10MS"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("bandwidth: SI multiples of bits per second, never zero") {
  CHECK(*parse_bandwidth("1Gbps") == 1'000'000'000);
  CHECK(*parse_bandwidth("100Mbps") == 100'000'000);
  CHECK(*parse_bandwidth("10kbps") == 10'000);
  CHECK(*parse_bandwidth("10Kbps") == 10'000);
  CHECK(*parse_bandwidth("1.5Gbps") == 1'500'000'000);
  CHECK(*parse_bandwidth("2Tbps") == 2'000'000'000'000);
  CHECK(*parse_bandwidth("9600bps") == 9600);
  for (const char* bad : {"0Gbps", "0bps", "1GBps", "1 Gbps", "1.5bps", "fast", "1G", "1000"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_bandwidth(bad).has_value());
  }
}

TEST_CASE("sizes: decimal and binary multiples of bytes") {
  CHECK(*parse_size("1500B") == 1500);
  CHECK(*parse_size("64KiB") == 65536);
  CHECK(*parse_size("1MB") == 1'000'000);
  CHECK(*parse_size("1MiB") == 1'048'576);
  CHECK(*parse_size("1.5KB") == 1500);
  CHECK(*parse_size("0B") == 0);
  for (const char* bad : {"1500", "1.5B", "64kib", "1 MB", "1Mb"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_size(bad).has_value());
  }
}

TEST_CASE("probabilities: fractions and percentages to 2^-32 fixed point") {
  CHECK(parse_probability("0")->scaled == 0);
  CHECK(parse_probability("1")->scaled == Probability::kOne);
  CHECK(parse_probability("100%")->scaled == Probability::kOne);
  CHECK(parse_probability("0.5")->scaled == Probability::kOne / 2);
  CHECK(parse_probability("50%")->scaled == Probability::kOne / 2);
  CHECK(*parse_probability("1%") == *parse_probability("0.01"));
  CHECK(parse_probability("0.01")->scaled == 42949673);  // round(2^32 / 100)
  CHECK(*probability_from_double(0.01) == *parse_probability("0.01"));
  CHECK(probability_from_double(1.0)->scaled == Probability::kOne);
  for (const char* bad : {"1.01", "101%", "-0.1", "0.1 %", "half", "1e-3"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_probability(bad).has_value());
  }
  CHECK_FALSE(probability_from_double(-0.01).has_value());
  CHECK_FALSE(probability_from_double(1.5).has_value());
}

TEST_CASE("ConfigError formats file, pointer and expectation on one line") {
  const ConfigError e("t.json", "/links/3/delay", "expected a duration like \"10ms\", got \"10 parsecs\"");
  CHECK(std::string(e.what()) == "t.json: /links/3/delay: expected a duration like \"10ms\", got \"10 parsecs\"");
  CHECK(std::string(ConfigError("t.json", "", "x").what()) == "t.json: (root): x");
  CHECK(std::string(ConfigError("t.json", 3, 17, "bad").what()) == "t.json:3:17: bad");
  CHECK(json_pointer_escape("a/b~c") == "a~1b~0c");
}

TEST_CASE("JSON reader: pointers, allowed keys, typed getters with defaults") {
  const JsonDoc doc = parse_json_text("t.json", R"({"links": [{"delay": "1ms"}, {"delay": "10 parsecs", "n": 3}]})");
  const JsonObject top = JsonValue(doc).as_object({"links"});
  const auto links = top.required("links").as_array();
  REQUIRE(links.size() == 2);
  CHECK(links[1].pointer() == "/links/1");
  const JsonObject l0 = links[0].as_object({"delay", "n"});
  CHECK(l0.get_duration("delay", sim::Time()).ns() == 1'000'000);
  CHECK(l0.get_int("n", 42, 0, 100) == 42);  // absent: the default
  CHECK(l0.get_bandwidth("bandwidth", 5) == 5);

  const JsonObject l1 = links[1].as_object({"delay", "n"});
  CHECK(error_of([&] { l1.get_duration("delay", sim::Time()); }) ==
        "t.json: /links/1/delay: expected a duration like \"10ms\", got \"10 parsecs\"");
  CHECK(error_of([&] { l1.get_int("n", 0, 5, 10); }) == "t.json: /links/1/n: expected an integer in [5, 10], got 3");
  CHECK(error_of([&] { l1.get_string("n", ""); }) == "t.json: /links/1/n: expected a string, got 3");
  CHECK(error_of([&] { l1.required("bandwidth"); }) == "t.json: /links/1: missing required key \"bandwidth\"");
  CHECK(error_of([&] { links[1].as_object({"delay"}); }) ==
        "t.json: /links/1/n: unknown key \"n\"; allowed keys: delay");
  CHECK(error_of([&] { top.required("links").as_object({}); }) == "t.json: /links: expected an object, got an array");
}

TEST_CASE("JSON reader: a near miss of an allowed key gets a suggestion") {
  const JsonDoc doc = parse_json_text("t.json", R"({"bandwith": "1Gbps"})");
  CHECK(error_of([&] { JsonValue(doc).as_object({"bandwidth", "delay"}); }) ==
        "t.json: /bandwith: unknown key \"bandwith\" (did you mean \"bandwidth\"?); allowed keys: bandwidth, delay");
}

TEST_CASE("JSON reader: integers must be integral and in range") {
  const JsonDoc doc = parse_json_text("t.json", R"({"a": 1.0, "b": -1, "c": 18446744073709551615, "d": true})");
  const JsonObject o = JsonValue(doc).as_map();
  CHECK(error_of([&] { o.get_int("a", 0, 0, 10); }) == "t.json: /a: expected an integer in [0, 10], got 1.0");
  CHECK(error_of([&] { o.get_int("b", 0, 0, 10); }) != "");
  CHECK(error_of([&] { o.get_int("c", 0, 0, INT64_MAX); }) != "");
  CHECK(o.get_bool("d", false));
}

TEST_CASE("JSON reader: duplicate keys are named by their pointer") {
  CHECK(error_of([] { parse_json_text("t.json", R"({"a": [{}, {"x": 1, "y": {"k": 1, "k": 2}}]})"); }) ==
        "t.json: /a/1/y/k: duplicate key \"k\"");
  CHECK(error_of([] { parse_json_text("t.json", R"({"a": 1, "b": [1, [2, 3], {"c": 1}], "a": 2})"); }) ==
        "t.json: /a: duplicate key \"a\"");
  // The same key in sibling objects is fine.
  CHECK(error_of([] { parse_json_text("t.json", R"([{"k": 1}, {"k": 2}])"); }) == "");
}

TEST_CASE("JSON reader: malformed text is reported with line and column") {
  const std::string msg = error_of([] { parse_json_text("t.json", "{\n  \"a\": 1,\n  \"b\": tru\n}"); });
  CHECK(msg.rfind("t.json:3:", 0) == 0);
  CHECK(msg.find("invalid JSON") != std::string::npos);
  CHECK(error_of([] { parse_json_text("t.json", ""); }).rfind("t.json:1:1: invalid JSON", 0) == 0);
  CHECK(error_of([] { load_json_file("/nonexistent/x.json"); }) == "/nonexistent/x.json: (root): cannot open file");
}

TEST_CASE("JSON reader: addresses and networks") {
  const JsonDoc doc = parse_json_text(
      "t.json", R"({"a": "10.0.0.1", "i": "10.0.0.1/24", "n": "10.0.0.0/24", "h": "10.0.0.1/24", "bad": "010.0.0.1"})");
  const JsonObject o = JsonValue(doc).as_map();
  CHECK(o.required("a").as_ipv4() == 0x0a000001);
  CHECK(o.required("i").as_ipv4_interface().len == 24);
  CHECK(o.required("n").as_ipv4_network().addr == 0x0a000000);
  CHECK(error_of([&] { o.required("h").as_ipv4_network(); }).find("e.g. \"10.0.0.0/24\"") != std::string::npos);
  CHECK(error_of([&] { o.required("bad").as_ipv4(); }) != "");
}
