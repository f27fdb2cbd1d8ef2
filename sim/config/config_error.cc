#include "sim/config/config_error.h"

#include <utility>

namespace sim::config {

namespace {

std::string format_at_pointer(const std::string& file, const std::string& pointer, const std::string& message) {
  return file + ": " + (pointer.empty() ? std::string("(root)") : pointer) + ": " + message;
}

std::string format_at_line(const std::string& file, int line, int column, const std::string& message) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

}  // namespace

ConfigError::ConfigError(std::string file_, std::string pointer_, std::string message_)
    : std::runtime_error(format_at_pointer(file_, pointer_, message_)),
      file(std::move(file_)),
      pointer(std::move(pointer_)),
      message(std::move(message_)) {}

ConfigError::ConfigError(std::string file_, int line_, int column_, std::string message_)
    : std::runtime_error(format_at_line(file_, line_, column_, message_)),
      file(std::move(file_)),
      line(line_),
      column(column_),
      message(std::move(message_)) {}

std::string json_pointer_escape(const std::string& token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace sim::config
