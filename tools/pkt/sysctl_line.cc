#include "tools/pkt/sysctl_line.h"

namespace pkt {
namespace {

constexpr std::string_view kUsage = "only 'sysctl [-q] [-w] name=value ...' is supported";

struct Word {
  std::string text;
  std::size_t offset = 0;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '/';
}

// Characters that make /bin/sh do more than split words and strip quotes.
bool is_shell_special(char c) {
  switch (c) {
    case ';': case '&': case '|': case '<': case '>': case '(': case ')': case '$': case '`':
    case '*': case '?': case '[': case ']': case '{': case '}':
      return true;
    default:
      return false;
  }
}

struct Splitter {
  std::string_view cmd;
  SysctlCommand* out;

  bool fail(std::size_t offset, std::string message) {
    out->settings.clear();  // all or nothing: a half-applied command would mislead
    out->error = std::move(message);
    out->error_offset = offset;
    return false;
  }

  bool unsupported_syntax(std::size_t offset, char c) {
    return fail(offset, "unsupported shell syntax '" + std::string(1, c) + "' (" + std::string(kUsage) + ")");
  }

  bool split(std::vector<Word>& words) {
    std::size_t i = 0;
    const std::size_t n = cmd.size();
    while (true) {
      while (i < n && is_blank(cmd[i])) ++i;
      if (i >= n) return true;
      Word w;
      w.offset = i;
      if (cmd[i] == '#' || cmd[i] == '~') return unsupported_syntax(i, cmd[i]);
      while (i < n && !is_blank(cmd[i])) {
        const char c = cmd[i];
        if (c == '\'') {
          const std::size_t close = cmd.find('\'', i + 1);
          if (close == std::string_view::npos) return fail(i, "unterminated single quote");
          w.text.append(cmd.substr(i + 1, close - i - 1));
          i = close + 1;
        } else if (c == '"') {
          const std::size_t open = i++;
          while (true) {
            if (i >= n) return fail(open, "unterminated double quote");
            const char d = cmd[i];
            if (d == '"') {
              ++i;
              break;
            }
            if (d == '$' || d == '`') return unsupported_syntax(i, d);
            if (d == '\\' && i + 1 < n &&
                (cmd[i + 1] == '"' || cmd[i + 1] == '\\' || cmd[i + 1] == '$' || cmd[i + 1] == '`')) {
              w.text += cmd[i + 1];
              i += 2;
            } else if (d == '\\' && i + 1 < n && cmd[i + 1] == '\n') {
              i += 2;  // line continuation
            } else {
              w.text += d;
              ++i;
            }
          }
        } else if (c == '\\') {
          if (i + 1 >= n) return fail(i, "trailing backslash");
          if (cmd[i + 1] != '\n') w.text += cmd[i + 1];
          i += 2;
        } else if (is_shell_special(c)) {
          return unsupported_syntax(i, c);
        } else {
          w.text += c;
          ++i;
        }
      }
      words.push_back(std::move(w));
    }
  }
};

bool is_flag_word(const std::string& w) { return w.size() > 1 && w[0] == '-' && w.find('=') == std::string::npos; }

}  // namespace

SysctlCommand parse_sysctl_command(std::string_view command) {
  SysctlCommand out;
  Splitter splitter{command, &out};
  std::vector<Word> words;
  if (!splitter.split(words)) return out;
  if (words.empty()) {
    splitter.fail(0, "empty shell command (" + std::string(kUsage) + ")");
    return out;
  }
  const std::string& program = words[0].text;
  const std::size_t slash = program.rfind('/');
  const std::string base = slash == std::string::npos ? program : program.substr(slash + 1);
  if (base != "sysctl") {
    splitter.fail(words[0].offset, "unsupported shell command '" + program + "' (" + std::string(kUsage) + ")");
    return out;
  }
  for (std::size_t k = 1; k < words.size(); ++k) {
    const Word& w = words[k];
    if (is_flag_word(w.text)) {
      // -q (quiet) and -w (write) change nothing for us; any other flag would.
      if (w.text == "--quiet" || w.text == "--write") continue;
      for (std::size_t j = 1; j < w.text.size(); ++j) {
        if (w.text[j] != 'q' && w.text[j] != 'w') {
          splitter.fail(w.offset, "unsupported sysctl flag '" + w.text + "' (" + std::string(kUsage) + ")");
          return out;
        }
      }
      continue;
    }
    const std::size_t eq = w.text.find('=');
    if (eq == std::string::npos) {
      splitter.fail(w.offset, "reading sysctl '" + w.text + "' is not supported: write name=value");
      return out;
    }
    SysctlSetting s;
    s.name = w.text.substr(0, eq);
    s.value = w.text.substr(eq + 1);
    if (s.name.empty()) {
      splitter.fail(w.offset, "missing sysctl name before '='");
      return out;
    }
    for (char& c : s.name) {
      if (!is_name_char(c)) {
        splitter.fail(w.offset, "invalid sysctl name '" + s.name + "'");
        return out;
      }
      if (c == '/') c = '.';  // sysctl(8) accepts both spellings
    }
    if (s.value.empty()) {
      splitter.fail(w.offset + eq + 1, "missing value for sysctl '" + s.name + "'");
      return out;
    }
    out.settings.push_back(std::move(s));
  }
  if (out.settings.empty()) splitter.fail(words[0].offset, "sysctl command sets nothing (" + std::string(kUsage) + ")");
  return out;
}

SourceLoc command_offset_loc(const ShellCommand& command, std::size_t offset) {
  SourceLoc loc{command.loc.line, command.loc.column + 1};
  for (std::size_t i = 0; i < offset && i < command.command.size(); ++i) {
    if (command.command[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

}  // namespace pkt
