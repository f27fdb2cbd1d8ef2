// Loads a page in headless Chromium (Debian package `chromium`) and reports
// what a person opening it would get: the DOM after the scripts ran, whether
// the page's script finished (<body data-status="ok" data-charts="N">), how
// many <canvas> elements the charts produced, and every console message or
// blocked request Chromium logged. Network access is cut off (every host
// name resolves to nothing, and the page's own CSP forbids fetches), so a
// page that needs the network fails here.
#pragma once

#include <string>
#include <vector>

namespace netsim::testing {

struct RenderResult {
  bool launched = false;   // chromium ran and printed a DOM
  std::string problem;     // why not launched (missing binary, crash), else ""
  std::string dom;         // --dump-dom output
  std::string status;      // body data-status: "ok", "error", "loading" (script never ran)
  int charts = -1;         // body data-charts
  int canvases = 0;        // <canvas> elements in the DOM
  std::vector<std::string> console;  // console messages / load errors from Chromium's log
  std::string log;         // Chromium's whole stderr, for failure messages
};

inline constexpr const char* kChromium = "/usr/bin/chromium";

RenderResult render_in_chromium(const std::string& html_path);

}  // namespace netsim::testing
