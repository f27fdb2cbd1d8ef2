#include "tools/report/report_html.h"

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scenarios/runner/results.h"
#include "tools/report/html.h"
#include "tools/report/page.h"

namespace netsim::report {
namespace {

using nlohmann::json;

constexpr size_t kMaxListenerCharts = 16;  // beyond this the page gets unwieldy; tables list all

double num(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& arr(const json& j, const char* key) {
  static const json kEmpty = json::array();
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

const json& obj(const json& j, const char* key) {
  static const json kEmpty = json::object();
  const auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

std::string n(double v) { return format_number(v); }
std::string esc(const std::string& s) { return html_escape(s); }

std::string listener_name(const std::string& host, double port) { return host + ":" + n(port); }

// --- charts over time, per listener ----------------------------------------

struct ColumnSpec {
  const char* column;
  const char* label;
};

constexpr ColumnSpec kPacketRates[] = {
    {"syn_in_per_s", "SYN in"},       {"synack_out_per_s", "SYN-ACK out"},
    {"rst_out_per_s", "RST out"},     {"rst_in_per_s", "RST in"},
    {"accepted_per_s", "accept()ed"},
};

std::vector<std::optional<double>> to_values(const std::vector<double>& v) {
  return {v.begin(), v.end()};
}

// Rates sampled every 10 ms are 0 or 100/s for a 50/s stream: truthful and
// unreadable. Rate charts average consecutive samples into bins of at least
// kMinRateBin (and at most kMaxRatePoints points per chart); the CSV keeps
// every sample.
constexpr int64_t kMinRateBinNs = 100'000'000;
constexpr size_t kMaxRatePoints = 400;

struct Bins {
  size_t per_bin = 1;
  std::vector<double> x;  // seconds, the end of each bin
};

Bins rate_bins(const std::vector<int64_t>& t_ns) {
  Bins b;
  if (t_ns.size() >= 2 && t_ns[1] > t_ns[0]) {
    const int64_t interval = t_ns[1] - t_ns[0];
    b.per_bin = static_cast<size_t>((kMinRateBinNs + interval - 1) / interval);
  }
  b.per_bin = std::max<size_t>({b.per_bin, (t_ns.size() + kMaxRatePoints - 1) / kMaxRatePoints,
                                size_t{1}});
  for (size_t i = 0; i < t_ns.size(); i += b.per_bin) {
    const size_t last = std::min(i + b.per_bin, t_ns.size()) - 1;
    b.x.push_back(static_cast<double>(t_ns[last]) / 1e9);
  }
  return b;
}

std::vector<std::optional<double>> binned(const std::vector<double>& v, const Bins& b) {
  std::vector<std::optional<double>> out;
  for (size_t i = 0; i < v.size(); i += b.per_bin) {
    const size_t end = std::min(i + b.per_bin, v.size());
    double sum = 0;
    for (size_t k = i; k < end; ++k) sum += v[k];
    out.push_back(sum / static_cast<double>(end - i));
  }
  return out;
}

std::string bin_note(const std::vector<int64_t>& t_ns, const Bins& b) {
  if (b.per_bin <= 1 || t_ns.size() < 2) return "";
  return " (" + format_duration_ns(static_cast<double>((t_ns[1] - t_ns[0]) * static_cast<int64_t>(b.per_bin))) +
         " averages)";
}

void add_listener_charts(const ListenerSeries& s, const json* summary_listener, size_t index,
                         std::string& body, std::vector<Chart>& charts) {
  std::vector<double> t;
  t.reserve(s.t_ns.size());
  for (int64_t ns : s.t_ns) t.push_back(static_cast<double>(ns) / 1e9);
  const std::string name = listener_name(s.host, s.port);
  std::string heading = name;
  if (summary_listener && !str(*summary_listener, "app_name").empty()) {
    heading += " (" + str(*summary_listener, "app_name") + ")";
  }
  body += "<h3 id=\"listener-" + std::to_string(index) + "\">" + esc(heading) + "</h3>\n";

  // Two charts, not one: a SYN queue of thousands would flatten an accept
  // queue of nine into the axis.
  Chart a = make_chart("chart-acceptq-" + std::to_string(index), "Accept queue, " + name,
                       "simulated time (s)", "sockets");
  a.x = t;
  if (const auto* c = s.column("accept_queue")) {
    a.series.push_back({"accept queue (Recv-Q, sk_ack_backlog)", to_values(*c)});
  }
  if (summary_listener && summary_listener->contains("max_ack_backlog")) {
    // Linux 6.x: full when sk_ack_backlog > sk_max_ack_backlog, so it holds backlog + 1.
    const double cap = num(*summary_listener, "max_ack_backlog") + 1;
    a.series.push_back({"capacity (max_ack_backlog + 1 = " + n(cap) + ")",
                        std::vector<std::optional<double>>(t.size(), cap), /*dashed=*/true});
  }
  body += "<div class=\"pair\">\n" + chart_placeholder(a);
  charts.push_back(std::move(a));

  Chart q = make_chart("chart-synq-" + std::to_string(index), "SYN queue, " + name,
                       "simulated time (s)", "request socks");
  q.x = t;
  if (const auto* c = s.column("syn_queue")) {
    q.series.push_back({"SYN queue (qlen: request socks)", to_values(*c)});
  }
  body += chart_placeholder(q) + "</div>\n";
  charts.push_back(std::move(q));

  const Bins bins = rate_bins(s.t_ns);
  Chart r = make_chart("chart-rates-" + std::to_string(index),
                       "Packets per second, " + name + bin_note(s.t_ns, bins),
                       "simulated time (s)", "packets/s");
  r.x = bins.x;
  for (const ColumnSpec& spec : kPacketRates) {
    if (const auto* c = s.column(spec.column)) r.series.push_back({spec.label, binned(*c, bins)});
  }
  body += chart_placeholder(r);
  charts.push_back(std::move(r));

  // Host counters that moved: drops, cookies, passive opens.
  Chart k = make_chart("chart-counters-" + std::to_string(index),
                       "Kernel counters per second on " + s.host + bin_note(s.t_ns, bins),
                       "simulated time (s)", "events/s");
  k.x = bins.x;
  std::vector<std::string> quiet;
  for (const auto& [col, values] : s.columns) {
    if (col.rfind("Tcp", 0) != 0 || col.size() < 6 || col.substr(col.size() - 6) != "_per_s") {
      continue;
    }
    const std::string counter = col.substr(0, col.size() - 6);
    if (std::all_of(values.begin(), values.end(), [](double v) { return v == 0; })) {
      quiet.push_back(counter);
    } else {
      k.series.push_back({counter, binned(values, bins)});
    }
  }
  if (!k.series.empty()) {
    body += chart_placeholder(k);
    charts.push_back(std::move(k));
  }
  if (!quiet.empty()) {
    std::string list;
    for (const auto& q2 : quiet) list += (list.empty() ? "" : ", ") + ("<code>" + esc(q2) + "</code>");
    body += "<p class=\"note\">Stayed at 0 during the run: " + list + ".</p>\n";
  }
}

// --- connect-time CDF -------------------------------------------------------

// F(x) from 101 nearest-rank percentiles: the highest percentile whose value is <= x.
std::optional<double> cdf_at(const std::vector<double>& pct, double x) {
  double f = 0;
  for (size_t i = 0; i < pct.size(); ++i) {
    if (pct[i] <= x) f = static_cast<double>(i);
  }
  return f;
}

std::optional<Chart> cdf_chart(const json& clients, const char* field, const std::string& id,
                               const std::string& title) {
  std::vector<std::pair<std::string, std::vector<double>>> groups;  // label, percentiles in ms
  for (const json& c : clients) {
    const json& q = obj(c, field);
    const json& cdf = arr(q, "cdf_ns");
    if (num(q, "count") == 0 || cdf.empty()) continue;
    std::vector<double> ms;
    for (const json& v : cdf) ms.push_back(v.is_number() ? v.get<double>() / 1e6 : 0.0);
    std::sort(ms.begin(), ms.end());
    groups.emplace_back(str(c, "name") + " (" + n(num(q, "count")) + ")", std::move(ms));
  }
  if (groups.empty()) return std::nullopt;
  std::set<double> xs;
  for (const auto& g : groups) xs.insert(g.second.begin(), g.second.end());
  const double lo = *xs.begin();
  const double hi = *xs.rbegin();
  Chart c = make_chart(id, title, "milliseconds", "% of connections");
  c.step = true;
  c.y_max = 100;
  c.x_log = lo > 0 && hi / lo >= 50;
  // A point before the first sample (0%) and one after the last (100%), so
  // each curve visibly rises from the axis and levels off, even when every
  // connection took the same time.
  const double margin = std::max((hi - lo) * 0.05, std::max(std::fabs(hi) * 0.02, 1e-3));
  c.x.push_back(c.x_log ? lo / 1.25 : lo - margin);
  c.x.insert(c.x.end(), xs.begin(), xs.end());
  c.x.push_back(c.x_log ? hi * 1.25 : hi + margin);
  for (const auto& [label, pct] : groups) {
    ChartSeries s;
    s.label = label;
    s.values.push_back(0.0);
    for (size_t i = 1; i < c.x.size(); ++i) s.values.push_back(cdf_at(pct, c.x[i]));
    c.series.push_back(std::move(s));
  }
  return c;
}

// --- tables -----------------------------------------------------------------

std::string badge(const std::string& status) {
  if (status == "pass") return "<span class=\"pass\">PASS</span>";
  if (status == "fail") return "<span class=\"fail\">FAIL</span>";
  if (status == "skipped") return "<span class=\"skip\">SKIPPED</span>";
  return "<span class=\"note\">none</span>";
}

std::string expectations_section(const json& summary) {
  const json& ex = arr(summary, "expectations");
  const std::string status = str(summary, "expect_status");
  std::string body = "<h2 id=\"expectations\">Expectations</h2>\n";
  if (ex.empty()) {
    body += status == "skipped"
                ? "<p class=\"note\">Not evaluated (<code>--no-expect</code>).</p>\n"
                : "<p class=\"note\">The scenario has no <code>expect</code> block.</p>\n";
    return body;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& e : ex) {
    const bool pass = e.value("pass", false);
    rows.push_back({pass ? badge("pass") : badge("fail"), esc(str(e, "target")),
                    "<code>" + esc(str(e, "metric")) + "</code>",
                    esc(str(e, "op") + " " + str(e, "bound")), esc(str(e, "measured_text")),
                    "<code>" + esc(str(e, "pointer")) + "</code>"});
  }
  body += html_table({"result", "target", "metric", "expected", "measured", "in the scenario"},
                     rows);
  return body;
}

std::string failures_text(const json& c) {
  std::string s;
  for (const auto& [cause, count] : obj(c, "failed_by").items()) {
    if (!count.is_number() || count.get<double>() == 0) continue;
    s += (s.empty() ? "" : ", ") + esc(cause) + " " + n(count.get<double>());
  }
  return s.empty() ? "-" : s;
}

std::string clients_section(const json& summary, std::vector<Chart>& charts) {
  const json& clients = arr(summary, "clients");
  std::string body = "<h2 id=\"clients\">Client groups</h2>\n";
  if (clients.empty()) return body + "<p class=\"note\">No client applications.</p>\n";
  std::vector<std::vector<std::string>> rows;
  double surprised = 0;
  for (const json& c : clients) {
    const json& ct = obj(c, "connect_time");
    const bool any = num(ct, "count") > 0;
    surprised += num(c, "connected_without_server_state");
    rows.push_back({esc(str(c, "name")), esc(str(c, "host")), n(num(c, "attempted")),
                    n(num(c, "established")), format_percent(num(c, "established_ratio")),
                    n(num(c, "completed")), n(num(c, "failed")), failures_text(c),
                    n(num(c, "pending")),
                    any ? format_duration_ns(num(ct, "p50_ns")) : "-",
                    any ? format_duration_ns(num(ct, "p90_ns")) : "-",
                    any ? format_duration_ns(num(ct, "p99_ns")) : "-",
                    any ? format_duration_ns(num(ct, "max_ns")) : "-",
                    n(num(c, "connected_without_server_state"))});
  }
  body += html_table({"group", "host", "attempted", "established", "established %", "completed",
                      "failed", "failed by", "pending", "connect p50", "connect p90",
                      "connect p99", "connect max", "connected, no server state"},
                     rows,
                     {false, false, true, true, true, true, true, false, true, true, true, true,
                      true, true});
  if (surprised > 0) {
    body += "<div class=\"callout\" id=\"no-server-state\"><strong>" + n(surprised) +
            " client connection(s) believe they are established, but the server holds no "
            "state for them.</strong> With SYN cookies on, a client's final ACK that meets a "
            "full accept queue is dropped; the server keeps nothing (a cookie SYN-ACK leaves "
            "no request sock), while the client's connect() has already returned. Such a "
            "client typically learns only when it sends data and gets a RST or no answer. "
            "This is how Linux behaves, not a simulator artefact.</div>\n";
  }
  if (auto c = cdf_chart(clients, "connect_time", "chart-connect-cdf",
                         "Connect time CDF per client group (connect() to established)")) {
    body += chart_placeholder(*c);
    charts.push_back(std::move(*c));
  } else {
    body += "<p class=\"note\">No connection was established: no connect-time CDF.</p>\n";
  }
  if (auto c = cdf_chart(clients, "response_time", "chart-response-cdf",
                         "Response time CDF per client group (connect() to last byte)")) {
    body += chart_placeholder(*c);
    charts.push_back(std::move(*c));
  }
  return body;
}

std::string listeners_table(const json& summary) {
  std::vector<std::vector<std::string>> rows;
  for (const json& l : arr(summary, "listeners")) {
    rows.push_back({esc(listener_name(str(l, "host"), num(l, "port"))), esc(str(l, "app_name")),
                    n(num(l, "backlog")), n(num(l, "max_ack_backlog")), n(num(l, "accepted")),
                    n(num(l, "max_syn_queue")), n(num(l, "max_accept_queue")),
                    n(num(l, "final_syn_queue")), n(num(l, "final_accept_queue")),
                    n(num(l, "syn_in")), n(num(l, "synack_out")), n(num(l, "rst_out")),
                    n(num(l, "rst_in"))});
  }
  return html_table({"listener", "app", "backlog", "max_ack_backlog", "accepted", "max SYN queue",
                     "max accept queue", "final SYN queue", "final accept queue", "SYN in",
                     "SYN-ACK out", "RST out", "RST in"},
                    rows,
                    {false, false, true, true, true, true, true, true, true, true, true, true,
                     true});
}

std::string listeners_section(const json& summary, const Timeseries& ts,
                              std::vector<Chart>& charts) {
  std::string body = "<h2 id=\"listeners\">Listeners</h2>\n";
  if (arr(summary, "listeners").empty() && ts.listeners.empty()) {
    return body + "<p class=\"note\">No listening sockets.</p>\n";
  }
  body += listeners_table(summary);
  body +=
      "<p class=\"note\">Queue maxima are exact (kept by the stack at every change, per host); "
      "the charts show the samples in <code>timeseries.csv</code>.</p>\n";
  if (ts.listeners.empty()) {
    return body + "<p class=\"note\">No samples (timeseries.csv is empty or absent).</p>\n";
  }
  for (size_t i = 0; i < ts.listeners.size() && i < kMaxListenerCharts; ++i) {
    const ListenerSeries& s = ts.listeners[i];
    const json* match = nullptr;
    for (const json& l : arr(summary, "listeners")) {
      if (str(l, "host") == s.host && num(l, "port") == s.port) {
        match = &l;
        break;
      }
    }
    add_listener_charts(s, match, i, body, charts);
  }
  if (ts.listeners.size() > kMaxListenerCharts) {
    body += "<p class=\"note\">" + std::to_string(ts.listeners.size() - kMaxListenerCharts) +
            " more listener(s) not charted; see timeseries.csv.</p>\n";
  }
  return body;
}

std::string counters_section(const json& summary) {
  const json& hosts = arr(summary, "hosts");
  std::string body = "<h2 id=\"counters\">Counters (nstat names)</h2>\n";
  if (hosts.empty()) return body + "<p class=\"note\">No hosts.</p>\n";
  std::set<std::string> names;  // sorted: the same order as nstat's output is not needed, stability is
  for (const json& h : hosts) {
    for (const auto& [k, v] : obj(h, "counters").items()) names.insert(k);
  }
  std::vector<std::string> header = {"counter"};
  std::vector<bool> numeric = {false};
  for (const json& h : hosts) {
    header.push_back(esc(str(h, "name")));
    numeric.push_back(true);
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> zeros;
  for (const std::string& name : names) {
    std::vector<std::string> row = {"<code>" + esc(name) + "</code>"};
    bool any = false;
    for (const json& h : hosts) {
      const double v = num(obj(h, "counters"), name.c_str());
      any = any || v != 0;
      row.push_back(n(v));
    }
    if (any) {
      rows.push_back(std::move(row));
    } else {
      zeros.push_back(name);
    }
  }
  if (rows.empty()) {
    body += "<p class=\"note\">Every counter stayed at 0.</p>\n";
  } else {
    body += html_table(header, rows, numeric, "counters");
  }
  if (!zeros.empty()) {
    body += "<details><summary>" + std::to_string(zeros.size()) +
            " counters at 0 on every host</summary>\n<p>";
    for (size_t i = 0; i < zeros.size(); ++i) {
      body += (i ? ", " : "") + ("<code>" + esc(zeros[i]) + "</code>");
    }
    body += "</p></details>\n";
  }
  return body;
}

std::string apps_section(const json& summary) {
  const json& apps = arr(summary, "apps");
  if (apps.empty()) return "";
  std::vector<std::vector<std::string>> rows;
  for (const json& a : apps) {
    std::string counters;
    for (const auto& [k, v] : obj(a, "counters").items()) {
      counters += (counters.empty() ? "" : ", ") + esc(k) + " " + (v.is_number() ? n(v.get<double>()) : "-");
    }
    rows.push_back({esc(str(a, "name")), esc(str(a, "type")), esc(str(a, "host")),
                    counters.empty() ? "-" : counters});
  }
  return "<h2 id=\"apps\">Applications</h2>\n" +
         html_table({"app", "type", "host", "counters"}, rows);
}

std::string devices_section(const json& summary) {
  std::vector<std::vector<std::string>> rows;
  for (const json& h : arr(summary, "hosts")) {
    for (const json& d : arr(h, "devices")) {
      rows.push_back({esc(str(h, "name")), esc(str(d, "name")), n(num(d, "rx_packets")),
                      n(num(d, "tx_packets")), n(num(d, "rx_bytes")), n(num(d, "tx_bytes")),
                      n(num(d, "tx_dropped")), n(num(d, "max_txq"))});
    }
  }
  if (rows.empty()) return "";
  return "<h2 id=\"devices\">Devices</h2>\n" +
         html_table({"host", "device", "rx packets", "tx packets", "rx bytes", "tx bytes",
                     "tx dropped", "max tx queue"},
                    rows, {false, false, true, true, true, true, true, true});
}

}  // namespace

ReportPage build_report(const json& summary, const Timeseries& timeseries) {
  ReportPage page;
  const std::string name = str(summary, "name");
  page.title = "netsim: " + (name.empty() ? std::string("run") : name);
  std::string& body = page.body_html;
  body += "<header>\n<h1>" + esc(name.empty() ? "netsim run" : name) + "</h1>\n";
  if (!str(summary, "description").empty()) {
    body += "<p class=\"description\">" + esc(str(summary, "description")) + "</p>\n";
  }
  body += "<p class=\"meta\">scenario <code>" + esc(str(summary, "scenario_file")) +
          "</code> &middot; seed " + n(num(summary, "seed")) + " &middot; " +
          format_duration_ns(num(summary, "duration_ns")) + " simulated &middot; " +
          n(num(summary, "events_executed")) + " events &middot; expectations " +
          badge(str(summary, "expect_status")) + "</p>\n";
  body +=
      "<nav><a href=\"#expectations\">expectations</a> &middot; <a href=\"#clients\">client "
      "groups</a> &middot; <a href=\"#listeners\">listeners</a> &middot; <a "
      "href=\"#counters\">counters</a></nav>\n</header>\n";
  body += expectations_section(summary);
  body += clients_section(summary, page.charts);
  body += listeners_section(summary, timeseries, page.charts);
  body += counters_section(summary);
  body += apps_section(summary);
  body += devices_section(summary);
  body += "<footer>Written by <code>netsim run</code>. The numbers above are in "
          "<code>summary.json</code>, the samples in <code>timeseries.csv</code>. Charts drawn "
          "with uPlot (MIT licence, inlined).</footer>\n";
  return page;
}

std::string report_html(const json& summary, const Timeseries& timeseries) {
  const ReportPage page = build_report(summary, timeseries);
  return html_page(page.title, page.body_html, page.charts);
}

bool write_report_json(const std::string& out_dir, const json& summary, std::string* error) {
  const std::string ts_path = out_dir + "/timeseries.csv";
  Timeseries ts;
  std::error_code ec;
  if (std::filesystem::exists(ts_path, ec)) {
    std::ifstream in(ts_path, std::ios::binary);
    if (!in) {
      if (error) *error = ts_path + ": cannot read (" + std::strerror(errno) + ")";
      return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string parse_error;
    if (!parse_timeseries_csv(text.str(), &ts, &parse_error)) {
      if (error) *error = ts_path + ": " + parse_error;
      return false;
    }
  }
  return write_file_atomically(out_dir + "/report.html", report_html(summary, ts), error);
}

bool write_report(const std::string& out_dir, const scenario::RunSummary& summary,
                  std::string* error) {
  return write_report_json(out_dir, scenario::to_json(summary), error);
}

}  // namespace netsim::report
