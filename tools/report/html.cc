#include "tools/report/html.h"

#include <cmath>
#include <cstdio>

namespace netsim::report {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(double v) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  }
  return buf;
}

std::string format_duration_ns(double ns) {
  if (!std::isfinite(ns)) return "-";
  if (ns == 0) return "0";
  const double a = std::fabs(ns);
  const char* unit = "ns";
  double v = ns;
  if (a >= 1e9) {
    v = ns / 1e9, unit = "s";
  } else if (a >= 1e6) {
    v = ns / 1e6, unit = "ms";
  } else if (a >= 1e3) {
    v = ns / 1e3, unit = "us";
  }
  char buf[64];
  if (v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f %s", v, unit);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g %s", v, unit);
    if (std::fabs(v) >= 100) std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
  }
  return buf;
}

std::string format_percent(double ratio) {
  if (!std::isfinite(ratio)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f%%", ratio * 100.0);
  return buf;
}

std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& numeric, std::string_view css_class) {
  auto is_num = [&](size_t i) { return i < numeric.size() && numeric[i]; };
  std::string out = "<table";
  if (!css_class.empty()) out += " class=\"" + std::string(css_class) + "\"";
  out += ">\n<thead><tr>";
  for (size_t i = 0; i < header.size(); ++i) {
    out += is_num(i) ? "<th class=\"num\">" : "<th>";
    out += header[i] + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      out += is_num(i) ? "<td class=\"num\">" : "<td>";
      out += row[i] + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  return out;
}

}  // namespace netsim::report
