// Helpers shared by the pkt parser tests.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "tools/pkt/parser.h"

namespace pkt::testing {

// Parses `text` as t.pkt and fails the test (showing the error) if it does not parse.
inline Script parse_ok(std::string_view text) {
  ParseResult r = parse_script(text, "t.pkt");
  INFO("parse error: " << (r.error ? r.error->to_string() : std::string("none")));
  REQUIRE(r.ok());
  return std::move(*r.script);
}

// The full error line for `text`, or "" if it parses.
inline std::string parse_error(std::string_view text) {
  ParseResult r = parse_script(text, "t.pkt");
  return r.error ? r.error->to_string() : std::string();
}

// The single event of a one-event script.
inline Event only_event(std::string_view text) {
  Script s = parse_ok(text);
  REQUIRE(s.events.size() == 1);
  return std::move(s.events.front());
}

}  // namespace pkt::testing
