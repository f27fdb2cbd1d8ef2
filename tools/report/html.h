// Small helpers for writing HTML text deterministically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace netsim::report {

std::string html_escape(std::string_view s);

// "0", "812 ns", "12.5 us", "2.001 ms", "183.2 ms", "1.002 s": four
// significant digits (one decimal from 100 up), so the same value always
// prints the same way.
std::string format_duration_ns(double ns);
// A ratio as a percentage with one decimal: "99.5%".
std::string format_percent(double ratio);
// A double without exponent noise: integers as integers, else up to 6
// significant digits ("0.995", "1234.5").
std::string format_number(double v);

// <table> with a header row; cells are already HTML. `numeric[i]` right-aligns column i.
std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& numeric = {}, std::string_view css_class = "");

}  // namespace netsim::report
