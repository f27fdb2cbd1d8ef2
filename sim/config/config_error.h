// The one error type for bad input files (topologies, scenarios): it names the
// file, the place in it and what was expected, so that `netsim check` can print
// one precise line and exit 2. Only the CLI catches it; everything below throws.
//
// The place is a JSON pointer (RFC 6901), e.g. "/links/3/delay", or, for text
// that is not valid JSON at all, a line and column.
#pragma once

#include <stdexcept>
#include <string>

namespace sim::config {

struct ConfigError : std::runtime_error {
  // what(): `FILE: /links/3/delay: expected a duration like "10ms", got "10 parsecs"`
  ConfigError(std::string file, std::string pointer, std::string message);
  // what(): `FILE:3:17: MESSAGE` (malformed JSON, before any pointer exists)
  ConfigError(std::string file, int line, int column, std::string message);

  std::string file;
  std::string pointer;  // "" is the whole document (printed as "(root)")
  int line = 0;         // 1-based; 0 when the place is a pointer
  int column = 0;
  std::string message;  // e.g. `expected a duration like "10ms", got "10 parsecs"`
};

// RFC 6901 escaping of one reference token: "~" -> "~0", "/" -> "~1".
std::string json_pointer_escape(const std::string& token);

}  // namespace sim::config
