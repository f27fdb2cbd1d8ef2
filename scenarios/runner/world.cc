#include "scenarios/runner/world.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/net/net_device.h"
#include "sim/wire/ipv4_addr.h"
#include "stack/host/attach.h"
#include "stack/inet_connection_sock.h"
#include "stack/inet_hashtables.h"
#include "stack/snmp.h"
#include "stack/tcp.h"

namespace scenario {

namespace {

// The host counters timeseries.csv reports, in kTimeseriesColumns order.
constexpr stack::Mib kRateMibs[] = {
    stack::LINUX_MIB_LISTENOVERFLOWS,      stack::LINUX_MIB_LISTENDROPS,      stack::LINUX_MIB_SYNCOOKIESSENT,
    stack::LINUX_MIB_SYNCOOKIESRECV,       stack::LINUX_MIB_SYNCOOKIESFAILED, stack::LINUX_MIB_TCPREQQFULLDROP,
    stack::LINUX_MIB_TCPREQQFULLDOCOOKIES, stack::TCP_MIB_PASSIVEOPENS,
};

// An app's life: wait for its start time, run, and name itself in any error.
sim::Task<void> app_main(apps::AppEnv& env, const AppInstance& a) {
  if (a.start > sim::Time()) co_await sim::sleep(env.sim, a.start);
  try {
    co_await a.def->run(env, a.config);
  } catch (const std::exception& e) {
    throw std::runtime_error("app " + a.name + " (" + std::string(a.def->type) + " on " + a.host + "): " + e.what());
  }
}

std::string addr_port(uint32_t a, uint16_t p) { return sim::wire::ipv4_addr_str(a) + ":" + std::to_string(p); }

}  // namespace

// ---- StreamFile ---------------------------------------------------------------

StreamFile::~StreamFile() { close(); }

bool StreamFile::open(const std::string& path) {
  path_ = path;
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) error_ = path + ": " + std::strerror(errno);
  return f_ != nullptr;
}

void StreamFile::append(std::string_view s) {
  buf_.append(s);
  if (buf_.size() >= (1u << 20)) flush();
}

void StreamFile::flush() {
  if (f_ && !buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size() && error_.empty())
    error_ = path_ + ": " + std::strerror(errno);
  buf_.clear();
}

bool StreamFile::close() {
  if (!f_) return error_.empty();
  flush();
  if (std::fclose(f_) != 0 && error_.empty()) error_ = path_ + ": " + std::strerror(errno);
  f_ = nullptr;
  return error_.empty();
}

// ---- World --------------------------------------------------------------------

World::World(const Scenario& sc, const std::string& out_dir)
    : sc_(sc), out_dir_(out_dir), network_(sc.topology, sim_, pool_, sc.seed) {
  const sim::net::TopologySpec& topo = sc.topology;
  kernels_.resize(topo.nodes.size());
  for (uint32_t n = 0; n < topo.nodes.size(); ++n) {
    if (topo.nodes[n].kind != sim::net::NodeKind::kHost) continue;
    auto k = std::make_unique<stack::net>(sim_, pool_, topo.nodes[n].name, sc.seed);
    k->sysctl = sc.sysctls[n];
    stack::attach_to_node(*k, network_.node(n));
    if (sc.trace != TraceLevel::kOff) k->tracer = stack::Tracer{this, &World::on_trace};
    kernels_[n] = std::move(k);
  }

  if (!out_dir_.empty()) {
    auto open_stream = [&](StreamFile& f, const std::string& name) {
      if (!f.open(out_dir_ + "/" + name)) throw std::runtime_error("cannot write " + f.error());
      written_.push_back(name);
    };
    if (sc.trace != TraceLevel::kOff) open_stream(events_, "events.jsonl");
    open_stream(timeseries_, "timeseries.csv");
    std::string header;
    for (const char* c : kTimeseriesColumns) header += (header.empty() ? "" : ",") + std::string(c);
    timeseries_.append(header + "\n");
  }
  build_taps();

  for (const AppInstance& a : sc.apps) {
    AppResult& r = app_results_.emplace_back();
    r.name = a.name;
    r.type = std::string(a.def->type);
    r.host = a.host;
    r.app = a.index;
    apps::AppEnv& env = envs_.emplace_back(apps::AppEnv{
        .sim = sim_,
        .tasks = tasks_,
        .k = *kernels_[a.node],
        .node = network_.node(a.node),
        .pool = pool_,
        .rng = sim::Rng::derive(sc.seed, "app:" + std::to_string(a.index)),
        .index = a.index,
        .name = a.name,
        .result = r,
        .client = nullptr,
        .listeners = listeners_,
        .keep_alive = keep_alive_,
    });
    if (a.def->kind == apps::AppKind::kClient) {
      ClientGroupResult& c = client_results_.emplace_back();
      c.name = a.name;
      c.host = a.host;
      c.app = a.index;
      env.client = &c;
    }
    tasks_.spawn(app_main(env, a));
  }
  timer_setup(sample_timer_, &World::on_sample, this);
  schedule_sample();
}

