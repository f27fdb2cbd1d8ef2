// A scenario made real: the network built from its topology, one simulated
// Linux kernel per host with the scenario's sysctls, the apps as tasks
// started at their times, and the observers (pcap taps, the event trace,
// the queue sampler). Observers only watch; they never steer.
//
//   World w(scenario, "out/x");   // "" writes no files (tests, sweeps that only want numbers)
//   w.run([](sim::Time now) { ... progress ... });
//   RunSummary s = w.collect();
//
// Member order is teardown order (reverse): tasks die first (they hold file
// references into the kernels), then the observers, the kernels, the
// network, and last the pool and the simulator everything points into.
#pragma once

#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scenarios/apps/app.h"
#include "scenarios/runner/results.h"
#include "scenarios/runner/scenario.h"
#include "sim/net/network.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/task.h"
#include "sim/wire/pcap_writer.h"
#include "stack/net.h"

namespace scenario {

// An output file written as the run goes (events.jsonl, timeseries.csv):
// appended to a buffer, handed to the file in large writes.
class StreamFile {
 public:
  StreamFile() = default;
  StreamFile(const StreamFile&) = delete;
  StreamFile& operator=(const StreamFile&) = delete;
  ~StreamFile();
  bool open(const std::string& path);  // false: error() says why
  void append(std::string_view s);
  bool close();
  bool is_open() const { return f_ != nullptr; }
  const std::string& error() const { return error_; }
  uint64_t lines = 0;

 private:
  void flush();
  std::FILE* f_ = nullptr;
  std::string path_, buf_, error_;
};

class World {
 public:
  World(const Scenario& sc, const std::string& out_dir);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Runs to the scenario's duration, calling progress() every 1% of it.
  // Throws std::runtime_error if an app failed (a task ended in an exception)
  // or an output file could not be written.
  void run(const std::function<void(sim::Time)>& progress = {});
  // The results (summary.json's content, without expectations); call after run().
  RunSummary collect();
  // Every file written so far into the out dir (names, sorted).
  std::vector<std::string> outputs() const;

  sim::Simulator& simulator() { return sim_; }
  stack::net* kernel(const std::string& host);

  // One device's observer: pcap, packet counts for listeners, packet trace.
  struct Tap {
    World* w = nullptr;
    const sim::net::NetDevice* dev = nullptr;
    stack::net* k = nullptr;  // the host's kernel, if it runs one
    sim::wire::PcapWriter* pcap = nullptr;
    bool count_listeners = false;
    bool trace_packets = false;
  };

 private:
  void build_taps();
  void schedule_sample();
  static void on_sample(void* ctx, uint64_t);
  void sample();
  static void on_trace(void* ctx, const std::string& host, const stack::TraceEvent& ev);
  static void on_packet(void* ctx, const sim::net::NetDevice& dev, const sim::SkBuff& skb, sim::net::CaptureDir dir,
                        sim::Time now);
  void count_packet(Tap& tap, const sim::SkBuff& skb, sim::net::CaptureDir dir);
  void trace_packet(Tap& tap, const sim::SkBuff& skb, sim::net::CaptureDir dir, sim::Time now);
  void census(RunSummary& s);

  const Scenario& sc_;
  std::string out_dir_;
  sim::Simulator sim_;
  sim::SkbPool pool_;
  sim::net::Network network_;
  std::vector<std::unique_ptr<stack::net>> kernels_;  // by node id; null for routers

  // Observers.
  std::vector<std::unique_ptr<sim::wire::PcapWriter>> pcaps_;
  std::deque<Tap> taps_;
  StreamFile events_;
  StreamFile timeseries_;
  sim::Timer sample_timer_;
  sim::Time last_sample_;
  struct SampleState {  // per listener: values at the previous sample
    uint64_t syn_in = 0, synack_out = 0, rst_out = 0, rst_in = 0, accepted = 0;
    std::array<uint64_t, stack::MIB_MAX> mib{};
  };
  std::vector<SampleState> sample_state_;
  std::vector<std::string> written_;  // output files opened so far

  // Apps and what they report.
  std::deque<AppResult> app_results_;
  std::deque<ClientGroupResult> client_results_;
  std::deque<apps::ListenerHandle> listeners_;
  std::vector<std::shared_ptr<void>> keep_alive_;
  std::deque<apps::AppEnv> envs_;
  sim::TaskGroup tasks_{sim_};
};

}  // namespace scenario
