// Files embedded into the binary at build time (see BUILD: genrule
// "assets_cc"), so that report.html and sweep.html are self-contained and
// netsim needs no data files at run time.
#pragma once

#include <string_view>

namespace netsim::report::assets {

extern const std::string_view uplot_js;       // third_party/js/uplot/uPlot.iife.min.js
extern const std::string_view uplot_css;      // third_party/js/uplot/uPlot.min.css
extern const std::string_view uplot_license;  // third_party/js/uplot/LICENSE
extern const std::string_view page_js;        // tools/report/page.js: builds the charts
extern const std::string_view page_css;       // tools/report/page.css

}  // namespace netsim::report::assets
