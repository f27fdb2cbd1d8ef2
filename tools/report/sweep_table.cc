#include "tools/report/sweep_table.h"

#include <cstdio>
#include <map>

#include "tools/report/html.h"

namespace netsim::report {
namespace {

// The listen-path counters a sweep compares, per host that listens.
constexpr const char* kHostCounters[] = {
    "TcpExtListenOverflows",  "TcpExtListenDrops",     "TcpExtSyncookiesSent",
    "TcpExtSyncookiesRecv",   "TcpExtSyncookiesFailed", "TcpExtTCPReqQFullDrop",
    "TcpExtTCPReqQFullDoCookies",
};

double num(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string str(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const nlohmann::json& arr(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

Metric metric(std::string column, double value, bool is_ms = false) {
  Metric m;
  m.column = std::move(column);
  m.value = value;
  m.is_ms = is_ms;
  return m;
}

std::string format_metric(const Metric& m) {
  if (!m.is_ms) return format_number(m.value);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", m.value);
  return buf;
}

std::string last_component(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace

bool parse_sweep_param(std::string_view arg, SweepParam* out, std::string* error) {
  const size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    *error = "--param expects PATH=V1,V2,..., got \"" + std::string(arg) + "\"";
    return false;
  }
  SweepParam p;
  p.path = std::string(arg.substr(0, eq));
  if (p.path.empty() || p.path == "/") {
    *error = "--param \"" + std::string(arg) + "\": empty PATH";
    return false;
  }
  const std::string_view list = arg.substr(eq + 1);
  int depth = 0;
  bool quoted = false;
  std::string cur;
  auto flush = [&]() -> bool {
    if (cur.empty()) {
      *error = "--param " + p.path + ": empty value in \"" + std::string(list) + "\"";
      return false;
    }
    p.values.push_back(cur);
    cur.clear();
    return true;
  };
  for (size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (quoted) {
      if (c == '\\' && i + 1 < list.size()) {
        cur += c;
        cur += list[++i];
        continue;
      }
      if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      if (!flush()) return false;
      continue;
    }
    cur += c;
  }
  if (!flush()) return false;
  *out = std::move(p);
  return true;
}

std::vector<std::vector<std::string>> sweep_grid(const std::vector<SweepParam>& params) {
  std::vector<std::vector<std::string>> grid = {{}};
  for (const SweepParam& p : params) {
    std::vector<std::vector<std::string>> next;
    next.reserve(grid.size() * p.values.size());
    for (const auto& prefix : grid) {
      for (const std::string& v : p.values) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    }
    grid = std::move(next);
  }
  return grid;
}

std::vector<std::string> sweep_sets(const std::vector<SweepParam>& params,
                                    const std::vector<std::string>& point) {
  std::vector<std::string> sets;
  for (size_t i = 0; i < params.size() && i < point.size(); ++i) {
    sets.push_back(params[i].path + "=" + point[i]);
  }
  return sets;
}

std::string sweep_point_label(const std::vector<SweepParam>& params,
                              const std::vector<std::string>& point) {
  std::map<std::string, int> uses;
  for (const SweepParam& p : params) ++uses[last_component(p.path)];
  std::string label;
  for (size_t i = 0; i < params.size() && i < point.size(); ++i) {
    const std::string short_name = last_component(params[i].path);
    label += (i ? ", " : "") + (uses[short_name] > 1 ? params[i].path : short_name) + "=" +
             point[i];
  }
  return label;
}

std::vector<Metric> headline_metrics(const nlohmann::json& summary) {
  std::vector<Metric> m;
  for (const nlohmann::json& c : arr(summary, "clients")) {
    const std::string g = str(c, "name") + ".";
    const auto ct = c.find("connect_time");
    const bool timed = ct != c.end() && ct->is_object() && num(*ct, "count") > 0;
    m.push_back(metric(g + "attempted", num(c, "attempted")));
    m.push_back(metric(g + "established", num(c, "established")));
    m.push_back(metric(g + "established_ratio", num(c, "established_ratio")));
    m.push_back(metric(g + "failed", num(c, "failed")));
    if (timed) {
      m.push_back(metric(g + "connect_p50_ms", num(*ct, "p50_ns") / 1e6, true));
      m.push_back(metric(g + "connect_p99_ms", num(*ct, "p99_ns") / 1e6, true));
    }
    m.push_back(metric(g + "connected_without_server_state", num(c, "connected_without_server_state")));
  }
  std::vector<std::string> listening_hosts;
  for (const nlohmann::json& l : arr(summary, "listeners")) {
    const std::string name = str(l, "host") + ":" + format_number(num(l, "port")) + ".";
    m.push_back(metric(name + "max_syn_queue", num(l, "max_syn_queue")));
    m.push_back(metric(name + "max_accept_queue", num(l, "max_accept_queue")));
    m.push_back(metric(name + "accepted", num(l, "accepted")));
    bool seen = false;
    for (const auto& h : listening_hosts) seen = seen || h == str(l, "host");
    if (!seen) listening_hosts.push_back(str(l, "host"));
  }
  for (const std::string& host : listening_hosts) {
    for (const nlohmann::json& h : arr(summary, "hosts")) {
      if (str(h, "name") != host) continue;
      const auto counters = h.find("counters");
      if (counters == h.end() || !counters->is_object()) continue;
      for (const char* name : kHostCounters) {
        if (counters->contains(name)) m.push_back(metric(host + "." + name, num(*counters, name)));
      }
    }
  }
  return m;
}

SweepTable sweep_table(const std::vector<SweepParam>& params, const std::vector<SweepRun>& runs) {
  SweepTable t;
  t.columns.push_back("run");
  for (const SweepParam& p : params) t.columns.push_back(p.path);
  t.columns.push_back("exit");
  t.columns.push_back("expect");
  t.first_metric = t.columns.size();
  std::map<std::string, size_t> index;  // metric column -> position
  std::vector<std::vector<Metric>> metrics(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    if (!runs[r].summary) continue;
    metrics[r] = headline_metrics(*runs[r].summary);
    for (const Metric& m : metrics[r]) {
      if (index.emplace(m.column, t.columns.size()).second) t.columns.push_back(m.column);
    }
  }
  for (size_t r = 0; r < runs.size(); ++r) {
    const SweepRun& run = runs[r];
    std::vector<std::string> row(t.columns.size());
    row[0] = run.dir;
    for (size_t i = 0; i < params.size() && i < run.point.size(); ++i) row[1 + i] = run.point[i];
    row[t.first_metric - 2] = run.exit_code < 0 ? "" : std::to_string(run.exit_code);
    row[t.first_metric - 1] = run.summary ? str(*run.summary, "expect_status") : "error";
    for (const Metric& m : metrics[r]) row[index[m.column]] = format_metric(m);
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string sweep_csv(const SweepTable& table) {
  std::string out;
  auto line = [&](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
    out += "\n";
  };
  line(table.columns);
  for (const auto& row : table.rows) line(row);
  return out;
}

}  // namespace netsim::report
