// report.html content without a browser: which charts, which numbers,
// determinism, escaping, self-containment, timeseries.csv parsing.
#include "tools/report/report_html.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/report/fixture.h"
#include "tools/report/html.h"
#include "tools/report/page.h"

namespace {

using netsim::report::Chart;
using netsim::report::Timeseries;

Timeseries fixture_ts() {
  Timeseries ts;
  std::string err;
  REQUIRE_MESSAGE(netsim::report::parse_timeseries_csv(netsim::testing::fixture_timeseries(), &ts, &err),
                  err);
  return ts;
}

const Chart* find_chart(const std::vector<Chart>& charts, const std::string& id) {
  for (const Chart& c : charts) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const netsim::report::ChartSeries* find_series(const Chart& c, const std::string& prefix) {
  for (const auto& s : c.series) {
    if (s.label.rfind(prefix, 0) == 0) return &s;
  }
  return nullptr;
}

std::string make_dir(const std::string& name) {
  const std::string dir = netsim::testing::test_tmpdir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("timeseries.csv: one series per listener, in first-seen order, columns by name") {
  const Timeseries ts = fixture_ts();
  REQUIRE(ts.listeners.size() == 2);
  CHECK(ts.listeners[0].host == "server");
  CHECK(ts.listeners[0].port == 80);
  CHECK(ts.listeners[1].port == 8080);
  CHECK(ts.listeners[0].t_ns.size() == 40);
  CHECK(ts.listeners[0].t_ns.front() == 50'000'000);
  CHECK(ts.listeners[0].t_ns.back() == 2'000'000'000);
  const auto* aq = ts.listeners[0].column("accept_queue");
  REQUIRE(aq);
  CHECK(aq->back() == 9);
  CHECK(ts.listeners[1].column("syn_in_per_s")->front() == doctest::Approx(10.5));
  CHECK(ts.listeners[0].column("no_such_column") == nullptr);
}

TEST_CASE("timeseries.csv errors name the line") {
  Timeseries ts;
  std::string err;
  CHECK(netsim::report::parse_timeseries_csv("", &ts, &err));
  CHECK(ts.listeners.empty());
  CHECK_FALSE(netsim::report::parse_timeseries_csv("a,b\n1,2\n", &ts, &err));
  CHECK(err == "line 1: header must name t_ns, host and port");
  CHECK_FALSE(netsim::report::parse_timeseries_csv("t_ns,host,port,q\n1,h,80,1\n2,h,80\n", &ts, &err));
  CHECK(err == "line 3: expected 4 fields, got 3");
  CHECK_FALSE(netsim::report::parse_timeseries_csv("t_ns,host,port,q\n1,h,80,x\n", &ts, &err));
  CHECK(err == "line 2: column q: expected a number, got 'x'");
  CHECK_FALSE(netsim::report::parse_timeseries_csv("t_ns,host,port,q\n1.5,h,80,1\n", &ts, &err));
  CHECK(err == "line 2: t_ns and port must be integers");
}

TEST_CASE("per listener: accept queue with its capacity line, SYN queue, packet and counter rates") {
  const auto page = netsim::report::build_report(netsim::testing::fixture_summary(), fixture_ts());
  std::vector<std::string> ids;
  for (const Chart& c : page.charts) ids.push_back(c.id);
  CHECK(ids == std::vector<std::string>{"chart-connect-cdf", "chart-response-cdf",
                                        "chart-acceptq-0", "chart-synq-0", "chart-rates-0",
                                        "chart-counters-0", "chart-acceptq-1", "chart-synq-1",
                                        "chart-rates-1", "chart-counters-1"});
  for (const Chart& c : page.charts) {
    INFO(c.id);
    CHECK(page.body_html.find("id=\"" + c.id + "\"") != std::string::npos);
    CHECK(std::is_sorted(c.x.begin(), c.x.end()));
    for (const auto& s : c.series) CHECK(s.values.size() == c.x.size());
  }
  const Chart* aq = find_chart(page.charts, "chart-acceptq-0");
  REQUIRE(aq);
  CHECK(aq->x.size() == 40);
  CHECK(aq->x.front() == doctest::Approx(0.05));
  const auto* queue = find_series(*aq, "accept queue");
  REQUIRE(queue);
  CHECK(*queue->values.back() == 9);
  // backlog 8: Linux admits backlog + 1 before the queue counts as full.
  const auto* cap = find_series(*aq, "capacity (max_ack_backlog + 1 = 9)");
  REQUIRE(cap);
  CHECK(cap->dashed);
  CHECK(*cap->values.front() == 9);
  const Chart* sq = find_chart(page.charts, "chart-synq-0");
  REQUIRE(sq);
  CHECK(*find_series(*sq, "SYN queue")->values[10] == 128);

  // 50 ms samples are averaged in pairs: 100 ms bins.
  const Chart* rates = find_chart(page.charts, "chart-rates-0");
  REQUIRE(rates);
  CHECK(rates->title == "Packets per second, server:80 (100 ms averages)");
  CHECK(rates->x.size() == 20);
  CHECK(rates->x.front() == doctest::Approx(0.1));
  const auto* syn = find_series(*rates, "SYN in");
  REQUIRE(syn);
  CHECK(*syn->values[0] == doctest::Approx(40));
  CHECK(*syn->values[5] == doctest::Approx(1040));
  CHECK(find_series(*rates, "SYN-ACK out"));
  CHECK(find_series(*rates, "RST out"));

  // Only counters that moved get a line; the quiet ones are listed.
  const Chart* counters = find_chart(page.charts, "chart-counters-0");
  REQUIRE(counters);
  CHECK(find_series(*counters, "TcpExtSyncookiesSent"));
  CHECK(find_series(*counters, "TcpExtListenOverflows"));
  CHECK_FALSE(find_series(*counters, "TcpExtSyncookiesFailed"));
  CHECK(page.body_html.find("Stayed at 0 during the run: <code>TcpExtSyncookiesRecv</code>") !=
        std::string::npos);
}

TEST_CASE("connect-time CDF: one curve per group that connected, from 0% to 100%") {
  const auto summary = netsim::testing::fixture_summary();
  const auto page = netsim::report::build_report(summary, fixture_ts());
  const Chart* cdf = find_chart(page.charts, "chart-connect-cdf");
  REQUIRE(cdf);
  REQUIRE(cdf->series.size() == 2);  // "late" never connected
  CHECK(cdf->series[0].label == "legit (100)");
  CHECK(cdf->series[1].label == "probe (50)");
  CHECK(cdf->x_log);  // 0.15 ms .. 3 s
  CHECK(cdf->step);
  CHECK(cdf->y_max == 100);
  CHECK(std::is_sorted(cdf->x.begin(), cdf->x.end()));
  for (const auto& s : cdf->series) {
    CHECK(*s.values.front() == 0);
    CHECK(*s.values.back() == 100);
    CHECK(std::is_sorted(s.values.begin(), s.values.end()));
  }
  // At legit's own p50 the curve stands at (at least) 50%, just below it lower.
  const double p50_ms = summary["clients"][0]["connect_time"]["p50_ns"].get<double>() / 1e6;
  const auto at = std::find(cdf->x.begin(), cdf->x.end(), p50_ms);
  REQUIRE(at != cdf->x.end());
  const size_t i = static_cast<size_t>(at - cdf->x.begin());
  CHECK(*cdf->series[0].values[i] >= 50);
  CHECK(*cdf->series[0].values[i - 1] < 50);
  // 60% of legit connected in ~0.2 ms, then SYN retransmits at +1 s and +3 s.
  const auto at_1ms = std::upper_bound(cdf->x.begin(), cdf->x.end(), 1.0) - cdf->x.begin() - 1;
  CHECK(*cdf->series[0].values[static_cast<size_t>(at_1ms)] == 60);
}

TEST_CASE("all connections equally fast: the CDF still spans a visible range") {
  auto summary = netsim::testing::fixture_summary();
  summary["clients"] = nlohmann::json::array({summary["clients"][1]});
  auto& ct = summary["clients"][0]["connect_time"];
  ct["cdf_ns"] = std::vector<int64_t>(101, 2'001'000);
  const auto page = netsim::report::build_report(summary, Timeseries{});
  const Chart* cdf = find_chart(page.charts, "chart-connect-cdf");
  REQUIRE(cdf);
  CHECK_FALSE(cdf->x_log);
  REQUIRE(cdf->x.size() == 3);
  CHECK(cdf->x[0] < 2.001);
  CHECK(cdf->x[2] > 2.001);
  CHECK(cdf->x[0] > 1.9);  // not stretched from 0, which would squash the step into the edge
  CHECK(*cdf->series[0].values[0] == 0);
  CHECK(*cdf->series[0].values[1] == 100);
}

TEST_CASE("tables: expectations with measured vs bound, client groups, counters") {
  const auto page = netsim::report::build_report(netsim::testing::fixture_summary(), fixture_ts());
  const std::string& b = page.body_html;
  CHECK(b.find("<span class=\"fail\">FAIL</span></td><td>legit</td><td><code>established_ratio</code>"
               "</td><td>&gt;= 0.99</td><td>0.833</td><td><code>/expect/legit/established_ratio</code>") !=
        std::string::npos);
  CHECK(b.find("<span class=\"pass\">PASS</span></td><td>server</td>") != std::string::npos);
  // legit: 100 of 120 established, failures by cause, the p50 from the fixture's distribution.
  CHECK(b.find("<td>legit</td><td>client</td><td class=\"num\">120</td><td class=\"num\">100</td>"
               "<td class=\"num\">83.3%</td>") != std::string::npos);
  CHECK(b.find("ETIMEDOUT 15, connect_timeout 5") != std::string::npos);
  // Counters: rows for counters that moved on some host, hosts as columns.
  CHECK(b.find("<td><code>TcpExtSyncookiesSent</code></td><td class=\"num\">1000</td><td "
               "class=\"num\">0</td>") != std::string::npos);
  CHECK(b.find("<td><code>TcpExtSyncookiesRecv</code></td>") == std::string::npos);
  CHECK(b.find("counters at 0 on every host") != std::string::npos);
  CHECK(b.find("syns_sent 2000") != std::string::npos);
}

TEST_CASE("clients that believe they are connected to a server without state are called out") {
  auto summary = netsim::testing::fixture_summary();
  auto page = netsim::report::build_report(summary, Timeseries{});
  CHECK(page.body_html.find("id=\"no-server-state\"") != std::string::npos);
  CHECK(page.body_html.find("<strong>12 client connection(s) believe they are established") !=
        std::string::npos);
  summary["clients"][0]["connected_without_server_state"] = 0;
  page = netsim::report::build_report(summary, Timeseries{});
  CHECK(page.body_html.find("id=\"no-server-state\"") == std::string::npos);
}

TEST_CASE("text from the scenario is escaped, in the HTML and in the embedded data") {
  auto summary = netsim::testing::fixture_summary();
  summary["clients"][0]["name"] = "</script><script>alert(1)</script>";
  const std::string html = netsim::report::report_html(summary, fixture_ts());
  CHECK(html.find("cookies &lt;on&gt;, &amp; two") != std::string::npos);
  CHECK(html.find("<script>alert(1)") == std::string::npos);
  CHECK(html.find("\\u003c/script>\\u003cscript>alert(1)") != std::string::npos);
  CHECK(html.find("&lt;/script&gt;&lt;script&gt;alert(1)") != std::string::npos);
}

TEST_CASE("the page is self-contained: chart library and licence inlined, nothing to fetch") {
  const std::string html =
      netsim::report::report_html(netsim::testing::fixture_summary(), fixture_ts());
  CHECK(html.find("var uPlot=function()") != std::string::npos);
  CHECK(html.find("Permission is hereby granted") != std::string::npos);
  CHECK(html.find("default-src 'none'") != std::string::npos);
  // No external resource: every src/href is a fragment, no url() in CSS, no import.
  const std::regex external("(src|href)\\s*=\\s*\"(?!#)|url\\(\\s*['\"]?(https?:|//)|@import");
  CHECK_FALSE(std::regex_search(html, external));
  CHECK(std::count(html.begin(), html.end(), '\0') == 0);
}

TEST_CASE("same results, same bytes; write_report reads timeseries.csv from the out dir") {
  const auto summary = netsim::testing::fixture_summary();
  const std::string a = make_dir("det-a"), b = make_dir("det-b");
  std::ofstream(a + "/timeseries.csv") << netsim::testing::fixture_timeseries();
  std::ofstream(b + "/timeseries.csv") << netsim::testing::fixture_timeseries();
  std::string err;
  REQUIRE_MESSAGE(netsim::report::write_report_json(a, summary, &err), err);
  REQUIRE_MESSAGE(netsim::report::write_report_json(b, summary, &err), err);
  const std::string ha = netsim::testing::read_file(a + "/report.html");
  CHECK(ha == netsim::testing::read_file(b + "/report.html"));
  CHECK(ha == netsim::report::report_html(summary, fixture_ts()));
  CHECK_FALSE(std::filesystem::exists(a + "/report.html.tmp"));
}

TEST_CASE("write_report: no timeseries.csv is no charts over time; a broken one is an error") {
  const auto summary = netsim::testing::fixture_summary();
  const std::string dir = make_dir("no-ts");
  std::string err;
  REQUIRE_MESSAGE(netsim::report::write_report_json(dir, summary, &err), err);
  const std::string html = netsim::testing::read_file(dir + "/report.html");
  CHECK(html.find("No samples (timeseries.csv is empty or absent).") != std::string::npos);
  CHECK(html.find("chart-acceptq-0") == std::string::npos);

  std::ofstream(dir + "/timeseries.csv") << "t_ns,host,port,syn_queue\n5,server,80,many\n";
  CHECK_FALSE(netsim::report::write_report_json(dir, summary, &err));
  CHECK(err == dir + "/timeseries.csv: line 2: column syn_queue: expected a number, got 'many'");

  CHECK_FALSE(netsim::report::write_report_json(dir + "/missing/dir", summary, &err));
  CHECK(err.find("/missing/dir/report.html: cannot write") != std::string::npos);
}

TEST_CASE("a minimal run (no clients, no listeners, no expect block) still makes a page") {
  const nlohmann::json summary = {{"name", "empty"}, {"expect_status", "none"}};
  const auto page = netsim::report::build_report(summary, Timeseries{});
  CHECK(page.charts.empty());
  CHECK(page.body_html.find("The scenario has no <code>expect</code> block.") != std::string::npos);
  CHECK(page.body_html.find("No client applications.") != std::string::npos);
  CHECK(page.body_html.find("No listening sockets.") != std::string::npos);
}

TEST_CASE("number formats are fixed") {
  using netsim::report::format_duration_ns;
  CHECK(format_duration_ns(0) == "0");
  CHECK(format_duration_ns(812) == "812 ns");
  CHECK(format_duration_ns(12'500) == "12.5 us");
  CHECK(format_duration_ns(2'001'000) == "2.001 ms");
  CHECK(format_duration_ns(183'240'000) == "183.2 ms");
  CHECK(format_duration_ns(1'002'000'000) == "1.002 s");
  CHECK(format_duration_ns(3e9) == "3 s");
  CHECK(netsim::report::format_percent(100.0 / 120) == "83.3%");
  CHECK(netsim::report::format_number(0.995) == "0.995");
  CHECK(netsim::report::format_number(50271) == "50271");
}
