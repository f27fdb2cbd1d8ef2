// A thin layer over nlohmann::json for reading input files strictly: every
// read knows its place (file + JSON pointer), so that any mistake becomes a
// ConfigError that says where and what was expected.
//
//   JsonDoc doc = load_json_file("topologies/x.json");
//   JsonObject top = JsonValue(doc).as_object({"nodes", "links", "routes"});
//   for (const JsonValue& l : top.required("links").as_array()) {
//     JsonObject link = l.as_object({"name", "delay", ...});   // unknown key -> error naming it
//     sim::Time delay = link.get_duration("delay", sim::Time());  // "/links/3/delay: expected ..."
//   }
//
// Objects are read with an explicit set of allowed keys: a typo in a file is
// an error, never a silently ignored setting. Duplicate keys in one object are
// rejected at load time (nlohmann would keep the last one silently).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/config_error.h"
#include "sim/config/units.h"
#include "sim/time.h"
#include "sim/wire/ipv4_addr.h"

namespace sim::config {

struct JsonDoc {
  std::string file;  // as given by the caller; used verbatim in messages
  nlohmann::json root;
};

// Reads and parses a file. Unreadable file: ConfigError at the root. Malformed
// JSON: ConfigError with line and column. Duplicate key: ConfigError at its pointer.
JsonDoc load_json_file(const std::string& path);
// The same for text already in memory; `file` names it in messages.
JsonDoc parse_json_text(std::string file, std::string_view text);

class JsonObject;

// One node of a document and its place. Cheap to copy (two pointers and the
// pointer string). The JsonDoc must outlive it.
class JsonValue {
 public:
  explicit JsonValue(const JsonDoc& doc) : file_(&doc.file), j_(&doc.root) {}
  JsonValue(const std::string& file, const nlohmann::json& j, std::string pointer)
      : file_(&file), j_(&j), pointer_(std::move(pointer)) {}

  const nlohmann::json& json() const { return *j_; }
  const std::string& file() const { return *file_; }
  const std::string& pointer() const { return pointer_; }

  // Raises a ConfigError at this value's place.
  [[noreturn]] void fail(const std::string& message) const;
  // Raises `expected WHAT, got VALUE` at this value's place.
  [[noreturn]] void fail_expected(std::string_view what) const;
  // How a value is quoted in messages: scalars as JSON text (strings in
  // quotes, long ones cut), containers as "an object" / "an array".
  std::string describe() const;

  bool is_null() const { return j_->is_null(); }
  bool is_string() const { return j_->is_string(); }
  bool is_object() const { return j_->is_object(); }
  bool is_array() const { return j_->is_array(); }
  bool is_integer() const { return j_->is_number_integer(); }
  bool is_number() const { return j_->is_number(); }

  std::string as_string() const;
  bool as_bool() const;
  // An integral JSON number (1.0 is not one) within [min, max].
  int64_t as_int(int64_t min, int64_t max) const;
  sim::Time as_duration() const;       // "10ms"
  uint64_t as_bandwidth() const;       // "1Gbps" -> bits/s, > 0
  uint64_t as_size() const;            // "64KiB" -> bytes
  Probability as_probability() const;  // 0.01, "1%", "0.01"
  uint32_t as_ipv4() const;                        // "10.0.0.1"
  sim::wire::Ipv4Prefix as_ipv4_interface() const;  // "10.0.0.1/24": address + on-link length
  sim::wire::Ipv4Prefix as_ipv4_network() const;    // "10.0.0.0/24": host bits must be zero

  // An object whose keys must all be in `allowed` (the error for an unknown
  // key names it, suggests a near match and lists the allowed ones).
  JsonObject as_object(std::initializer_list<std::string_view> allowed) const;
  JsonObject as_object(const std::vector<std::string_view>& allowed) const;
  // An object with free-form keys (e.g. a map from sysctl names to values);
  // the caller validates the keys through members().
  JsonObject as_map() const;
  // The elements, each with its pointer (/links/0, /links/1, ...).
  std::vector<JsonValue> as_array() const;

  // The child at `key` / `index`, with its pointer. No type checks.
  JsonValue child(const std::string& key, const nlohmann::json& j) const;
  JsonValue child(size_t index, const nlohmann::json& j) const;

 private:
  JsonObject check_object(const std::string_view* allowed, size_t n) const;

  const std::string* file_;
  const nlohmann::json* j_;
  std::string pointer_;
};

// An object already checked for unknown keys. Getters take a default used
// when the key is absent; a present key with a wrong type or unit is an error
// (null is a wrong type too: there is no "explicitly unset").
class JsonObject {
 public:
  explicit JsonObject(JsonValue self) : self_(std::move(self)) {}

  const JsonValue& self() const { return self_; }
  [[noreturn]] void fail(const std::string& message) const { self_.fail(message); }

  bool has(std::string_view key) const;
  std::optional<JsonValue> get(std::string_view key) const;
  // Missing key: `/links/3: missing required key "delay"`.
  JsonValue required(std::string_view key) const;
  // All members in key order (nlohmann keeps objects sorted: deterministic).
  std::vector<std::pair<std::string, JsonValue>> members() const;

  std::string get_string(std::string_view key, std::string def) const;
  bool get_bool(std::string_view key, bool def) const;
  int64_t get_int(std::string_view key, int64_t def, int64_t min, int64_t max) const;
  sim::Time get_duration(std::string_view key, sim::Time def) const;
  uint64_t get_bandwidth(std::string_view key, uint64_t def) const;
  uint64_t get_size(std::string_view key, uint64_t def) const;
  Probability get_probability(std::string_view key, Probability def) const;

 private:
  JsonValue self_;
};

}  // namespace sim::config
