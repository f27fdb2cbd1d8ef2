// Benchmark cases defined outside bench.cc, and the shared result formatter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bench {

// "name: <median> <unit> (median of N; <min>..<max>) extra"
std::string result_line(std::string_view name, std::vector<double> samples, std::string_view unit,
                        std::string_view extra);

std::string syn_flood(int runs);  // bench_syn_flood.cc
std::string half_open(int runs);  // bench_syn_flood.cc
std::string bulk(int runs);       // bench_bulk.cc

}  // namespace bench
