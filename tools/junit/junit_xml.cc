#include "tools/junit/junit_xml.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace netsim::junit {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// XML 1.0 section 2.2: the characters a document may contain.
bool xml_char_allowed(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Decodes one UTF-8 sequence at s[i]. Returns its length and sets *cp, or
// returns 0 for a malformed, overlong, surrogate or out-of-range sequence.
size_t decode_utf8(std::string_view s, size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = 0;
  char32_t c = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

std::string escape(std::string_view s, bool attr) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size();) {
    char32_t c = 0;
    const size_t n = decode_utf8(s, i, &c);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (!xml_char_allowed(c)) {
      out += kReplacement;
    } else if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '"' && attr) {
      out += "&quot;";
    } else if (c == '\r') {
      out += "&#13;";  // a parser would turn a literal CR(LF) into LF
    } else if (attr && c == '\n') {
      out += "&#10;";  // attribute normalisation would turn it into a space
    } else if (attr && c == '\t') {
      out += "&#9;";
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string format_time(double seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", seconds < 0 ? 0.0 : seconds);
  return buf;
}

const char* element_for(Outcome o) {
  switch (o) {
    case Outcome::kFailed: return "failure";
    case Outcome::kError: return "error";
    case Outcome::kSkipped: return "skipped";
    case Outcome::kPassed: break;
  }
  return nullptr;
}

void append_case(std::string& out, const TestCase& tc) {
  out += "    <testcase name=\"" + xml_escape_attr(tc.name) + "\" classname=\"" +
         xml_escape_attr(tc.classname) + "\"";
  if (tc.time_s) out += " time=\"" + format_time(*tc.time_s) + "\"";
  const char* element = element_for(tc.outcome);
  if (!element && tc.system_out.empty()) {
    out += "/>\n";
    return;
  }
  out += ">\n";
  if (element) {
    out += std::string("      <") + element + " message=\"" + xml_escape_attr(tc.message) + "\"";
    if (!tc.type.empty()) out += " type=\"" + xml_escape_attr(tc.type) + "\"";
    if (tc.detail.empty()) {
      out += "/>\n";
    } else {
      out += ">" + xml_escape_text(tc.detail) + "</" + element + ">\n";
    }
  }
  if (!tc.system_out.empty()) {
    out += "      <system-out>" + xml_escape_text(tc.system_out) + "</system-out>\n";
  }
  out += "    </testcase>\n";
}

std::string totals_attrs(const Totals& t) {
  return " tests=\"" + std::to_string(t.tests) + "\" failures=\"" + std::to_string(t.failures) +
         "\" errors=\"" + std::to_string(t.errors) + "\" skipped=\"" + std::to_string(t.skipped) +
         "\"";
}

}  // namespace

std::string xml_escape_text(std::string_view s) { return escape(s, /*attr=*/false); }
std::string xml_escape_attr(std::string_view s) { return escape(s, /*attr=*/true); }

Totals totals(const TestSuite& suite) {
  Totals t;
  for (const TestCase& tc : suite.cases) {
    ++t.tests;
    switch (tc.outcome) {
      case Outcome::kFailed: ++t.failures; break;
      case Outcome::kError: ++t.errors; break;
      case Outcome::kSkipped: ++t.skipped; break;
      case Outcome::kPassed: break;
    }
  }
  return t;
}

std::string junit_xml(std::string_view name, const std::vector<TestSuite>& suites) {
  Totals all;
  std::optional<double> all_time;
  for (const TestSuite& s : suites) {
    const Totals t = totals(s);
    all.tests += t.tests;
    all.failures += t.failures;
    all.errors += t.errors;
    all.skipped += t.skipped;
    if (s.time_s) all_time = all_time.value_or(0.0) + *s.time_s;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"" + xml_escape_attr(name) + "\"" + totals_attrs(all);
  if (all_time) out += " time=\"" + format_time(*all_time) + "\"";
  out += ">\n";
  for (const TestSuite& s : suites) {
    out += "  <testsuite name=\"" + xml_escape_attr(s.name) + "\"" + totals_attrs(totals(s));
    if (s.time_s) out += " time=\"" + format_time(*s.time_s) + "\"";
    if (s.cases.empty() && s.properties.empty()) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    if (!s.properties.empty()) {
      out += "    <properties>\n";
      for (const auto& [k, v] : s.properties) {
        out += "      <property name=\"" + xml_escape_attr(k) + "\" value=\"" + xml_escape_attr(v) +
               "\"/>\n";
      }
      out += "    </properties>\n";
    }
    for (const TestCase& tc : s.cases) append_case(out, tc);
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

bool write_junit_file(const std::string& path, std::string_view name,
                      const std::vector<TestSuite>& suites, std::string* error) {
  const std::string xml = junit_xml(name, suites);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f.write(xml.data(), static_cast<std::streamsize>(xml.size()));
  if (f) f.close();
  if (!f) {
    if (error) *error = path + ": cannot write JUnit report (" + std::strerror(errno) + ")";
    return false;
  }
  return true;
}

}  // namespace netsim::junit
