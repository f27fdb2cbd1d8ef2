#include "sim/config/json_reader.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace sim::config {

namespace {

// Tracks where the parser is, to name a duplicate key by its pointer. The
// parser reports structure as events; each open container is a frame whose
// "position" is the key or index of the child being parsed.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(const std::string& file) : file_(file) {}

  bool on_event(nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (event) {
      case E::object_start:
        frames_.push_back(Frame{true, {}, {}, 0});
        break;
      case E::array_start:
        frames_.push_back(Frame{false, {}, {}, 0});
        break;
      case E::key: {
        Frame& f = frames_.back();
        const std::string& k = parsed.get_ref<const std::string&>();
        if (!f.keys.insert(k).second) {
          throw ConfigError(file_, container_pointer() + "/" + json_pointer_escape(k),
                            "duplicate key \"" + k + "\"");
        }
        f.key = k;
        break;
      }
      case E::value:
        element_done();
        break;
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        element_done();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::string key;
    size_t index;
  };

  void element_done() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }

  // Pointer to the innermost open container.
  std::string container_pointer() const {
    std::string p;
    for (size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      p += "/" + (f.is_object ? json_pointer_escape(f.key) : std::to_string(f.index));
    }
    return p;
  }

  const std::string& file_;
  std::vector<Frame> frames_;
};

