// report.html and sweep.html as a person gets them: opened offline in
// headless Chromium, every chart drawn, nothing logged to the console.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/report/chromium_check.h"
#include "tests/report/fixture.h"
#include "tools/report/page.h"
#include "tools/report/report_html.h"

namespace {

using netsim::testing::render_in_chromium;
using netsim::testing::RenderResult;

std::string console_text(const RenderResult& r) {
  std::string s;
  for (const auto& l : r.console) s += l + "\n";
  return s;
}

void check_rendered(const RenderResult& r, size_t expected_charts) {
  REQUIRE_MESSAGE(r.launched, r.problem);
  INFO("chromium log:\n" << r.log);
  CHECK_MESSAGE(r.console.empty(), console_text(r));
  CHECK(r.status == "ok");
  CHECK(r.charts == static_cast<int>(expected_charts));
  // uPlot draws each chart on one <canvas>.
  CHECK(r.canvases == static_cast<int>(expected_charts));
  CHECK(r.dom.find("id=\"netsim-error\" class=\"error\" hidden") != std::string::npos);
}

}  // namespace

TEST_CASE("report.html renders every chart offline with no console errors") {
  const std::string dir = netsim::testing::test_tmpdir() + "/run";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/timeseries.csv") << netsim::testing::fixture_timeseries();
  const auto summary = netsim::testing::fixture_summary();
  std::string err;
  REQUIRE_MESSAGE(netsim::report::write_report_json(dir, summary, &err), err);

  netsim::report::Timeseries ts;
  REQUIRE(netsim::report::parse_timeseries_csv(netsim::testing::fixture_timeseries(), &ts, &err));
  const auto page = netsim::report::build_report(summary, ts);
  // 2 listeners x (accept queue, SYN queue, packet rates, counter rates)
  // + connect-time CDF + response-time CDF.
  REQUIRE(page.charts.size() == 10);

  const RenderResult r = render_in_chromium(dir + "/report.html");
  check_rendered(r, page.charts.size());
  // The charts carry their titles and legends into the DOM.
  CHECK(r.dom.find("Accept queue, server:80") != std::string::npos);
  CHECK(r.dom.find("SYN queue, server:8080") != std::string::npos);
  CHECK(r.dom.find("Connect time CDF per client group") != std::string::npos);
  CHECK(r.dom.find("accept queue (Recv-Q, sk_ack_backlog)") != std::string::npos);
}

TEST_CASE("a broken chart is caught: the page says so and the check sees it") {
  // A chart whose placeholder is missing must not pass as rendered.
  auto c = netsim::report::make_chart("chart-missing", "t", "x", "y");
  c.x = {1, 2};
  c.series.push_back({"s", {1.0, 2.0}});
  const std::string html = netsim::report::html_page("broken", "<p>no placeholder</p>\n", {c});
  const std::string path = netsim::testing::test_tmpdir() + "/broken.html";
  std::ofstream(path) << html;
  const RenderResult r = render_in_chromium(path);
  REQUIRE_MESSAGE(r.launched, r.problem);
  CHECK(r.status == "error");
  CHECK(r.dom.find("no placeholder for chart chart-missing") != std::string::npos);
}

TEST_CASE("a page that reaches for the network is caught") {
  const std::string html = netsim::report::html_page(
      "net", "<img src=\"https://example.com/x.png\" alt=\"x\">\n", {});
  const std::string path = netsim::testing::test_tmpdir() + "/net.html";
  std::ofstream(path) << html;
  const RenderResult r = render_in_chromium(path);
  REQUIRE_MESSAGE(r.launched, r.problem);
  CHECK_FALSE(r.console.empty());
}