World::~World() {
  sim_.del_timer(sample_timer_);
  events_.close();
  timeseries_.close();
}

stack::net* World::kernel(const std::string& host) {
  const int64_t n = sc_.topology.find_node(host);
  return n < 0 ? nullptr : kernels_[static_cast<size_t>(n)].get();
}

void World::build_taps() {
  const sim::net::TopologySpec& topo = sc_.topology;
  std::vector<bool> server_host(topo.nodes.size(), false);
  for (const AppInstance& a : sc_.apps)
    if (a.def->kind == apps::AppKind::kServer) server_host[a.node] = true;

  auto tap_for = [&](uint32_t node, uint32_t dev) -> Tap& {
    sim::net::NetDevice& d = *network_.node(node).devs[dev];
    if (d.capture_ctx) return *static_cast<Tap*>(d.capture_ctx);
    Tap& t = taps_.emplace_back();
    t.w = this;
    t.dev = &d;
    t.k = kernels_[node].get();
    sim::net::dev_set_capture(d, &World::on_packet, &t);
    return t;
  };
  for (uint32_t n = 0; n < topo.nodes.size(); ++n) {
    if (!kernels_[n]) continue;
    const bool packets = sc_.trace == TraceLevel::kPackets && !out_dir_.empty();
    if (!server_host[n] && !packets) continue;
    for (uint32_t d = 0; d < network_.node(n).devs.size(); ++d) {
      Tap& t = tap_for(n, d);
      t.count_listeners |= server_host[n];
      t.trace_packets |= packets;
    }
  }
  if (out_dir_.empty()) return;
  for (const CaptureSpec& c : sc_.captures) {
    auto& w = pcaps_.emplace_back(std::make_unique<sim::wire::PcapWriter>());
    if (!w->open(out_dir_ + "/" + c.file)) throw std::runtime_error("cannot write " + w->error());
    written_.push_back(c.file);
    tap_for(c.node, c.dev).pcap = w.get();
  }
}

// ---- observers ----------------------------------------------------------------

void World::on_packet(void* ctx, const sim::net::NetDevice& dev, const sim::SkBuff& skb, sim::net::CaptureDir dir,
                      sim::Time now) {
  (void)dev;
  Tap& t = *static_cast<Tap*>(ctx);
  if (t.pcap) t.pcap->write(now, skb.data, skb.len);
  if (t.count_listeners) t.w->count_packet(t, skb, dir);
  if (t.trace_packets) t.w->trace_packet(t, skb, dir, now);
}

