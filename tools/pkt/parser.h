// Recursive-descent parser for packetdrill-language scripts (see LANGUAGE.md
// for the accepted subset and its meaning).
//
// Errors name the place and what went wrong:
//   a.pkt:12:7: expected ')' or ',' in the argument list of accept(), got ';'
//   a.pkt:3:5: unsupported: ICMP packets
//   a.pkt:9:16: inconsistent TCP sequence numbers: 1:11 covers 10 bytes, not 5
// Parsing stops at the first error. No input makes the parser crash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tools/pkt/ast.h"

namespace pkt {

struct ParseError {
  std::string file;
  SourceLoc loc;  // line 0 when the error is about the whole file (unreadable)
  std::string message;

  // "file:line:column: message", or "file: message" without a location.
  std::string to_string() const;
};

struct ParseResult {
  std::optional<Script> script;     // set on success
  std::optional<ParseError> error;  // set on failure

  bool ok() const { return script.has_value(); }
};

// `file` is only used in messages and Script::path.
ParseResult parse_script(std::string_view source, std::string file);

// Reads and parses a file; an unreadable file is an error without location.
ParseResult parse_script_file(const std::string& path);

}  // namespace pkt
