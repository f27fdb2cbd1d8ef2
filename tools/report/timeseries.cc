#include "tools/report/timeseries.h"

#include <charconv>
#include <cstdlib>
#include <map>

namespace netsim::report {
namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> f;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      f.push_back(line.substr(start));
      return f;
    }
    f.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

bool parse_int(std::string_view s, int64_t* v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

bool parse_double(std::string_view s, double* v) {
  if (s.empty()) return false;
  const std::string copy(s);  // strtod needs a terminated string; from_chars<double> is GCC 11+
  char* end = nullptr;
  *v = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

}  // namespace

const std::vector<double>* ListenerSeries::column(std::string_view name) const {
  for (const auto& [n, values] : columns) {
    if (n == name) return &values;
  }
  return nullptr;
}

bool parse_timeseries_csv(std::string_view text, Timeseries* out, std::string* error) {
  *out = Timeseries{};
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = nl + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return true;

  const std::vector<std::string_view> header = split_fields(lines[0]);
  int t_col = -1, host_col = -1, port_col = -1;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "t_ns") t_col = static_cast<int>(i);
    if (header[i] == "host") host_col = static_cast<int>(i);
    if (header[i] == "port") port_col = static_cast<int>(i);
  }
  if (t_col < 0 || host_col < 0 || port_col < 0) {
    *error = "line 1: header must name t_ns, host and port";
    return false;
  }
  std::map<std::pair<std::string, int>, size_t> index;  // (host, port) -> listeners[i]
  for (size_t ln = 1; ln < lines.size(); ++ln) {
    const std::string where = "line " + std::to_string(ln + 1) + ": ";
    const std::vector<std::string_view> f = split_fields(lines[ln]);
    if (f.size() != header.size()) {
      *error = where + "expected " + std::to_string(header.size()) + " fields, got " +
               std::to_string(f.size());
      return false;
    }
    int64_t t = 0, port = 0;
    if (!parse_int(f[t_col], &t) || !parse_int(f[port_col], &port)) {
      *error = where + "t_ns and port must be integers";
      return false;
    }
    const auto key = std::make_pair(std::string(f[host_col]), static_cast<int>(port));
    auto [it, inserted] = index.emplace(key, out->listeners.size());
    if (inserted) {
      ListenerSeries s;
      s.host = key.first;
      s.port = key.second;
      for (size_t i = 0; i < header.size(); ++i) {
        if (static_cast<int>(i) == t_col || static_cast<int>(i) == host_col ||
            static_cast<int>(i) == port_col) {
          continue;
        }
        s.columns.emplace_back(std::string(header[i]), std::vector<double>{});
      }
      out->listeners.push_back(std::move(s));
    }
    ListenerSeries& s = out->listeners[it->second];
    s.t_ns.push_back(t);
    size_t c = 0;
    for (size_t i = 0; i < header.size(); ++i) {
      if (static_cast<int>(i) == t_col || static_cast<int>(i) == host_col ||
          static_cast<int>(i) == port_col) {
        continue;
      }
      double v = 0;
      if (!parse_double(f[i], &v)) {
        *error = where + "column " + std::string(header[i]) + ": expected a number, got '" +
                 std::string(f[i]) + "'";
        return false;
      }
      s.columns[c++].second.push_back(v);
    }
  }
  return true;
}

}  // namespace netsim::report