namespace {
// The TCP fields a tap needs, read straight from the frame (IPv4, no options
// parsing): false when the frame is not TCP.
struct TcpPeek {
  uint32_t saddr, daddr;
  uint16_t sport, dport;
  uint8_t flags;
};
bool peek_tcp(const sim::SkBuff& skb, TcpPeek* p) {
  const uint8_t* d = skb.data;
  if (skb.len < 20 || (d[0] >> 4) != 4 || d[9] != 6) return false;
  const uint32_t ihl = (d[0] & 0x0f) * 4u;
  if (skb.len < ihl + 14) return false;
  auto be32 = [](const uint8_t* q) {
    return (uint32_t{q[0]} << 24) | (uint32_t{q[1]} << 16) | (uint32_t{q[2]} << 8) | q[3];
  };
  p->saddr = be32(d + 12);
  p->daddr = be32(d + 16);
  p->sport = static_cast<uint16_t>((d[ihl] << 8) | d[ihl + 1]);
  p->dport = static_cast<uint16_t>((d[ihl + 2] << 8) | d[ihl + 3]);
  p->flags = d[ihl + 13];
  return true;
}
}  // namespace

void World::count_packet(Tap& tap, const sim::SkBuff& skb, sim::net::CaptureDir dir) {
  TcpPeek p;
  if (!peek_tcp(skb, &p)) return;
  const bool syn = p.flags & stack::TCPHDR_SYN, ack = p.flags & stack::TCPHDR_ACK, rst = p.flags & stack::TCPHDR_RST;
  for (apps::ListenerHandle& l : listeners_) {
    if (l.k != tap.k) continue;
    if (dir == sim::net::CaptureDir::kRx && p.dport == l.result.port) {
      if (syn && !ack) ++l.syn_in;
      if (rst) ++l.rst_in;
    } else if (dir == sim::net::CaptureDir::kTx && p.sport == l.result.port) {
      if (syn && ack) ++l.synack_out;
      if (rst) ++l.rst_out;
    }
  }
}

void World::trace_packet(Tap& tap, const sim::SkBuff& skb, sim::net::CaptureDir dir, sim::Time now) {
  TcpPeek p;
  if (!peek_tcp(skb, &p)) return;
  std::string flags;
  static constexpr char kFlag[] = "FSRPAUEC";
  for (int b = 0; b < 8; ++b)
    if (p.flags & (1u << b)) flags += kFlag[b];
  const bool tx = dir == sim::net::CaptureDir::kTx;
  events_.append(fmt::format(
      "{{\"t_ns\":{},\"host\":\"{}\",\"func\":\"{}\",\"verdict\":\"{}\",\"reason\":\"{} {}\",\"local\":\"{}\","
      "\"remote\":\"{}\"}}\n",
      now.ns(), tap.k->hostname, tx ? "dev_queue_xmit" : "netif_receive_skb", tx ? "tx" : "rx", tap.dev->name, flags,
      tx ? addr_port(p.saddr, p.sport) : addr_port(p.daddr, p.dport),
      tx ? addr_port(p.daddr, p.dport) : addr_port(p.saddr, p.sport)));
  ++events_.lines;
}

void World::on_trace(void* ctx, const std::string& host, const stack::TraceEvent& ev) {
  World& w = *static_cast<World*>(ctx);
  if (!w.events_.is_open()) {
    ++w.events_.lines;
    return;
  }
  // TraceEvent carries the local end in saddr/sport and the peer in daddr/dport.
  w.events_.append(fmt::format(
      "{{\"t_ns\":{},\"host\":\"{}\",\"func\":\"{}\",\"verdict\":\"{}\",\"reason\":\"{}\",\"local\":\"{}\","
      "\"remote\":\"{}\"}}\n",
      ev.t.ns(), host, ev.func, ev.verdict, ev.reason, addr_port(ev.saddr, ev.sport), addr_port(ev.daddr, ev.dport)));
  ++w.events_.lines;
}

// ---- sampling -----------------------------------------------------------------

void World::schedule_sample() {
  // Every `sample`, and once more at the very end if the duration is not a
  // multiple of it.
  sim::Time next = last_sample_ + sc_.sample;
  if (next > sc_.duration) next = sc_.duration;
  if (next <= last_sample_) return;
  sim_.mod_timer(sample_timer_, next);
}

