// Lexer for the packetdrill script language.
//
// The language is free-form (newlines are whitespace), so the whole input is
// turned into tokens up front. A lexical error (unterminated string, comment
// or backquote, bad escape) becomes a final Error token at its position: the
// parser reports it only when it gets there, so an earlier syntax error still
// wins, as it does in packetdrill's flex/bison pair.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/pkt/ast.h"

namespace pkt {

enum class TokenKind {
  End,         // end of input
  Error,       // lexical error; text is the message
  Integer,     // 12, -1 (text is the raw digits)
  HexInteger,  // 0x1f
  Float,       // 0.1, .1, -1.5
  Ipv4,        // 192.0.2.1
  Word,        // [A-Za-z0-9_]+ that is not a number: names, keywords, flags
  String,      // "..." (text is unescaped)
  BackQuote,   // `...` (text is the raw content)
  Code,        // %{ ... }% (unsupported; text is the content)
  Option,      // --name[=value] (text is the name)
  Ellipsis,    // ...
  Punct,       // any other single byte
};

struct Token {
  TokenKind kind = TokenKind::End;
  SourceLoc loc;
  std::size_t begin = 0, end = 0;  // byte range of the raw token in the source
  std::string text;
  std::optional<std::string> option_value;  // Option only

  bool is_punct(char c) const { return kind == TokenKind::Punct && text.size() == 1 && text[0] == c; }
  bool is_word(std::string_view w) const { return kind == TokenKind::Word && text == w; }
};

// Never fails: the result always ends with exactly one End or Error token.
std::vector<Token> tokenize(std::string_view source);

// How a token reads in "expected X, got Y" messages: 'accept', '(', end of file.
std::string describe(const Token& token);

}  // namespace pkt
