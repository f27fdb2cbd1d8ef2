// Links and device queues: timing exact to the nanosecond, drop-tail limits
// in packets and bytes, seeded loss.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/net/link.h"
#include "sim/net/network.h"
#include "tests/net/net_test_util.h"

using namespace sim::literals;
using nettest::addr;
using nettest::Sink;
using nettest::World;

namespace {

// Two hosts a (10.0.0.1) and b (10.0.0.2) on link "ab" with the given extra
// link keys, e.g. R"("bandwidth": "1Gbps", "delay": "1ms")".
sim::net::TopologySpec pair(const std::string& link_keys) {
  return nettest::topology_from_text(R"({"nodes": ["a", "b"], "links": [{"name": "ab",
      "a": {"node": "a", "addr": "10.0.0.1/24"}, "b": {"node": "b", "addr": "10.0.0.2/24"}, )" +
                                     link_keys + "}]}");
}

// Sends `count` packets of `len` bytes from a to b, all at the current time.
void burst(World& w, uint32_t count, uint32_t len, uint32_t first_tag = 0) {
  for (uint32_t i = 0; i < count; ++i) {
    nettest::send_from(w.node("a"), nettest::udp_packet(w.pool, addr("10.0.0.1"), addr("10.0.0.2"), len, 64,
                                                        first_tag + i));
  }
}

std::vector<int64_t> arrival_times(const Sink& s) {
  std::vector<int64_t> t;
  for (const auto& a : s.got) t.push_back(a.at.ns());
  return t;
}

struct TxTimes {
  std::vector<int64_t> at;
  static void hook(void* ctx, const sim::net::NetDevice&, const sim::SkBuff&, sim::net::CaptureDir dir,
                   sim::Time now) {
    if (dir == sim::net::CaptureDir::kTx) static_cast<TxTimes*>(ctx)->at.push_back(now.ns());
  }
};

}  // namespace

