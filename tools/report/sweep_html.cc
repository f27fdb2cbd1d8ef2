#include "tools/report/sweep_html.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "tools/report/html.h"
#include "tools/report/page.h"

namespace netsim::report {
namespace {

constexpr size_t kMaxSeriesPerChart = 24;

struct Axis {
  size_t param = 0;
  bool numeric = false;
  bool duration = false;
  std::vector<double> x;             // ascending; categories: 0..n-1
  std::vector<std::string> names;    // categories only
  std::map<std::string, size_t> at;  // parameter value -> index in x
};

Axis choose_axis(const std::vector<SweepParam>& params) {
  Axis a;
  for (size_t p = 0; p < params.size(); ++p) {
    bool all = true, any_duration = false, any_plain = false;
    std::map<std::string, double> v;
    for (const std::string& s : params[p].values) {
      bool is_duration = false;
      const auto n = sweep_value_number(s, &is_duration);
      if (!n) {
        all = false;
        break;
      }
      (is_duration ? any_duration : any_plain) = true;
      v[s] = *n;
    }
    if (!all || (any_duration && any_plain)) continue;
    a.param = p;
    a.numeric = true;
    a.duration = any_duration;
    std::set<double> xs;
    for (const auto& [s, n] : v) xs.insert(n);
    a.x.assign(xs.begin(), xs.end());
    for (const auto& [s, n] : v) {
      a.at[s] = static_cast<size_t>(std::lower_bound(a.x.begin(), a.x.end(), n) - a.x.begin());
    }
    return a;
  }
  if (params.empty()) return a;
  for (const std::string& s : params[0].values) {
    if (a.at.emplace(s, a.names.size()).second) {
      a.x.push_back(static_cast<double>(a.names.size()));
      a.names.push_back(s);
    }
  }
  return a;
}

struct Layout {
  Axis axis;
  std::vector<std::string> combo_labels;             // one per line, first-seen grid order
  std::vector<std::vector<std::optional<size_t>>> cell;  // [combo][x] -> run index
  std::vector<std::map<std::string, double>> values;     // per run: metric column -> value
  std::vector<std::string> columns;                      // metric columns, first-seen order
};

Layout lay_out(const std::vector<SweepParam>& params, const std::vector<SweepRun>& runs) {
  Layout l;
  l.axis = choose_axis(params);
  std::vector<SweepParam> others;
  for (size_t p = 0; p < params.size(); ++p) {
    if (p != l.axis.param) others.push_back(params[p]);
  }
  std::map<std::vector<std::string>, size_t> combos;
  std::set<std::string> seen_columns;
  l.values.resize(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    const SweepRun& run = runs[r];
    std::vector<std::string> key;
    for (size_t p = 0; p < params.size() && p < run.point.size(); ++p) {
      if (p != l.axis.param) key.push_back(run.point[p]);
    }
    auto [it, added] = combos.emplace(key, l.combo_labels.size());
    if (added) {
      l.combo_labels.push_back(sweep_point_label(others, key));
      l.cell.emplace_back(l.axis.x.size());
    }
    if (l.axis.param < run.point.size()) {
      const auto x = l.axis.at.find(run.point[l.axis.param]);
      if (x != l.axis.at.end()) l.cell[it->second][x->second] = r;
    }
    if (!run.summary) continue;
    for (const Metric& m : headline_metrics(*run.summary)) {
      l.values[r][m.column] = m.value;
      if (seen_columns.insert(m.column).second) l.columns.push_back(m.column);
    }
  }
  return l;
}

struct Line {
  std::string column;
  std::string what;  // "p99"; "" when the chart has one metric
  double scale = 1;
  bool dashed = false;
};

Line line(std::string column, std::string what, double scale = 1, bool dashed = false) {
  Line l;
  l.column = std::move(column);
  l.what = std::move(what);
  l.scale = scale;
  l.dashed = dashed;
  return l;
}

std::optional<Chart> metric_chart(const Layout& l, const std::vector<SweepParam>& params,
                                  const std::string& id, const std::string& title,
                                  const std::string& y_label, const std::vector<Line>& lines,
                                  std::string* note) {
  Chart c = make_chart(id, title,
                       params.empty() ? "" : params[l.axis.param].path + (l.axis.duration ? " (ms)" : ""),
                       y_label);
  c.x = l.axis.x;
  c.x_names = l.axis.names;
  c.points = true;
  size_t dropped = 0;
  for (const Line& ln : lines) {
    bool present = false;
    for (const auto& v : l.values) present = present || v.count(ln.column);
    if (!present) continue;
    for (size_t k = 0; k < l.combo_labels.size(); ++k) {
      if (c.series.size() >= kMaxSeriesPerChart) {
        ++dropped;
        continue;
      }
      ChartSeries s;
      s.label = ln.what;
      if (!l.combo_labels[k].empty()) {
        s.label += (s.label.empty() ? "" : ", ") + l.combo_labels[k];
      }
      if (s.label.empty()) s.label = ln.column;
      s.dashed = ln.dashed;
      for (const auto& run : l.cell[k]) {
        std::optional<double> v;
        if (run) {
          const auto it = l.values[*run].find(ln.column);
          if (it != l.values[*run].end()) v = it->second * ln.scale;
        }
        s.values.push_back(v);
      }
      c.series.push_back(std::move(s));
    }
  }
  if (c.series.empty()) return std::nullopt;
  if (dropped) *note += "<p class=\"note\">" + title + ": " + std::to_string(dropped) +
                        " more line(s) not drawn; see the table.</p>\n";
  return c;
}

// Names before a suffix, in first-seen order: groups from "<g>.established_ratio".
std::vector<std::string> prefixes(const std::vector<std::string>& columns, const std::string& suffix) {
  std::vector<std::string> out;
  for (const std::string& c : columns) {
    if (c.size() > suffix.size() && c.compare(c.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(c.substr(0, c.size() - suffix.size()));
    }
  }
  return out;
}

bool any_nonzero(const Layout& l, const std::string& column) {
  for (const auto& v : l.values) {
    const auto it = v.find(column);
    if (it != v.end() && it->second != 0) return true;
  }
  return false;
}

}  // namespace

std::optional<double> sweep_value_number(const std::string& value, bool* is_duration) {
  *is_duration = false;
  if (value.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (end == value.c_str()) return std::nullopt;
  const std::string unit(end);
  if (unit.empty()) return v;
  static const std::map<std::string, double> kToMs = {
      {"ns", 1e-6}, {"us", 1e-3}, {"ms", 1}, {"s", 1e3}};
  const auto it = kToMs.find(unit);
  if (it == kToMs.end()) return std::nullopt;
  *is_duration = true;
  return v * it->second;
}

SweepPage build_sweep_page(const std::string& scenario_file, const std::vector<SweepParam>& params,
                           const std::vector<SweepRun>& runs) {
  SweepPage page;
  page.title = "netsim sweep: " + scenario_file;
  const Layout l = lay_out(params, runs);
  std::string& b = page.body_html;
  size_t ok = 0, failed = 0, errors = 0;
  for (const SweepRun& r : runs) {
    if (r.exit_code == 0) {
      ++ok;
    } else if (r.exit_code == 1 && r.summary) {
      ++failed;
    } else {
      ++errors;
    }
  }
  b += "<header>\n<h1>Sweep of " + html_escape(scenario_file) + "</h1>\n<p class=\"meta\">" +
       std::to_string(runs.size()) + " runs &middot; " + std::to_string(ok) + " passed &middot; " +
       std::to_string(failed) + " failed expectations &middot; " + std::to_string(errors) +
       " errors</p>\n<ul>\n";
  for (const SweepParam& p : params) {
    std::string vals;
    for (const auto& v : p.values) vals += (vals.empty() ? "" : ", ") + v;
    b += "<li><code>" + html_escape(p.path) + "</code>: " + html_escape(vals) + "</li>\n";
  }
  b += "</ul>\n</header>\n";

  std::string notes;
  auto add = [&](std::optional<Chart> c) {
    if (!c) return;
    b += chart_placeholder(*c);
    page.charts.push_back(std::move(*c));
  };
  const auto groups = prefixes(l.columns, ".established_ratio");
  if (!groups.empty()) b += "<h2 id=\"clients\">Client groups</h2>\n";
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string& name = groups[g];
    const std::string id = std::to_string(g);
    add(metric_chart(l, params, "chart-established-" + id, "Established, " + name,
                     "% of attempted", {line(name + ".established_ratio", "", 100)}, &notes));
    add(metric_chart(l, params, "chart-connect-" + id, "Connect time, " + name, "ms",
                     {line(name + ".connect_p50_ms", "p50"),
                      line(name + ".connect_p99_ms", "p99", 1, /*dashed=*/true)},
                     &notes));
    if (any_nonzero(l, name + ".connected_without_server_state")) {
      add(metric_chart(l, params, "chart-nostate-" + id,
                       "Connected without server state, " + name, "connections",
                       {line(name + ".connected_without_server_state", "")}, &notes));
    }
  }
  const auto listeners = prefixes(l.columns, ".max_accept_queue");
  if (!listeners.empty()) b += "<h2 id=\"listeners\">Listeners</h2>\n";
  for (size_t i = 0; i < listeners.size(); ++i) {
    add(metric_chart(l, params, "chart-queues-" + std::to_string(i), "Queue maxima, " + listeners[i],
                     "sockets",
                     {line(listeners[i] + ".max_accept_queue", "max accept queue"),
                      line(listeners[i] + ".max_syn_queue", "max SYN queue", 1, true)},
                     &notes));
  }
  std::vector<std::string> hosts;
  for (const std::string& c : l.columns) {
    const size_t dot = c.rfind(".TcpExt");
    if (dot == std::string::npos) continue;
    const std::string h = c.substr(0, dot);
    if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
  }
  for (size_t i = 0; i < hosts.size(); ++i) {
    std::vector<Line> lines;
    for (const std::string& c : l.columns) {
      if (c.rfind(hosts[i] + ".TcpExt", 0) == 0 && any_nonzero(l, c)) {
        lines.push_back(line(c, c.substr(hosts[i].size() + 1)));
      }
    }
    add(metric_chart(l, params, "chart-counters-" + std::to_string(i),
                     "Listen-path counters, " + hosts[i], "count", lines, &notes));
  }
  if (page.charts.empty()) {
    b += "<p class=\"note\">No run produced results to plot.</p>\n";
  }
  b += notes;

  const SweepTable table = sweep_table(params, runs);
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric(table.columns.size(), false);
  for (size_t i = table.first_metric - 2; i < numeric.size(); ++i) numeric[i] = true;
  numeric[table.first_metric - 1] = false;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    std::vector<std::string> row;
    for (size_t i = 0; i < table.rows[r].size(); ++i) {
      const std::string cell = html_escape(table.rows[r][i]);
      if (i == 0 && runs[r].summary) {
        row.push_back("<a href=\"" + cell + "/report.html\">" + cell + "</a>");
      } else {
        row.push_back(cell);
      }
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header;
  for (const auto& c : table.columns) header.push_back(html_escape(c));
  b += "<h2 id=\"runs\">Runs</h2>\n<p class=\"note\">The same table is in <code>sweep.csv</code>. "
       "Each run's own report is in its directory.</p>\n<div class=\"wide\">\n" +
       html_table(header, rows, numeric) + "</div>\n";
  std::string errs;
  for (const SweepRun& r : runs) {
    if (r.summary || r.error.empty()) continue;
    errs += "<h3>" + html_escape(r.dir) + "</h3>\n<pre>" + html_escape(r.error) + "</pre>\n";
  }
  if (!errs.empty()) b += "<h2 id=\"errors\">Runs that failed</h2>\n" + errs;
  b += "<footer>Written by <code>netsim sweep</code>. Charts drawn with uPlot (MIT licence, "
       "inlined).</footer>\n";
  return page;
}

std::string sweep_html(const std::string& scenario_file, const std::vector<SweepParam>& params,
                       const std::vector<SweepRun>& runs) {
  const SweepPage page = build_sweep_page(scenario_file, params, runs);
  return html_page(page.title, page.body_html, page.charts);
}

}  // namespace netsim::report
