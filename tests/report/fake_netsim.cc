// A stand-in for `netsim run` in sweep tests: writes a summary.json whose
// numbers follow from the --set values, so the sweep's table can be checked
// exactly, and fails on demand:
//   --set apps/0/backlog=V    listener "server:80" max_accept_queue = V + 1,
//                             client "legit" established = V + 1 (of 20)
//   --set apps/1/rate=R       legit connect p50 = R ms, p99 = 2R ms
//   backlog 13                expectation fails: exit 1 (summary written)
//   backlog 66                dies by SIGABRT before writing anything
//   backlog 77                exits 2 with a message, as a late bad input would
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] != "run") return 2;
  std::string out;
  long backlog = 8, rate = 10;
  for (size_t i = 1; i + 1 < args.size(); ++i) {
    if (args[i] == "--out") out = args[i + 1];
    if (args[i] == "--set" && args[i + 1].rfind("apps/0/backlog=", 0) == 0) {
      backlog = std::atol(args[i + 1].c_str() + 15);
    }
    if (args[i] == "--set" && args[i + 1].rfind("apps/1/rate=", 0) == 0) {
      rate = std::atol(args[i + 1].c_str() + 12);
    }
  }
  std::printf("fake run: backlog %ld rate %ld\n", backlog, rate);
  if (backlog == 66) std::abort();
  if (backlog == 77) {
    std::fprintf(stderr, "scenario.json: /apps/0/backlog: something only the run noticed\n");
    return 2;
  }
  std::filesystem::create_directories(out);
  const bool pass = backlog != 13;
  const double established = static_cast<double>(std::min(backlog + 1, 20L));
  nlohmann::json s = {
      {"name", "fake"},
      {"scenario_file", "scenarios/backlog_overflow.json"},
      {"seed", 7},
      {"hosts",
       {{{"name", "server"},
         {"counters", {{"TcpExtListenOverflows", 20 - established}, {"TcpExtSyncookiesSent", 0}}}}}},
      {"listeners",
       {{{"host", "server"}, {"port", 80}, {"max_syn_queue", 1}, {"max_accept_queue", backlog + 1},
         {"accepted", 0}}}},
      {"clients",
       {{{"name", "legit"},
         {"attempted", 20},
         {"established", established},
         {"established_ratio", established / 20},
         {"failed", 0},
         {"connected_without_server_state", 0},
         {"connect_time", {{"count", 9}, {"p50_ns", rate * 1000000}, {"p99_ns", 2 * rate * 1000000}}}}}},
      {"expect_status", pass ? "pass" : "fail"},
      {"expectations",
       {{{"target", "web"}, {"metric", "max_accept_queue"}, {"op", "<="}, {"bound", "13"},
         {"pointer", "/expect/web/max_accept_queue"}, {"measured", backlog + 1},
         {"measured_text", std::to_string(backlog + 1)}, {"pass", pass}}}}};
  std::ofstream(out + "/summary.json") << s.dump(2) << "\n";
  return pass ? 0 : 1;
}