void World::on_sample(void* ctx, uint64_t) {
  World& w = *static_cast<World*>(ctx);
  w.sample();
  w.schedule_sample();
}

void World::sample() {
  const sim::Time now = sim_.now();
  const double interval_ns = static_cast<double>((now - last_sample_).ns());
  last_sample_ = now;
  sample_state_.resize(listeners_.size());
  std::string rows;
  for (size_t i = 0; i < listeners_.size(); ++i) {
    apps::ListenerHandle& l = listeners_[i];
    SampleState& prev = sample_state_[i];
    int err = 0;
    uint32_t synq = 0, acceptq = 0;
    if (stack::socket* s = stack::sockfd_lookup(l.k, l.fd, &err)) {
      synq = stack::inet_csk_reqsk_queue_len(s->sk);
      acceptq = s->sk->sk_ack_backlog;
    }
    l.result.sampled_max_syn_queue = std::max(l.result.sampled_max_syn_queue, synq);
    l.result.sampled_max_accept_queue = std::max(l.result.sampled_max_accept_queue, acceptq);
    if (!timeseries_.is_open()) continue;
    auto rate = [&](uint64_t cur, uint64_t& before) {
      const double r = static_cast<double>(cur - before) * 1e9 / interval_ns;
      before = cur;
      return fmt::format(",{}", r);
    };
    std::string row = fmt::format("{},{},{},{},{}", now.ns(), l.k->hostname, l.result.port, synq, acceptq);
    row += rate(l.syn_in, prev.syn_in);
    row += rate(l.synack_out, prev.synack_out);
    row += rate(l.rst_out, prev.rst_out);
    row += rate(l.rst_in, prev.rst_in);
    row += rate(l.result.accepted, prev.accepted);
    for (stack::Mib m : kRateMibs) row += rate(l.k->mib[m], prev.mib[m]);
    rows += row + "\n";
    ++timeseries_.lines;
  }
  if (!rows.empty()) timeseries_.append(rows);
}

// ---- running and collecting -----------------------------------------------------

void World::run(const std::function<void(sim::Time)>& progress) {
  const sim::Time end = sc_.duration;
  const sim::Time step = std::max(end / 100, sim::nanoseconds(1));
  for (sim::Time t = sim::Time(); t < end;) {
    t = std::min(end, t + step);
    sim_.run_until(t);
    if (progress) progress(t);
  }
  tasks_.rethrow_errors();
  if (!events_.close()) throw std::runtime_error("cannot write " + events_.error());
  if (!timeseries_.close()) throw std::runtime_error("cannot write " + timeseries_.error());
  for (auto& p : pcaps_)
    if (!p->close()) throw std::runtime_error("cannot write " + p->error());
}

std::vector<std::string> World::outputs() const { return written_; }

// Linux's surprising outcome, counted: connections the client holds as
// established, still waiting for their answer, for which the server host has
// no socket at all under the 4-tuple (neither a request sock nor a child).
void World::census(RunSummary& s) {
  std::vector<std::pair<uint32_t, stack::net*>> by_addr;
  for (uint32_t n = 0; n < sc_.topology.nodes.size(); ++n) {
    if (!kernels_[n]) continue;
    for (const sim::net::DevRef& d : sc_.topology.node_devs[n]) {
      const sim::net::EndpointSpec& e = sc_.topology.endpoint(d);
      if (e.numbered) by_addr.emplace_back(e.addr.addr, kernels_[n].get());
    }
  }
  for (ClientGroupResult& c : s.clients) {
    for (const ConnRecord& r : c.conns) {
      if (r.connected_ns < 0 || r.done_ns >= 0 || !r.failure.empty()) continue;
      stack::net* server = nullptr;
      for (const auto& [a, k] : by_addr)
        if (a == r.daddr) server = k;
      if (!server) continue;
      if (!stack::__inet_lookup_established(server->hashinfo, r.saddr, r.sport, r.daddr, r.dport))
        ++c.connected_without_server_state;
    }
  }
}

