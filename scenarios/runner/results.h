// What a scenario run produces, as plain structs: the contract between the
// scenario engine (which fills them), `netsim run` (which writes them to
// summary.json / run.json and prints the human summary), and the report and
// sweep writers (which read them back, from the structs or from the files).
// scenarios/README.md ("Results") documents every field of the files.
//
// Determinism: everything in RunSummary depends only on the scenario and the
// seed, so summary.json is byte-identical between runs. Everything that
// depends on the machine (wall time, speed, memory) lives in RunInfo and goes
// to run.json. Maps are std::map (sorted keys), never unordered.
//
// Times are integer nanoseconds of simulated time (fields end in _ns).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scenario {

// Summary of a sample of durations. Empty (count == 0) when there was nothing
// to measure; then every other field is 0 and `cdf` is empty.
struct Quantiles {
  uint64_t count = 0;
  int64_t min_ns = 0, p50_ns = 0, p90_ns = 0, p99_ns = 0, max_ns = 0;
  double mean_ns = 0;
  // cdf[i] is the i-th percentile (nearest rank), i = 0..100: 101 points a
  // report can plot as a CDF without the raw records.
  std::vector<int64_t> cdf;
};
// Nearest-rank quantiles of `samples` (sorted in place).
Quantiles make_quantiles(std::vector<int64_t>& samples);

// One client connection as the client application saw it. -1 = never reached.
struct ConnRecord {
  int64_t start_ns = 0;         // socket() + connect() issued
  int64_t connected_ns = -1;    // connect() completed successfully
  int64_t first_byte_ns = -1;   // first byte of the (first) response
  int64_t done_ns = -1;         // all requests answered, socket closed
  // What ended it when it failed: an errno name ("ECONNREFUSED",
  // "ETIMEDOUT", "ECONNRESET", ...), "connect_timeout" (the application's
  // own connect timeout), or "eof" (the server closed before the full
  // response). Empty when it succeeded or was still in progress at the end.
  std::string failure;
  uint32_t saddr = 0, daddr = 0;  // host byte order
  uint16_t sport = 0, dport = 0;
};

// A client application instance ("client group"): what expect's client
// metrics (established_ratio, connect_p99, failed_<errno>, ...) read.
struct ClientGroupResult {
  std::string name;  // the app's name in the scenario
  std::string host;
  uint32_t app = 0;  // index in the scenario's apps array
  uint64_t attempted = 0;    // connect() calls made
  uint64_t established = 0;  // connect() succeeded
  uint64_t completed = 0;    // every request answered and closed cleanly
  uint64_t failed = 0;       // sum of failed_by
  uint64_t pending = 0;      // neither completed nor failed when the run stopped
  std::map<std::string, uint64_t> failed_by;  // failure (see ConnRecord) -> count
  double established_ratio = 0;  // established / attempted (0 when nothing was attempted)
  // Linux's surprising outcome: connections the client believes are
  // established, still open and unanswered at the end of the run, for which
  // the server host holds no socket at all (with SYN cookies on, the final
  // ACK met a full accept queue and was dropped; the server kept nothing).
  uint64_t connected_without_server_state = 0;
  Quantiles connect_time;   // connected - start, over established connections
  Quantiles response_time;  // done - start, over completed connections
  std::vector<ConnRecord> conns;  // in start order; written to connections.csv, not to summary.json
};

// A listening socket opened by a server application. Queue lengths are what
// `ss -lnt` shows: syn queue = icsk_accept_queue.qlen (request socks),
// accept queue = sk_ack_backlog (Recv-Q).
struct ListenerResult {
  std::string app_name;
  std::string host;
  uint32_t app = 0;
  uint32_t addr = 0;  // bound address, host byte order (0: any)
  uint16_t port = 0;
  int backlog = 0;             // as passed to listen()
  uint32_t max_ack_backlog = 0;  // sk_max_ack_backlog: backlog after the somaxconn clamp
  uint64_t accepted = 0;       // accept() returned a connection
  // Maxima over the whole run, exact (updated by the stack at every change).
  // SIM: the stack keeps these per host (net::max_syn_queue/max_accept_queue),
  // so with several listeners on one host these are the host's maxima.
  uint32_t max_syn_queue = 0;
  uint32_t max_accept_queue = 0;
  // Maxima over the samples only (timeseries.csv), per listener.
  uint32_t sampled_max_syn_queue = 0;
  uint32_t sampled_max_accept_queue = 0;
  uint32_t final_syn_queue = 0;
  uint32_t final_accept_queue = 0;
  // Packets for this listener's port seen on its host's devices.
  uint64_t syn_in = 0;     // SYN without ACK, to the port
  uint64_t synack_out = 0; // SYN+ACK from the port (retransmissions included)
  uint64_t rst_out = 0;    // RST from the port
  uint64_t rst_in = 0;     // RST to the port
};

