// One self-contained HTML page: the vendored chart library, our page script
// and style and the data, all inlined; nothing is fetched when it opens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/report/chart.h"

namespace netsim::report {

// `body_html` is the page content (headings, tables, chart placeholders);
// every Chart must have its placeholder in it. The result is the same bytes
// for the same arguments.
std::string html_page(std::string_view title, std::string_view body_html,
                      const std::vector<Chart>& charts);

// Writes `text` to `path` through a temporary file and a rename, so a
// reader never sees half a page. Returns false with "PATH: reason" in *error.
bool write_file_atomically(const std::string& path, std::string_view text, std::string* error);

}  // namespace netsim::report
