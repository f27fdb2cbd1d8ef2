// render_report OUT_DIR...: (re)writes OUT_DIR/report.html from the
// summary.json and timeseries.csv a `netsim run` left there, e.g. after an
// upgrade of netsim, or for runs made with an older binary.
//
//   bazel run //tools/report:render_report -- "$PWD/out/backlog_overflow"
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tools/report/report_html.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: render_report OUT_DIR...\n", stderr);
    return 2;
  }
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string dir = argv[i];
    std::ifstream in(dir + "/summary.json");
    nlohmann::json summary = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!in || summary.is_discarded()) {
      std::fprintf(stderr, "render_report: %s/summary.json: missing or not JSON\n", dir.c_str());
      rc = 2;
      continue;
    }
    std::string error;
    if (!netsim::report::write_report_json(dir, summary, &error)) {
      std::fprintf(stderr, "render_report: %s\n", error.c_str());
      rc = 1;
      continue;
    }
    std::printf("%s/report.html\n", dir.c_str());
  }
  return rc;
}
