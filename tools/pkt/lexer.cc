#include "tools/pkt/lexer.h"

#include <cstdio>

namespace pkt {
namespace {

// Character classes spelled out so that the host locale cannot change them.
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_ident(int c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Printable form of an arbitrary byte string for messages.
std::string printable(std::string_view s, std::size_t max_len) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max_len; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max_len) out += "...";
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  std::vector<Token> run() {
    while (true) {
      if (!skip_space_and_comments()) return std::move(tokens_);
      if (pos_ >= src_.size()) {
        push(TokenKind::End, pos_, loc(), "");
        return std::move(tokens_);
      }
      if (!lex_one()) return std::move(tokens_);
    }
  }

 private:
  // The byte at pos_+i, or -1 past the end (so a NUL byte in the input is not
  // mistaken for the end).
  int at(std::size_t i = 0) const {
    return pos_ + i < src_.size() ? static_cast<unsigned char>(src_[pos_ + i]) : -1;
  }
  SourceLoc loc() const { return SourceLoc{line_, col_}; }

  void advance(std::size_t n = 1) {
    for (std::size_t i = 0; i < n && pos_ < src_.size(); ++i, ++pos_) {
      if (src_[pos_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
    }
  }

  void push(TokenKind kind, std::size_t begin, SourceLoc start, std::string text) {
    Token t;
    t.kind = kind;
    t.loc = start;
    t.begin = begin;
    t.end = pos_;
    t.text = std::move(text);
    tokens_.push_back(std::move(t));
  }

  // Ends the token stream with a lexical error; returns false for the caller.
  bool error(SourceLoc where, std::size_t begin, std::string message) {
    push(TokenKind::Error, begin, where, std::move(message));
    return false;
  }

  bool skip_space_and_comments() {
    while (pos_ < src_.size()) {
      if (is_space(at())) {
        advance();
      } else if (at() == '/' && at(1) == '/') {
        while (pos_ < src_.size() && at() != '\n') advance();
      } else if (at() == '/' && at(1) == '*') {
        const SourceLoc start = loc();
        const std::size_t begin = pos_;
        const std::size_t close = src_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) return error(start, begin, "unterminated comment '/*'");
        advance(close + 2 - pos_);
      } else {
        break;
      }
    }
    return true;
  }

  bool lex_one() {
    const SourceLoc start = loc();
    const std::size_t begin = pos_;
    const int c = at();
    if (c == '"') return lex_string(start, begin);
    if (c == '`') return lex_backquote(start, begin);
    if (c == '%' && at(1) == '{') return lex_code(start, begin);
    if (c == '-' && at(1) == '-' && is_ident(at(2))) return lex_option(start, begin);
    if (c == '.' && at(1) == '.' && at(2) == '.') {
      advance(3);
      push(TokenKind::Ellipsis, begin, start, "...");
      return true;
    }
    if ((c == '.' && is_digit(at(1))) ||
        (c == '-' && (is_digit(at(1)) || (at(1) == '.' && is_digit(at(2)))))) {
      return lex_plain_number(start, begin);
    }
    if (is_ident(c)) return lex_ident_run(start, begin);
    advance();
    push(TokenKind::Punct, begin, start, std::string(1, static_cast<char>(c)));
    return true;
  }

  // -?digits?.digits or -digits: packetdrill's FLOAT and INTEGER patterns.
  bool lex_plain_number(SourceLoc start, std::size_t begin) {
    if (at() == '-') advance();
    while (is_digit(at())) advance();
    TokenKind kind = TokenKind::Integer;
    if (at() == '.' && is_digit(at(1))) {
      kind = TokenKind::Float;
      advance();
      while (is_digit(at())) advance();
    }
    push(kind, begin, start, std::string(src_.substr(begin, pos_ - begin)));
    return true;
  }

  // A run of [A-Za-z0-9_]: integer, float, IPv4 address, hex integer or word.
  bool lex_ident_run(SourceLoc start, std::size_t begin) {
    std::size_t n = 0;
    bool all_digits = true;
    while (is_ident(at(n))) {
      all_digits = all_digits && is_digit(at(n));
      ++n;
    }
    if (all_digits) {
      // Up to four dot-separated digit groups: 2 is a float, 4 an address; for
      // 3 groups only the first two form a float (as flex's longest match).
      std::size_t ends[4] = {n, 0, 0, 0};
      int groups = 1;
      std::size_t i = n;
      while (groups < 4 && at(i) == '.' && is_digit(at(i + 1))) {
        ++i;
        while (is_digit(at(i))) ++i;
        ends[groups++] = i;
      }
      if (groups == 4) {
        advance(ends[3]);
        push(TokenKind::Ipv4, begin, start, std::string(src_.substr(begin, pos_ - begin)));
      } else if (groups >= 2) {
        advance(ends[1]);
        push(TokenKind::Float, begin, start, std::string(src_.substr(begin, pos_ - begin)));
      } else {
        advance(n);
        push(TokenKind::Integer, begin, start, std::string(src_.substr(begin, pos_ - begin)));
      }
      return true;
    }
    advance(n);
    const std::string_view text = src_.substr(begin, n);
    bool hex = n > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    for (std::size_t k = 2; hex && k < n; ++k) hex = is_hex_digit(static_cast<unsigned char>(text[k]));
    push(hex ? TokenKind::HexInteger : TokenKind::Word, begin, start, std::string(text));
    return true;
  }

  bool lex_string(SourceLoc start, std::size_t begin) {
    advance();  // opening quote
    std::string value;
    while (true) {
      if (pos_ >= src_.size()) return error(start, begin, "unterminated string");
      const int c = at();
      if (c == '"') {
        advance();
        break;
      }
      if (c != '\\') {
        value += static_cast<char>(c);
        advance();
        continue;
      }
      const SourceLoc esc = loc();
      const int e = at(1);
      if (e < 0) return error(start, begin, "unterminated string");
      advance(2);
      switch (e) {
        case 'n': value += '\n'; break;
        case 't': value += '\t'; break;
        case 'r': value += '\r'; break;
        case 'a': value += '\a'; break;
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'v': value += '\v'; break;
        case '\\': value += '\\'; break;
        case '"': value += '"'; break;
        case '\'': value += '\''; break;
        case '?': value += '?'; break;
        case 'x': {
          if (!is_hex_digit(at())) return error(esc, begin, "escape '\\x' needs hex digits");
          int v = 0;
          for (int k = 0; k < 2 && is_hex_digit(at()); ++k) {
            const int h = at();
            v = v * 16 + (is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
            advance();
          }
          value += static_cast<char>(v);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int k = 0; k < 2 && at() >= '0' && at() <= '7'; ++k) {
              v = v * 8 + (at() - '0');
              advance();
            }
            value += static_cast<char>(v & 0xff);
          } else {
            const char raw[3] = {'\\', static_cast<char>(e), '\0'};
            return error(esc, begin, "unknown escape sequence '" + printable(raw, 2) + "' in string");
          }
      }
    }
    push(TokenKind::String, begin, start, std::move(value));
    return true;
  }

  // The command is kept raw: /bin/sh would interpret the escapes, not us.
  bool lex_backquote(SourceLoc start, std::size_t begin) {
    std::size_t i = pos_ + 1;
    while (i < src_.size() && src_[i] != '`') i += (src_[i] == '\\') ? 2 : 1;
    if (i >= src_.size()) return error(start, begin, "unterminated shell command (missing closing '`')");
    std::string content(src_.substr(pos_ + 1, i - pos_ - 1));
    advance(i + 1 - pos_);
    push(TokenKind::BackQuote, begin, start, std::move(content));
    return true;
  }

  bool lex_code(SourceLoc start, std::size_t begin) {
    const std::size_t close = src_.find("}%", pos_ + 2);
    if (close == std::string_view::npos) return error(start, begin, "unterminated code block '%{'");
    std::string content(src_.substr(pos_ + 2, close - pos_ - 2));
    advance(close + 2 - pos_);
    push(TokenKind::Code, begin, start, std::move(content));
    return true;
  }

  // --name or --name=value. The value is raw text up to whitespace, or a
  // double-quoted string (kept without unescaping, like packetdrill), so that
  // values such as 192.0.2.1/24 need no grammar of their own.
  bool lex_option(SourceLoc start, std::size_t begin) {
    advance(2);
    const std::size_t name_begin = pos_;
    while (is_ident(at())) advance();
    std::string name(src_.substr(name_begin, pos_ - name_begin));
    std::optional<std::string> value;
    if (at() == '=') {
      advance();
      if (at() == '"') {
        std::size_t i = pos_ + 1;
        while (i < src_.size() && src_[i] != '"') i += (src_[i] == '\\') ? 2 : 1;
        if (i >= src_.size()) return error(start, begin, "unterminated string in option '--" + name + "'");
        value = std::string(src_.substr(pos_ + 1, i - pos_ - 1));
        advance(i + 1 - pos_);
      } else {
        const std::size_t value_begin = pos_;
        while (pos_ < src_.size() && !is_space(at())) advance();
        if (pos_ == value_begin) return error(start, begin, "missing value after '--" + name + "='");
        value = std::string(src_.substr(value_begin, pos_ - value_begin));
      }
    }
    push(TokenKind::Option, begin, start, std::move(name));
    tokens_.back().option_value = std::move(value);
    return true;
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::End: return "end of file";
    case TokenKind::Error: return token.text;
    case TokenKind::String: return "string \"" + printable(token.text, 24) + "\"";
    case TokenKind::BackQuote: return "shell command `" + printable(token.text, 24) + "`";
    case TokenKind::Code: return "code block '%{'";
    case TokenKind::Option: return "option '--" + token.text + "'";
    case TokenKind::Punct: {
      const unsigned char c = static_cast<unsigned char>(token.text[0]);
      if (c < 0x20 || c >= 0x7f) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
        return buf;
      }
      return "'" + token.text + "'";
    }
    default: return "'" + printable(token.text, 40) + "'";
  }
}

}  // namespace pkt
