// Every shipped scenario, run for real, gives a report.html that renders in
// headless Chromium with all its charts and no console errors; the same run
// twice gives the same bytes.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "scenarios/runner/run.h"
#include "scenarios/runner/scenario.h"
#include "tests/report/chromium_check.h"
#include "tests/report/fixture.h"
#include "tools/report/report_html.h"

namespace {

namespace fs = std::filesystem;

// Runs the scenario into OUT and writes its report, as `netsim run` does.
scenario::RunSummary run_into(const std::string& file, const std::string& out) {
  const scenario::Scenario sc = scenario::load_scenario(file);
  scenario::RunOptions opts;
  opts.out_dir = out;
  const scenario::RunOutput r = scenario::run_scenario(sc, opts);
  std::string err;
  REQUIRE_MESSAGE(netsim::report::write_report(out, r.summary, &err), err);
  return r.summary;
}

std::vector<std::string> shipped() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator("scenarios")) {
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("each shipped scenario's report.html renders every chart, offline, silently") {
  const auto files = shipped();
  REQUIRE(files.size() >= 7);
  for (const std::string& file : files) {
    CAPTURE(file);
    const std::string out =
        netsim::testing::test_tmpdir() + "/" + fs::path(file).stem().string();
    const scenario::RunSummary summary = run_into(file, out);
    // What the page must hold: charts for every listener that was sampled.
    netsim::report::Timeseries ts;
    std::string err;
    REQUIRE(netsim::report::parse_timeseries_csv(netsim::testing::read_file(out + "/timeseries.csv"),
                                                 &ts, &err));
    const auto page = netsim::report::build_report(scenario::to_json(summary), ts);
    CHECK(page.charts.size() >= 3 * ts.listeners.size());
    CHECK(!ts.listeners.empty());

    const auto r = netsim::testing::render_in_chromium(out + "/report.html");
    REQUIRE_MESSAGE(r.launched, r.problem);
    std::string console;
    for (const auto& l : r.console) console += l + "\n";
    CHECK_MESSAGE(r.console.empty(), console);
    CHECK(r.status == "ok");
    CHECK(r.charts == static_cast<int>(page.charts.size()));
    CHECK(r.canvases == static_cast<int>(page.charts.size()));
  }
}

TEST_CASE("same scenario, same seed: the same report.html bytes") {
  const std::string a = netsim::testing::test_tmpdir() + "/same-a";
  const std::string b = netsim::testing::test_tmpdir() + "/same-b";
  run_into("scenarios/syn_flood_no_cookies.json", a);
  run_into("scenarios/syn_flood_no_cookies.json", b);
  const std::string ha = netsim::testing::read_file(a + "/report.html");
  CHECK(ha.size() > 60000);
  CHECK(ha == netsim::testing::read_file(b + "/report.html"));
}
