#include "tests/report/chromium_check.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/junit/junit_check.h"

namespace netsim::testing {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// An attribute of the <body> element itself (the first "<body" in the DOM;
// scripts later in the page may contain the same text).
std::string body_attr(const std::string& dom, const std::string& name) {
  const size_t start = dom.find("<body");
  if (start == std::string::npos) return "";
  const std::string tag = dom.substr(start, dom.find('>', start) - start);
  const std::regex re("\\s" + name + "=\"([^\"]*)\"");
  std::smatch m;
  return std::regex_search(tag, m, re) ? m[1].str() : std::string();
}

}  // namespace

RenderResult render_in_chromium(const std::string& html_path) {
  RenderResult r;
  if (access(kChromium, X_OK) != 0) {
    r.problem = std::string(kChromium) +
                " is missing: the report pages are checked in headless Chromium; install the "
                "Debian package 'chromium' (./netsim installs it)";
    return r;
  }
  const char* tmp = getenv("TEST_TMPDIR");
  std::string dir_template = std::string(tmp ? tmp : "/tmp") + "/chromium.XXXXXX";
  if (!mkdtemp(dir_template.data())) {
    r.problem = "cannot create a user-data-dir under " + std::string(tmp ? tmp : "/tmp");
    return r;
  }
  const std::string profile = dir_template;
  const std::string dom_file = profile + "/dom.html";
  const std::string log_file = profile + "/stderr.txt";
  char abs[4096];
  const std::string url =
      "file://" + std::string(html_path[0] == '/' ? html_path
                                                  : std::string(getcwd(abs, sizeof abs)) + "/" +
                                                        html_path);
  // `timeout` only guards against a wedged browser; nothing here measures time.
  const std::string cmd =
      "(HOME=" + shell_quote(profile) + " timeout 120 " + kChromium +
      " --headless --no-sandbox --disable-gpu --disable-background-networking"
      " --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage"
      " --disable-extensions --no-default-browser-check --mute-audio"
      " --host-resolver-rules='MAP * ~NOTFOUND'"
      " --user-data-dir=" + shell_quote(profile) +
      " --enable-logging=stderr --v=0 --window-size=1280,2000 --virtual-time-budget=3000"
      " --dump-dom " + shell_quote(url) + " >" + shell_quote(dom_file) + " 2>" +
      shell_quote(log_file) + ")";
  std::string ignored;
  const int rc = run_capture(cmd, &ignored);
  r.dom = read_all(dom_file);
  r.log = read_all(log_file);
  if (rc != 0 || r.dom.find("<body") == std::string::npos) {
    r.problem = "chromium exited with " + std::to_string(rc) + " and no DOM; its log:\n" + r.log;
    return r;
  }
  r.launched = true;
  r.status = body_attr(r.dom, "data-status");
  const std::string charts = body_attr(r.dom, "data-charts");
  r.charts = charts.empty() || charts.find_first_not_of("0123456789") != std::string::npos
                 ? -1
                 : std::stoi(charts);
  for (size_t pos = 0; (pos = r.dom.find("<canvas", pos)) != std::string::npos; ++pos) ++r.canvases;
  // Console output from the page ("CONSOLE(line)"), uncaught exceptions, CSP
  // violations and failed loads; Chromium's own start-up chatter is ignored.
  std::istringstream lines(r.log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos ||
        line.find("Content Security Policy") != std::string::npos ||
        line.find("net::ERR_") != std::string::npos) {
      r.console.push_back(line);
    }
  }
  return r;
}

}  // namespace netsim::testing
