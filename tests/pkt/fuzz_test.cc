// Mutation fuzzing: random edits of the conformance scripts must give either
// a script or one well-formed error, never a crash or a hang. A script that
// parses must print to a fixed point (print, parse, print gives the same text).
//
// The generator is a fixed-seed std::mt19937 used through its raw output, so
// the same inputs are tried on every run and machine.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tools/pkt/parser.h"
#include "tools/pkt/printer.h"

namespace pkt {
namespace {

constexpr int kMutantsPerScript = 600;

std::vector<std::string> corpus() {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator("tests/conformance"))
    if (e.path().extension() == ".pkt") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    out.push_back(s.str());
  }
  return out;
}

// Fragments that sit on the lexer's and parser's decision points.
const std::vector<std::string> kSnippets = {
    "...", "<", ">", "+", "~", "*", "(", ")", "[", "]", "{", "}", "=", "|", ",", ":", ".", "-", "\"",
    "`", "/*", "*/", "//", "%{", "}%", "--", "--mss=", "-1", "0x", "0xffffffffffffffffff",
    "99999999999999999999", "\n", "S.", "<...>", "ack", "win", "urg", "0:0(0)", "1:11(10)", "\\",
    std::string(1, '\0'), "\xff", "+0...0.1 ", "1~2 ", "+1~+2 ", "{a=", "[[[[[[", "udp", "icmp",
    "TS val 1 ecr 2", "sack 1:2", "mss 1460", "EAGAIN", "(x)", "40001>8080", "0.0000000001",
    "1000001", "192.0.2.1", "\"\\x", "\t", "-.5", ".1",
};

struct Mutator {
  std::mt19937 rng{20240611u};

  std::size_t pick(std::size_t n) { return n == 0 ? 0 : rng() % n; }

  std::string mutate(std::string s) {
    const int edits = 1 + static_cast<int>(pick(4));
    for (int k = 0; k < edits; ++k) {
      const std::size_t pos = pick(s.size() + 1);
      switch (pick(7)) {
        case 0:  // delete a short range
          s.erase(std::min(pos, s.size()), 1 + pick(6));
          break;
        case 1:  // insert one arbitrary byte
          s.insert(std::min(pos, s.size()), 1, static_cast<char>(pick(256)));
          break;
        case 2:  // insert a fragment
          s.insert(std::min(pos, s.size()), kSnippets[pick(kSnippets.size())]);
          break;
        case 3: {  // duplicate a slice somewhere else
          const std::size_t from = pick(s.size());
          const std::string slice = s.substr(from, 1 + pick(40));
          s.insert(pick(s.size() + 1), slice);
          break;
        }
        case 4:  // truncate
          s.resize(pick(s.size() + 1));
          break;
        case 5: {  // overwrite a byte with a digit or a letter
          if (!s.empty()) s[pick(s.size())] = "0123456789SPRF.xyz"[pick(18)];
          break;
        }
        default: {  // swap two slices
          if (s.size() < 4) break;
          const std::size_t a = pick(s.size() / 2), b = s.size() / 2 + pick(s.size() / 2);
          const std::size_t len = std::min({1 + pick(20), b - a, s.size() - b});
          std::swap_ranges(s.begin() + a, s.begin() + a + len, s.begin() + b);
          break;
        }
      }
    }
    return s;
  }
};

// Checks the contract for one input; returns true if it parsed.
bool check_input(const std::string& text) {
  const ParseResult r = parse_script(text, "fuzz.pkt");
  if (!r.ok()) {
    REQUIRE(r.error.has_value());
    const ParseError& e = *r.error;
    const int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    const bool ok = !e.message.empty() && e.file == "fuzz.pkt" && e.loc.line >= 1 && e.loc.line <= lines &&
                    e.loc.column >= 1 &&
                    e.to_string().rfind("fuzz.pkt:" + std::to_string(e.loc.line) + ":", 0) == 0;
    if (!ok) {
      CAPTURE(text);
      FAIL("malformed error: " << e.to_string());
    }
    return false;
  }
  const std::string printed = to_string(*r.script);
  const ParseResult again = parse_script(printed, "fuzz.pkt");
  if (!again.ok() || to_string(*again.script) != printed) {
    CAPTURE(text);
    CAPTURE(printed);
    FAIL("printed script does not reparse to itself: " << (again.error ? again.error->to_string() : ""));
  }
  return true;
}

TEST_CASE("mutated conformance scripts never crash the parser") {
  const std::vector<std::string> scripts = corpus();
  REQUIRE_FALSE(scripts.empty());
  Mutator m;
  int parsed = 0, total = 0;
  for (const std::string& s : scripts) {
    for (int i = 0; i < kMutantsPerScript; ++i) {
      parsed += check_input(m.mutate(s)) ? 1 : 0;
      ++total;
    }
  }
  MESSAGE(total << " mutants, " << parsed << " still parsed");
  // Both outcomes must be exercised, or the mutator is not testing anything.
  CHECK(parsed > total / 50);
  CHECK(parsed < total);
}

TEST_CASE("random byte strings never crash the parser") {
  Mutator m;
  for (int i = 0; i < 3000; ++i) {
    std::string s(m.pick(200), '\0');
    for (char& c : s) c = static_cast<char>(m.pick(256));
    check_input(s);
  }
}

TEST_CASE("pathological sizes: deep nesting, long chains, long lines") {
  check_input("0 f(" + std::string(100000, '[') + ") = 0");
  check_input("0 f(" + std::string(100000, '{') + ") = 0");
  std::string chain = "0 f(A";
  for (int i = 0; i < 20000; ++i) chain += "|A";
  CHECK(check_input(chain + ") = 0"));
  std::string many = "0 close(3) = 0\n";
  for (int i = 0; i < 20000; ++i) many += "+0 < . 1:1(0) ack 1 win 1\n";
  CHECK(check_input(many));
  check_input(std::string(100000, '+'));
  check_input(std::string(100000, '('));
}

}  // namespace
}  // namespace pkt