RunSummary World::collect() {
  RunSummary s;
  s.name = sc_.name;
  s.description = sc_.description;
  s.scenario_file = sc_.file;
  s.seed = sc_.seed;
  s.duration_ns = sim_.now().ns();
  s.events_executed = sim_.stats().events_executed;
  s.scenario = sc_.echo;
  s.expect_status = sc_.expect.empty() ? "none" : "pending";

  // Hosts: those that run an app, are named in expect, or saw IP traffic.
  std::vector<bool> wanted(sc_.topology.nodes.size(), false);
  for (const AppInstance& a : sc_.apps) wanted[a.node] = true;
  for (const Expectation& e : sc_.expect)
    if (e.kind == TargetKind::kHost) wanted[static_cast<size_t>(sc_.topology.find_node(e.target))] = true;
  for (uint32_t n = 0; n < sc_.topology.nodes.size(); ++n) {
    stack::net* k = kernels_[n].get();
    if (!k) continue;
    if (!wanted[n] && k->mib[stack::IPSTATS_MIB_INRECEIVES] == 0 && k->mib[stack::IPSTATS_MIB_OUTREQUESTS] == 0)
      continue;
    HostResult h;
    h.name = k->hostname;
    for (int m = 0; m < stack::MIB_MAX; ++m)
      h.counters[std::string(stack::mib_name(static_cast<stack::Mib>(m)))] = k->mib[static_cast<stack::Mib>(m)];
    h.max_syn_queue = k->max_syn_queue;
    h.max_accept_queue = k->max_accept_queue;
    for (const auto& d : network_.node(n).devs) {
      DeviceResult dr;
      dr.name = d->name;
      dr.rx_packets = d->stats.rx_packets;
      dr.tx_packets = d->stats.tx_packets;
      dr.rx_bytes = d->stats.rx_bytes;
      dr.tx_bytes = d->stats.tx_bytes;
      dr.tx_dropped = d->stats.tx_dropped;
      dr.max_txq = d->txq.max_qlen;
      h.devices.push_back(dr);
    }
    s.hosts.push_back(std::move(h));
  }

  for (apps::ListenerHandle& l : listeners_) {
    ListenerResult r = l.result;
    // SIM: the stack keeps exact queue maxima per host, not per listener.
    r.max_syn_queue = l.k->max_syn_queue;
    r.max_accept_queue = l.k->max_accept_queue;
    int err = 0;
    if (stack::socket* so = stack::sockfd_lookup(l.k, l.fd, &err)) {
      r.final_syn_queue = stack::inet_csk_reqsk_queue_len(so->sk);
      r.final_accept_queue = so->sk->sk_ack_backlog;
    }
    r.syn_in = l.syn_in;
    r.synack_out = l.synack_out;
    r.rst_out = l.rst_out;
    r.rst_in = l.rst_in;
    s.listeners.push_back(std::move(r));
  }

  for (const ClientGroupResult& src : client_results_) {
    ClientGroupResult c = src;
    std::vector<int64_t> connect, response;
    for (const ConnRecord& r : c.conns) {
      ++c.attempted;
      if (r.connected_ns >= 0) {
        ++c.established;
        connect.push_back(r.connected_ns - r.start_ns);
      }
      if (!r.failure.empty()) {
        ++c.failed;
        ++c.failed_by[r.failure];
      } else if (r.done_ns >= 0) {
        ++c.completed;
        response.push_back(r.done_ns - r.start_ns);
      } else {
        ++c.pending;
      }
    }
    c.established_ratio =
        c.attempted ? static_cast<double>(c.established) / static_cast<double>(c.attempted) : 0.0;
    c.connect_time = make_quantiles(connect);
    c.response_time = make_quantiles(response);
    s.clients.push_back(std::move(c));
  }
  census(s);
  for (const AppResult& a : app_results_) s.apps.push_back(a);
  s.trace_events = events_.lines;
  return s;
}

}  // namespace scenario