// A simulated host: its kernel's counters under nstat names and its devices.
struct DeviceResult {
  std::string name;  // "eth0"
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  uint64_t tx_dropped = 0;   // queue overflow / no carrier
  uint32_t max_txq = 0;      // transmit queue high-water mark, packets
};
struct HostResult {
  std::string name;
  std::map<std::string, uint64_t> counters;  // every MIB counter, nstat name -> value (zeros included)
  uint32_t max_syn_queue = 0;     // over all its listeners
  uint32_t max_accept_queue = 0;
  std::vector<DeviceResult> devices;  // ifindex order
};

// Any application's own numbers (e.g. syn_flood: syns_sent, synacks_received,
// rsts_sent), readable by expect as metrics of the app's name.
struct AppResult {
  std::string name;
  std::string type;  // "server", "client", "syn_flood", ...
  std::string host;
  uint32_t app = 0;
  std::map<std::string, uint64_t> counters;
};

// One evaluated expectation (issue 9).
struct ExpectationResult {
  std::string target;    // host or app name, e.g. "server", "legit"
  std::string metric;    // "TcpExtListenOverflows", "connect_p99", ...
  std::string op;        // "==", "!=", "<", "<=", ">", ">="
  std::string bound;     // as written, e.g. "200ms", "0.99"
  std::string pointer;   // where it is in the scenario file: "/expect/legit/connect_p99"
  double measured = 0;   // in the metric's base unit (ns for times)
  std::string measured_text;  // measured value as people read it ("183.2ms", "0.995", "12")
  bool pass = false;
};

struct RunSummary {
  std::string name;         // scenario name (file stem unless "name" is given)
  std::string description;
  std::string scenario_file;
  uint64_t seed = 0;
  int64_t duration_ns = 0;  // simulated time the run covered
  uint64_t events_executed = 0;
  nlohmann::json scenario;  // the scenario as run: overrides applied, defaults filled in
  std::vector<HostResult> hosts;           // hosts that run a stack, topology order
  std::vector<ListenerResult> listeners;   // in the order the servers opened them
  std::vector<ClientGroupResult> clients;  // client apps, scenario order
  std::vector<AppResult> apps;             // every app, scenario order
  // Expectations: "pass", "fail", "skipped" (--no-expect) or "none" (no expect block).
  std::string expect_status = "none";
  std::vector<ExpectationResult> expectations;
  uint64_t trace_events = 0;   // lines in events.jsonl (0 when trace is off)
  std::vector<std::string> outputs;  // files written into the out dir, sorted (run.json excluded)
};

// The machine-dependent part (run.json).
struct RunInfo {
  std::string netsim_version;
  std::string kernel_version;  // the Linux version the stack follows
  double wall_seconds = 0;
  double sim_seconds_per_wall_second = 0;
  double events_per_second = 0;
  uint64_t peak_rss_bytes = 0;
  std::string started_at;  // UTC, ISO 8601
  std::vector<std::string> argv;
};

nlohmann::json to_json(const Quantiles& q);
nlohmann::json to_json(const ClientGroupResult& c);  // without conns
nlohmann::json to_json(const ListenerResult& l);
nlohmann::json to_json(const HostResult& h);
nlohmann::json to_json(const AppResult& a);
nlohmann::json to_json(const ExpectationResult& e);
nlohmann::json to_json(const RunSummary& s);
nlohmann::json to_json(const RunInfo& r);

// timeseries.csv: one row per listener per sample. The header line is
// exactly these names joined by ','. Queue lengths are instantaneous; the
// *_per_s columns are rates over the interval ending at t_ns. Host counters
// (TcpExt...) are the listener's host's.
inline constexpr const char* kTimeseriesColumns[] = {
    "t_ns",
    "host",
    "port",
    "syn_queue",
    "accept_queue",
    "syn_in_per_s",
    "synack_out_per_s",
    "rst_out_per_s",
    "rst_in_per_s",
    "accepted_per_s",
    "TcpExtListenOverflows_per_s",
    "TcpExtListenDrops_per_s",
    "TcpExtSyncookiesSent_per_s",
    "TcpExtSyncookiesRecv_per_s",
    "TcpExtSyncookiesFailed_per_s",
    "TcpExtTCPReqQFullDrop_per_s",
    "TcpExtTCPReqQFullDoCookies_per_s",
    "TcpPassiveOpens_per_s",
};

// connections.csv: one row per client connection, client apps in scenario
// order, connections in start order. -1 = not reached; failure empty = none.
inline constexpr const char* kConnectionsColumns[] = {
    "app", "name", "start_ns", "connected_ns", "first_byte_ns", "done_ns", "failure", "sport",
};

}  // namespace scenario