TEST_CASE("serialization time: bits over rate, rounded up to the nanosecond") {
  CHECK(sim::net::serialization_time(1500, 1'000'000'000).ns() == 12'000);
  CHECK(sim::net::serialization_time(1500, 10'000'000'000).ns() == 1'200);
  CHECK(sim::net::serialization_time(40, 100'000'000).ns() == 3'200);
  CHECK(sim::net::serialization_time(100, 3'000'000'000).ns() == 267);  // 266.67 rounds up
  CHECK(sim::net::serialization_time(1, 1).ns() == 8'000'000'000);
  CHECK(sim::net::serialization_time(1500, 1'500'000'000).ns() == 8'000);
}

TEST_CASE("a packet arrives after serialization plus propagation, exactly") {
  World w(pair(R"("bandwidth": "1Gbps", "delay": "1ms")"));
  Sink sink;
  sink.attach(w.sim, w.node("b"));
  burst(w, 1, 1500);
  w.sim.run();
  REQUIRE(sink.got.size() == 1);
  CHECK(sink.got[0].at.ns() == 12'000 + 1'000'000);
  CHECK(sink.got[0].len == 1500);
  CHECK(sink.got[0].parsed == sim::wire::ParseResult::kOk);
  CHECK(sink.got[0].ifindex == w.node("b").devs[0]->ifindex);
  const sim::net::NetDevice& tx = *w.node("a").devs[0];
  const sim::net::NetDevice& rx = *w.node("b").devs[0];
  CHECK(tx.stats.tx_packets == 1);
  CHECK(tx.stats.tx_bytes == 1500);
  CHECK(rx.stats.rx_packets == 1);
  CHECK(rx.stats.rx_bytes == 1500);
  w.finish();
}

TEST_CASE("back-to-back packets queue behind each other; the wire is full duplex") {
  World w(pair(R"("bandwidth": "1Gbps", "delay": "1ms")"));
  Sink at_b, at_a;
  at_b.attach(w.sim, w.node("b"));
  at_a.attach(w.sim, w.node("a"));
  TxTimes starts;
  sim::net::dev_set_capture(*w.node("a").devs[0], &TxTimes::hook, &starts);
  burst(w, 3, 1500);
  // The other direction at the same instant is not delayed by this one.
  nettest::send_from(w.node("b"), nettest::udp_packet(w.pool, addr("10.0.0.2"), addr("10.0.0.1"), 1500));
  w.sim.run();
  CHECK(starts.at == std::vector<int64_t>{0, 12'000, 24'000});
  CHECK(arrival_times(at_b) == std::vector<int64_t>{1'012'000, 1'024'000, 1'036'000});
  CHECK(arrival_times(at_a) == std::vector<int64_t>{1'012'000});
  CHECK(w.node("a").devs[0]->txq.max_qlen == 2);
  // Later, on an idle link, the clock starts again from the send time.
  w.sim.schedule_at(sim::Time::from_ns(5'000'000), [](void* ctx, uint64_t) { burst(*static_cast<World*>(ctx), 1, 500); },
                    &w);
  w.sim.run();
  REQUIRE(at_b.got.size() == 4);
  CHECK(at_b.got[3].at.ns() == 5'000'000 + 4'000 + 1'000'000);
  w.finish();
}

TEST_CASE("fractional serialization times round up per packet") {
  World w(pair(R"("bandwidth": "3Gbps", "delay": "10us")"));
  Sink sink;
  sink.attach(w.sim, w.node("b"));
  burst(w, 2, 100);
  w.sim.run();
  CHECK(arrival_times(sink) == std::vector<int64_t>{267 + 10'000, 534 + 10'000});
  w.finish();
}

TEST_CASE("drop-tail at the packet limit: the packet on the wire is not in the queue") {
  World w(pair(R"("bandwidth": "1Mbps", "delay": "1ms", "queue": {"packets": 3})"));
  Sink sink;
  sink.attach(w.sim, w.node("b"));
  burst(w, 10, 1500);
  const sim::net::NetDevice& dev = *w.node("a").devs[0];
  CHECK(dev.txq.q.qlen == 3);
  CHECK(dev.stats.tx_dropped == 6);
  CHECK(dev.txq.drops == 6);
  w.sim.run();
  REQUIRE(sink.got.size() == 4);
  // The first four sent are the ones that survive (tail drop), 12 ms apart.
  for (uint32_t i = 0; i < 4; ++i) {
    CHECK(sink.got[i].tag == i);
    CHECK(sink.got[i].at.ns() == (i + 1) * 12'000'000LL + 1'000'000);
  }
  CHECK(dev.txq.max_qlen == 3);
  CHECK(dev.stats.tx_packets == 4);
  // Once drained, the queue takes packets again.
  burst(w, 2, 1500, 100);
  w.sim.run();
  CHECK(sink.got.size() == 6);
  CHECK(dev.stats.tx_dropped == 6);
  w.finish();
}

TEST_CASE("drop-tail at the byte limit, whatever the packet count") {
  World w(pair(R"("bandwidth": "1Mbps", "delay": "1ms", "queue": {"bytes": "2500B"})"));
  Sink sink;
  sink.attach(w.sim, w.node("b"));
  burst(w, 3, 1000, 0);   // one on the wire, two queued: 2000 B
  burst(w, 1, 1000, 3);   // 3000 B > 2500 B: dropped
  burst(w, 1, 500, 4);    // exactly 2500 B: fits
  burst(w, 1, 28, 5);     // 2528 B: dropped
  const sim::net::NetDevice& dev = *w.node("a").devs[0];
  CHECK(dev.txq.q.bytes == 2500);
  CHECK(dev.txq.max_backlog == 2500);
  CHECK(dev.stats.tx_dropped == 2);
  w.sim.run();
  std::vector<uint32_t> tags;
  for (const auto& a : sink.got) tags.push_back(a.tag);
  CHECK(tags == std::vector<uint32_t>{0, 1, 2, 4});
  w.finish();
}

TEST_CASE("a queue limit of zero packets keeps only the packet on the wire") {
  World w(pair(R"("bandwidth": "1Mbps", "delay": "1ms", "queue": {"packets": 0})"));
  Sink sink;
  sink.attach(w.sim, w.node("b"));
  burst(w, 5, 1500);
  w.sim.run();
  CHECK(sink.got.size() == 1);
  CHECK(w.node("a").devs[0]->stats.tx_dropped == 4);
  w.finish();
}

TEST_CASE("default queue: 1000 packets, no byte limit") {
  World w(pair(R"("bandwidth": "1Gbps", "delay": "1ms")"));
  const sim::net::NetDevice& dev = *w.node("a").devs[0];
  CHECK(dev.txq.limit.packets == 1000);
  CHECK(dev.txq.limit.bytes == sim::net::QueueLimit::kNoByteLimit);
  CHECK(dev.mtu == 1500);
  w.finish();
}

namespace {

// Sends one packet every microsecond, `total` in all, so that the queue
// never builds up however many packets a test sends.
struct Pacer {
  World* w;
  uint32_t total;
  uint32_t sent = 0;
  static void tick(void* ctx, uint64_t) {
    auto& p = *static_cast<Pacer*>(ctx);
    burst(*p.w, 1, 100, p.sent);
    if (++p.sent < p.total) p.w->sim.schedule_in(1_us, &Pacer::tick, ctx);
  }
};

struct LossRun {
  std::vector<uint32_t> delivered_tags;
  uint64_t lost = 0;
  uint64_t sent = 0;
  uint64_t reverse_draws_lost = 0;
};

LossRun run_lossy(uint64_t seed, const char* loss, uint32_t packets) {
  World w(pair(std::string(R"("bandwidth": "10Gbps", "delay": "5us", "loss": )") + loss), seed);
  Sink sink;
  sink.attach(w.sim, w.node("b"));
  Pacer pacer{&w, packets};
  w.sim.schedule_now(&Pacer::tick, &pacer);
  w.sim.run();
  LossRun r;
  for (const auto& a : sink.got) r.delivered_tags.push_back(a.tag);
  const sim::net::Link& l = *w.net->find_link("ab");
  r.lost = l.dir[0].lost;
  r.sent = l.dir[0].sent;
  CHECK(l.dir[0].delivered + l.dir[0].lost == l.dir[0].sent);
  CHECK(w.node("a").devs[0]->stats.tx_dropped == 0);
  w.finish();
  return r;
}

}  // namespace

TEST_CASE("random loss: the rate is within tolerance and the run is reproducible") {
  constexpr uint32_t kPackets = 100'000;
  const LossRun a = run_lossy(42, "0.1", kPackets);
  CHECK(a.sent == kPackets);
  CHECK(a.delivered_tags.size() + a.lost == kPackets);
  // Binomial(100000, 0.1): sd = 94.9; allow 5 sd.
  CHECK(a.lost >= 10'000 - 475);
  CHECK(a.lost <= 10'000 + 475);

  const LossRun again = run_lossy(42, "0.1", kPackets);
  CHECK(again.delivered_tags == a.delivered_tags);  // the same packets, not just the same count

  const LossRun other = run_lossy(43, "0.1", kPackets);
  CHECK(other.delivered_tags != a.delivered_tags);
  CHECK(other.lost >= 10'000 - 475);
  CHECK(other.lost <= 10'000 + 475);
}

TEST_CASE("loss written as a percentage; 0 and 100% are exact") {
  CHECK(run_lossy(7, R"("2%")", 20'000).lost == run_lossy(7, "0.02", 20'000).lost);
  CHECK(run_lossy(7, "0", 1'000).lost == 0);
  const LossRun all = run_lossy(7, R"("100%")", 1'000);
  CHECK(all.lost == 1'000);
  CHECK(all.delivered_tags.empty());
}

TEST_CASE("a lost packet still occupies the wire for its serialization time") {
  World w(pair(R"("bandwidth": "1Gbps", "delay": "1ms", "loss": 1)"));
  Sink sink;
  sink.attach(w.sim, w.node("b"));
  TxTimes starts;
  sim::net::dev_set_capture(*w.node("a").devs[0], &TxTimes::hook, &starts);
  burst(w, 2, 1500);
  w.sim.run();
  CHECK(sink.got.empty());
  CHECK(starts.at == std::vector<int64_t>{0, 12'000});
  w.finish();
}

TEST_CASE("a device with nothing attached drops and counts") {
  World w(pair(R"("bandwidth": "1Gbps", "delay": "1ms")"));
  sim::net::NetDevice& dev = *w.node("a").devs[0];
  sim::net::dev_set_tx(dev, nullptr, nullptr);
  CHECK(sim::net::dev_queue_xmit(dev, nettest::udp_packet(w.pool, addr("10.0.0.1"), addr("10.0.0.2"), 100)) ==
        sim::net::NET_XMIT_DROP);
  CHECK(dev.stats.tx_dropped == 1);
  CHECK(dev.stats.tx_carrier_errors == 1);
  w.finish();
}

TEST_CASE("a host without a stack counts what it receives and frees it") {
  World w(pair(R"("bandwidth": "1Gbps", "delay": "1ms")"));
  burst(w, 3, 200);
  w.sim.run();
  CHECK(w.node("b").rx_unclaimed == 3);
  w.finish();
}

TEST_CASE("thousands of packets in flight arrive in order, each at its exact time") {
  World w(pair(R"("bandwidth": "10Gbps", "delay": "1ms", "queue": {"packets": 5000})"));
  Sink sink;
  sink.attach(w.sim, w.node("b"));
  burst(w, 3000, 125);  // 100 ns each on the wire
  w.sim.run_until(sim::Time::from_ns(1'000'000 + 100));
  CHECK(sink.got.size() == 1);
  CHECK(w.net->find_link("ab")->dir[0].in_flight.size() == 2999);
  w.sim.run();
  REQUIRE(sink.got.size() == 3000);
  for (uint32_t i = 0; i < 3000; ++i) {
    REQUIRE(sink.got[i].tag == i);
    REQUIRE(sink.got[i].at.ns() == (i + 1) * 100LL + 1'000'000);
  }
  w.finish();
}

TEST_CASE("tearing the network down returns queued and in-flight buffers to the pool") {
  sim::Simulator simulator;
  sim::SkbPool pool;
  {
    sim::net::Network net(pair(R"("bandwidth": "1Mbps", "delay": "1s")"), simulator, pool, 1);
    sim::net::Node& a = *net.find_node("a");
    for (int i = 0; i < 20; ++i) {
      nettest::send_from(a, nettest::udp_packet(pool, addr("10.0.0.1"), addr("10.0.0.2"), 1500));
    }
    simulator.run_until(sim::Time::from_ns(100'000'000));  // some on the wire, some still queued
    CHECK(net.find_link("ab")->dir[0].in_flight.size() > 0);
    CHECK(a.devs[0]->txq.q.qlen > 0);
    CHECK(pool.in_use() == 20);
  }
  CHECK(pool.in_use() == 0);
}
