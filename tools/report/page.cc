#include "tools/report/page.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "tools/report/assets.h"
#include "tools/report/html.h"

namespace netsim::report {
namespace {

// JSON inside <script type="application/json">: a "<" can only occur inside
// a JSON string, where \u003c means the same, and it keeps "</script>" out.
std::string script_safe_json(const nlohmann::json& j) {
  const std::string text = j.dump(-1, ' ', /*ensure_ascii=*/false,
                                  nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

// The licence must travel with the copy of uPlot inlined into every page.
std::string license_comment() {
  std::string text(assets::uplot_license);
  std::string safe;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "--") == 0) {  // "--" may not appear in an HTML comment
      safe += "- -";
      ++i;
    } else {
      safe += text[i];
    }
  }
  return "<!--\nuPlot 1.6.32 (https://github.com/leeoniya/uPlot) is included below under this licence:\n\n" +
         safe + "-->\n";
}

}  // namespace

std::string html_page(std::string_view title, std::string_view body_html,
                      const std::vector<Chart>& charts) {
  nlohmann::json data = {{"charts", nlohmann::json::array()}};
  for (const Chart& c : charts) data["charts"].push_back(to_json(c));

  std::string out;
  out.reserve(assets::uplot_js.size() + body_html.size() + 16384);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // Nothing on this page may come from the network.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n";
  out += "<title>" + html_escape(title) + "</title>\n";
  out += "<style>\n";
  out += assets::uplot_css;
  out += "\n";
  out += assets::page_css;
  out += "</style>\n</head>\n<body data-status=\"loading\">\n";
  out += "<div id=\"netsim-error\" class=\"error\" hidden></div>\n";
  out += body_html;
  out += "<script type=\"application/json\" id=\"netsim-data\">";
  out += script_safe_json(data);
  out += "</script>\n";
  out += license_comment();
  out += "<script>\n";
  out += assets::uplot_js;
  out += "\n</script>\n<script>\n";
  out += assets::page_js;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

bool write_file_atomically(const std::string& path, std::string_view text, std::string* error) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (f) f.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (f) f.close();
    if (!f) {
      if (error) *error = path + ": cannot write (" + std::strerror(errno) + ")";
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    if (error) *error = path + ": cannot write (" + std::strerror(errno) + ")";
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace netsim::report
