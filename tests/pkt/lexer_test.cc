// Token boundaries where packetdrill's lexer has to be matched exactly:
// times next to ellipses, flags next to dots, ports next to '>'.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tools/pkt/lexer.h"

namespace pkt {
namespace {

// "Kind:text" for each token, End included.
std::vector<std::string> kinds(std::string_view src) {
  static const char* names[] = {"End", "Error", "Int", "Hex", "Float", "Ipv4", "Word",
                                "Str", "BQ", "Code", "Opt", "Ell", "P"};
  std::vector<std::string> out;
  for (const Token& t : tokenize(src)) out.push_back(std::string(names[static_cast<int>(t.kind)]) + ":" + t.text);
  return out;
}

using V = std::vector<std::string>;

TEST_CASE("blocking time: +0...0.1 is '+', 0, '...', 0.1") {
  CHECK(kinds("+0...0.1") == V{"P:+", "Int:0", "Ell:...", "Float:0.1", "End:"});
  CHECK(kinds("+.1...1.5") == V{"P:+", "Float:.1", "Ell:...", "Float:1.5", "End:"});
}

TEST_CASE("flags next to dots; dots next to digits make floats") {
  CHECK(kinds("S. 0:0(0)") == V{"Word:S", "P:.", "Int:0", "P::", "Int:0", "P:(", "Int:0", "P:)", "End:"});
  CHECK(kinds(". 1:1(0)") == V{"P:.", "Int:1", "P::", "Int:1", "P:(", "Int:0", "P:)", "End:"});
  CHECK(kinds("P.1") == V{"Word:P", "Float:.1", "End:"});
}

TEST_CASE("numbers: negative, hex, floats, addresses") {
  CHECK(kinds("-1 -.5 -2.25") == V{"Int:-1", "Float:-.5", "Float:-2.25", "End:"});
  CHECK(kinds("0x1F 0xZZ 0x") == V{"Hex:0x1F", "Word:0xZZ", "Word:0x", "End:"});
  CHECK(kinds("192.0.2.1") == V{"Ipv4:192.0.2.1", "End:"});
  // Three groups: flex's longest match gives a float and then another one.
  CHECK(kinds("1.2.3") == V{"Float:1.2", "Float:.3", "End:"});
  CHECK(kinds("1.") == V{"Int:1", "P:.", "End:"});
  CHECK(kinds("40001>8080") == V{"Int:40001", "P:>", "Int:8080", "End:"});
  CHECK(kinds("1460abc") == V{"Word:1460abc", "End:"});
  CHECK(kinds("- 1") == V{"P:-", "Int:1", "End:"});
}

TEST_CASE("strings, backquotes, code, options") {
  CHECK(kinds(R"("a\tb\"c" "")") == V{"Str:a\tb\"c", "Str:", "End:"});
  CHECK(kinds("`sysctl -q a=\"1 2\" \\` x`") == V{"BQ:sysctl -q a=\"1 2\" \\` x", "End:"});
  CHECK(kinds("%{ x = 1 }%") == V{"Code: x = 1 ", "End:"});
  const std::vector<Token> t = tokenize("--a=1 --b=\"x y\" --c --remote_ip=192.0.2.1/24");
  REQUIRE(t.size() == 5);
  CHECK(t[0].text == "a");
  CHECK(t[0].option_value == std::optional<std::string>("1"));
  CHECK(t[1].option_value == std::optional<std::string>("x y"));
  CHECK_FALSE(t[2].option_value.has_value());
  CHECK(t[3].option_value == std::optional<std::string>("192.0.2.1/24"));
  CHECK(kinds("-- x") == V{"P:-", "P:-", "Word:x", "End:"});
}

TEST_CASE("locations: 1-based lines and byte columns across comments") {
  const std::vector<Token> t = tokenize("a /* x\n y */ b // c\n\tc\n");
  REQUIRE(t.size() == 4);
  CHECK(t[0].loc == SourceLoc{1, 1});
  CHECK(t[1].loc == SourceLoc{2, 7});
  CHECK(t[2].loc == SourceLoc{3, 2});
  CHECK(t[3].kind == TokenKind::End);
  CHECK(t[3].loc == SourceLoc{4, 1});
  CHECK(t[1].begin == 13);
  CHECK(t[1].end == 14);
}

TEST_CASE("lexical errors end the stream with one Error token") {
  const std::vector<Token> t = tokenize("a \"open\nstring");
  REQUIRE(t.size() == 2);
  CHECK(t[1].kind == TokenKind::Error);
  CHECK(t[1].text == "unterminated string");
  CHECK(t[1].loc == SourceLoc{1, 3});
  CHECK(tokenize("/* x").back().text == "unterminated comment '/*'");
  CHECK(tokenize("\"\\x\"").back().text == "escape '\\x' needs hex digits");
}

TEST_CASE("NUL and high bytes are ordinary punctuation, described by value") {
  const std::vector<Token> t = tokenize(std::string_view("a\0\xff", 3));
  REQUIRE(t.size() == 4);
  CHECK(describe(t[1]) == "byte 0x00");
  CHECK(describe(t[2]) == "byte 0xff");
  CHECK(describe(t[3]) == "end of file");
  CHECK(describe(tokenize("abc")[0]) == "'abc'");
  CHECK(describe(tokenize("\"a\nb\"")[0]) == "string \"a\\nb\"");
  CHECK(describe(tokenize("--mss=1")[0]) == "option '--mss'");
}

}  // namespace
}  // namespace pkt
