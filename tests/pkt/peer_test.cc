// The scripted peer's bookkeeping: script/live sequence numbers, which
// connection a script packet or a live packet belongs to, accept() binding,
// fds and timestamps (tools/pkt/peer.h).
#include <doctest/doctest.h>

#include "tests/pkt/test_util.h"
#include "tools/pkt/peer.h"

namespace pkt {
namespace {

constexpr uint32_t kLocal = 0xc0a80002;   // 192.168.0.2
constexpr uint32_t kRemote = 0xc0000201;  // 192.0.2.1

PeerAddresses addresses() {
  PeerAddresses a;
  a.local_ip = kLocal;
  a.remote_ip = kRemote;
  return a;
}

Packet packet(const std::string& line) {
  Script s = testing::parse_ok("0 " + line + "\n");
  REQUIRE(s.events.size() == 1);
  return *s.events[0].packet();
}

TEST_CASE("sequence numbers: absolute with SYN, relative to the ISNs otherwise") {
  SeqSpace s;
  s.remote_isn = 1000;
  s.script_local_isn = 0;
  s.live_local_isn = 0xfffffff0u;  // wraps

  // Inbound: the peer's seq is its own ISN-based; our ISN shifts the ack.
  CHECK(s.remote_to_live(1000, true) == 1000);
  CHECK(s.remote_to_live(1, false) == 1001);
  CHECK(s.local_to_live(1, false) == 0xfffffff1u);
  CHECK(s.local_to_live(0x20, false) == 0x10u);  // across the wrap
  // Outbound: back to script space.
  CHECK(s.local_to_script(0xfffffff0u, true) == 0);
  CHECK(s.local_to_script(0x10u, false) == 0x20u);
  CHECK(s.remote_to_script(1011, false) == 11);
  CHECK(s.remote_to_script(1001, true) == 1001);

  // A SYN-ACK written as 5000 while the kernel used 77: SYN packets shift by
  // the difference, others by the live ISN alone.
  SeqSpace t;
  t.script_local_isn = 5000;
  t.live_local_isn = 77;
  CHECK(t.local_to_script(77, true) == 5000);
  CHECK(t.local_to_script(78, false) == 1);
  CHECK(t.local_to_live(5001, true) == 78);
  CHECK(t.local_to_live(1, false) == 78);
}

TEST_CASE("an inbound packet while the socket under test listens starts a new connection") {
  Peer peer(addresses());
  std::string err;
  peer.on_socket(3, 3, 6);
  peer.on_listen(3);
  TrackedSocket* a = peer.socket_for_script_packet(packet("< S 0:0(0) win 100"), &err);
  REQUIRE(a);
  CHECK(a->state == SocketState::PassivePacketReceived);
  CHECK(a->live_remote == Endpoint{kRemote, 51000});
  CHECK(a->live_local == Endpoint{kLocal, 8080});
  CHECK(peer.under_test() == a);
  // The next inbound packet goes to the same connection.
  CHECK(peer.socket_for_script_packet(packet("< . 1:1(0) ack 1 win 100"), &err) == a);

  // socket() + listen() again: the next SYN is a new connection from a new port.
  peer.on_socket(4, 4, 6);
  peer.on_listen(4);
  TrackedSocket* b = peer.socket_for_script_packet(packet("< S 7:7(0) win 100"), &err);
  REQUIRE(b);
  CHECK(b != a);
  CHECK(b->live_remote.port == 51001);
  CHECK(b->seq.remote_isn == 7);
}

TEST_CASE("with no socket at all, an inbound packet still gets a connection") {
  Peer peer(addresses());
  std::string err;
  TrackedSocket* s = peer.socket_for_script_packet(packet("< S 0:0(0) win 100"), &err);
  REQUIRE(s);
  CHECK(s->tuple_known());
}

TEST_CASE("live packets: only the tracked tuple is tracked") {
  Peer peer(addresses());
  std::string err;
  peer.on_socket(3, 3, 6);
  peer.on_listen(3);
  TrackedSocket* a = peer.socket_for_script_packet(packet("< S 0:0(0) win 100"), &err);
  const Endpoint local{kLocal, 8080};
  CHECK(peer.socket_for_live_packet(LiveTuple{local, {kRemote, 51000}, true, true}) == a);
  // A reply to an explicit-port filler, and a packet of another peer.
  CHECK(peer.socket_for_live_packet(LiveTuple{local, {kRemote, 40001}, true, true}) == nullptr);
  CHECK(peer.socket_for_live_packet(LiveTuple{{kLocal, 9}, {kRemote, 51000}, false, true}) == nullptr);
}

TEST_CASE("an active open: connect() marks the socket, the SYN names the local port") {
  Peer peer(addresses());
  std::string err;
  peer.on_socket(3, 3, 6);
  peer.on_connect(3, false);
  TrackedSocket* s = peer.under_test();
  CHECK(s->state == SocketState::ActiveConnecting);
  // Before the script's `> S`, the kernel's SYN to remote:8080 is already ours.
  const LiveTuple syn{{kLocal, 40123}, {kRemote, 8080}, true, false};
  CHECK(peer.socket_for_live_packet(syn) == s);
  CHECK(peer.socket_for_live_packet(LiveTuple{{kLocal, 40123}, {kRemote, 9999}, true, false}) == nullptr);

  CHECK(peer.socket_for_script_packet(packet("> S 0:0(0) <...>"), &err) == s);
  CHECK(s->state == SocketState::ActiveSynSent);
  learn_active_syn(*s, Endpoint{kLocal, 40123}, 555);
  CHECK(s->tuple_known());
  CHECK(s->seq.live_local_isn == 555);
  CHECK(peer.socket_for_live_packet(LiveTuple{{kLocal, 40123}, {kRemote, 8080}, false, true}) == s);

  // The SYN-ACK fixes the peer's ISN.
  const Packet synack = packet("< S. 9:9(0) ack 1 win 100");
  note_inbound(*s, *synack.tcp());
  CHECK(s->state == SocketState::ActiveSynAcked);
  CHECK(s->seq.remote_isn == 9);
}

TEST_CASE("accept() binds the newest connection the script saw a SYN-ACK for") {
  Peer peer(addresses());
  std::string err;
  peer.on_socket(3, 3, 6);
  peer.on_listen(3);
  TrackedSocket* a = peer.socket_for_script_packet(packet("< S 0:0(0) win 100"), &err);
  const Packet synack = packet("> S. 0:0(0) ack 1 <...>");
  note_outbound_synack(*a, *synack.tcp(), 4242);
  CHECK(a->state == SocketState::PassiveSynAckSent);
  CHECK(a->seq.live_local_isn == 4242);
  note_inbound(*a, *packet("< . 1:1(0) ack 1 win 100").tcp());
  CHECK(a->state == SocketState::PassiveSynAckAcked);

  // B's SYN is never answered in the script: it does not qualify.
  peer.on_socket(4, 4, 6);
  peer.on_listen(4);
  peer.socket_for_script_packet(packet("< S 0:0(0) win 100"), &err);

  CHECK_FALSE(peer.on_accept(5, 7, Endpoint{kRemote, 51000}).has_value());
  CHECK(a->script_fd == 5);
  CHECK(peer.live_fd(5) == 7);
  // Unknown script fds pass through unchanged.
  CHECK(peer.live_fd(99) == 99);
  peer.on_close(5);
  CHECK(peer.live_fd(5) == 5);

  // The kernel returning another connection than the script's is an error.
  const std::optional<std::string> wrong = peer.on_accept(6, 8, Endpoint{kRemote, 51001});
  REQUIRE(wrong);
  CHECK(wrong->find("remote port 51001") != std::string::npos);
}

TEST_CASE("accept() with no handshake in the script is an error") {
  Peer peer(addresses());
  peer.on_socket(3, 3, 6);
  peer.on_listen(3);
  CHECK(peer.on_accept(4, 4, Endpoint{kRemote, 1}).has_value());
}

TEST_CASE("TS val map: exact values, then the scaled guess") {
  TsValMap m;
  CHECK_FALSE(m.live_ecr(5000, true).has_value());
  m.record(5000, 123456);
  m.record(5100, 123556);
  CHECK(m.live_ecr(5000, false) == std::optional<uint32_t>(123456));
  CHECK(m.live_ecr(5100, false) == std::optional<uint32_t>(123556));
  CHECK_FALSE(m.live_ecr(5200, false).has_value());
  CHECK(m.live_ecr(5200, true) == std::optional<uint32_t>(123656));  // from the first pair
  CHECK(m.script_val(123600) == 5144);
}

}  // namespace
}  // namespace pkt