// nlohmann's parse_error carries the byte offset of the last character read;
// turn it into a 1-based line and column.
void line_column(std::string_view text, size_t byte, int& line, int& column) {
  line = 1;
  column = 1;
  const size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax
// error while parsing ..." -> "syntax error while parsing ...".
std::string parse_error_text(const std::string& what) {
  const size_t col = what.find("column ");
  if (col != std::string::npos) {
    const size_t colon = what.find(": ", col);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  const size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

const char* article_type(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    default:
      return nullptr;
  }
}

// Levenshtein distance, for "did you mean" on unknown keys.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

JsonDoc parse_json_text(std::string file, std::string_view text) {
  JsonDoc doc;
  doc.file = std::move(file);
  DuplicateKeyCheck dup(doc.file);
  try {
    doc.root = nlohmann::json::parse(
        text.begin(), text.end(),
        [&dup](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
          return dup.on_event(event, parsed);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const nlohmann::json::parse_error& e) {
    int line = 0;
    int column = 0;
    line_column(text, e.byte, line, column);
    throw ConfigError(doc.file, line, column, "invalid JSON: " + parse_error_text(e.what()));
  }
  return doc;
}

JsonDoc load_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError(path, "", "cannot read file");
  return parse_json_text(path, ss.str());
}

// ---- JsonValue -------------------------------------------------------------

void JsonValue::fail(const std::string& message) const { throw ConfigError(*file_, pointer_, message); }

std::string JsonValue::describe() const {
  if (const char* a = article_type(*j_)) return a;
  std::string s = j_->dump();
  constexpr size_t kMax = 60;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

void JsonValue::fail_expected(std::string_view what) const {
  fail("expected " + std::string(what) + ", got " + describe());
}

std::string JsonValue::as_string() const {
  if (!j_->is_string()) fail_expected("a string");
  return j_->get<std::string>();
}

bool JsonValue::as_bool() const {
  if (!j_->is_boolean()) fail_expected("true or false");
  return j_->get<bool>();
}

int64_t JsonValue::as_int(int64_t min, int64_t max) const {
  const std::string what = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (j_->is_number_unsigned()) {
    const uint64_t v = j_->get<uint64_t>();
    if (max < 0 || v > static_cast<uint64_t>(max) || (min > 0 && v < static_cast<uint64_t>(min))) fail_expected(what);
    return static_cast<int64_t>(v);
  }
  if (!j_->is_number_integer()) fail_expected(what);
  const int64_t v = j_->get<int64_t>();
  if (v < min || v > max) fail_expected(what);
  return v;
}

sim::Time JsonValue::as_duration() const {
  static constexpr std::string_view kWhat = "a duration like \"10ms\"";
  if (!j_->is_string()) fail_expected(kWhat);
  auto d = parse_duration(j_->get_ref<const std::string&>());
  if (!d) fail_expected(kWhat);
  return *d;
}

uint64_t JsonValue::as_bandwidth() const {
  static constexpr std::string_view kWhat = "a bandwidth like \"1Gbps\"";
  if (!j_->is_string()) fail_expected(kWhat);
  auto b = parse_bandwidth(j_->get_ref<const std::string&>());
  if (!b) fail_expected(kWhat);
  return *b;
}

uint64_t JsonValue::as_size() const {
  static constexpr std::string_view kWhat = "a size like \"1500B\" or \"64KiB\"";
  if (!j_->is_string()) fail_expected(kWhat);
  auto s = parse_size(j_->get_ref<const std::string&>());
  if (!s) fail_expected(kWhat);
  return *s;
}

Probability JsonValue::as_probability() const {
  static constexpr std::string_view kWhat = "a probability like 0.01 or \"1%\"";
  std::optional<Probability> p;
  if (j_->is_number()) {
    p = probability_from_double(j_->get<double>());
  } else if (j_->is_string()) {
    p = parse_probability(j_->get_ref<const std::string&>());
  }
  if (!p) fail_expected(kWhat);
  return *p;
}

uint32_t JsonValue::as_ipv4() const {
  static constexpr std::string_view kWhat = "an IPv4 address like \"10.0.0.1\"";
  if (!j_->is_string()) fail_expected(kWhat);
  auto a = sim::wire::parse_ipv4_addr(j_->get_ref<const std::string&>());
  if (!a) fail_expected(kWhat);
  return *a;
}

sim::wire::Ipv4Prefix JsonValue::as_ipv4_interface() const {
  static constexpr std::string_view kWhat = "an IPv4 address with prefix length like \"10.0.0.1/24\"";
  if (!j_->is_string()) fail_expected(kWhat);
  auto p = sim::wire::parse_ipv4_interface(j_->get_ref<const std::string&>());
  if (!p) fail_expected(kWhat);
  return *p;
}

sim::wire::Ipv4Prefix JsonValue::as_ipv4_network() const {
  static constexpr std::string_view kWhat = "an IPv4 network like \"10.0.0.0/24\"";
  if (!j_->is_string()) fail_expected(kWhat);
  const std::string& text = j_->get_ref<const std::string&>();
  if (auto p = sim::wire::parse_ipv4_prefix(text)) return *p;
  // Say precisely what is wrong with an interface-style address.
  if (auto i = sim::wire::parse_ipv4_interface(text)) {
    const sim::wire::Ipv4Prefix net{i->addr & sim::wire::ipv4_mask(i->len), i->len};
    fail_expected(std::string(kWhat) + " (host bits zero, e.g. \"" + sim::wire::ipv4_prefix_str(net) + "\")");
  }
  fail_expected(kWhat);
}

JsonValue JsonValue::child(const std::string& key, const nlohmann::json& j) const {
  return JsonValue(*file_, j, pointer_ + "/" + json_pointer_escape(key));
}

JsonValue JsonValue::child(size_t index, const nlohmann::json& j) const {
  return JsonValue(*file_, j, pointer_ + "/" + std::to_string(index));
}

JsonObject JsonValue::as_object(std::initializer_list<std::string_view> allowed) const {
  return check_object(allowed.begin(), allowed.size());
}

JsonObject JsonValue::as_object(const std::vector<std::string_view>& allowed) const {
  return check_object(allowed.data(), allowed.size());
}

JsonObject JsonValue::as_map() const {
  if (!j_->is_object()) fail_expected("an object");
  return JsonObject(*this);
}

JsonObject JsonValue::check_object(const std::string_view* allowed, size_t n) const {
  if (!j_->is_object()) fail_expected("an object");
  for (const auto& [key, value] : j_->items()) {
    if (std::find(allowed, allowed + n, std::string_view(key)) != allowed + n) continue;
    std::string msg = "unknown key \"" + key + "\"";
    std::string_view best;
    size_t best_d = 3;  // suggest only close matches (typos)
    for (size_t i = 0; i < n; ++i) {
      const size_t d = edit_distance(key, allowed[i]);
      if (d < best_d) {
        best_d = d;
        best = allowed[i];
      }
    }
    if (!best.empty()) msg += " (did you mean \"" + std::string(best) + "\"?)";
    msg += "; allowed keys: ";
    for (size_t i = 0; i < n; ++i) msg += (i ? ", " : "") + std::string(allowed[i]);
    child(key, value).fail(msg);
  }
  return JsonObject(*this);
}

std::vector<JsonValue> JsonValue::as_array() const {
  if (!j_->is_array()) fail_expected("an array");
  std::vector<JsonValue> out;
  out.reserve(j_->size());
  for (size_t i = 0; i < j_->size(); ++i) out.push_back(child(i, (*j_)[i]));
  return out;
}

// ---- JsonObject ------------------------------------------------------------

bool JsonObject::has(std::string_view key) const { return self_.json().contains(key); }

std::optional<JsonValue> JsonObject::get(std::string_view key) const {
  auto it = self_.json().find(key);
  if (it == self_.json().end()) return std::nullopt;
  return self_.child(it.key(), *it);
}

JsonValue JsonObject::required(std::string_view key) const {
  auto v = get(key);
  if (!v) self_.fail("missing required key \"" + std::string(key) + "\"");
  return *v;
}

std::vector<std::pair<std::string, JsonValue>> JsonObject::members() const {
  std::vector<std::pair<std::string, JsonValue>> out;
  for (auto it = self_.json().begin(); it != self_.json().end(); ++it) out.emplace_back(it.key(), self_.child(it.key(), *it));
  return out;
}

std::string JsonObject::get_string(std::string_view key, std::string def) const {
  auto v = get(key);
  return v ? v->as_string() : def;
}

bool JsonObject::get_bool(std::string_view key, bool def) const {
  auto v = get(key);
  return v ? v->as_bool() : def;
}

int64_t JsonObject::get_int(std::string_view key, int64_t def, int64_t min, int64_t max) const {
  auto v = get(key);
  return v ? v->as_int(min, max) : def;
}

sim::Time JsonObject::get_duration(std::string_view key, sim::Time def) const {
  auto v = get(key);
  return v ? v->as_duration() : def;
}

uint64_t JsonObject::get_bandwidth(std::string_view key, uint64_t def) const {
  auto v = get(key);
  return v ? v->as_bandwidth() : def;
}

uint64_t JsonObject::get_size(std::string_view key, uint64_t def) const {
  auto v = get(key);
  return v ? v->as_size() : def;
}

Probability JsonObject::get_probability(std::string_view key, Probability def) const {
  auto v = get(key);
  return v ? v->as_probability() : def;
}

}  // namespace sim::config
