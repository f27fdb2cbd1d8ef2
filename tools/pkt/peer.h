// The scripted peer's bookkeeping: which connection a script packet means,
// which live 4-tuple that is, and how sequence numbers and TCP timestamps map
// between script space and the live packets. The rules are packetdrill's
// (struct socket in socket.h, the socket-finding helpers of run_packet.c and
// the run_syscall_*() hooks of run_system_call.c); LANGUAGE.md sections 3-4
// describe them. Pure bookkeeping: no simulator, no bytes on the wire.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/pkt/ast.h"

namespace pkt {

// packetdrill's enum socket_state_t: how far the script has driven a socket.
enum class SocketState {
  New,                    // socket() returned it
  PassiveListening,       // listen() succeeded on it
  PassivePacketReceived,  // an inbound packet created this passive connection
  PassiveSynAckSent,      // the script matched our SYN-ACK
  PassiveSynAckAcked,     // the script sent the handshake ACK
  ActiveConnecting,       // connect() was called on a new socket
  ActiveSynSent,          // the script matched our SYN
  ActiveSynAcked,         // the script sent the SYN-ACK
};
const char* socket_state_name(SocketState s);

struct Endpoint {
  uint32_t ip = 0;  // host order
  uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Sequence-number spaces of one connection (socket.h's helpers). The peer
// picks its live ISN equal to the scripted one; the kernel picks its own,
// learned from its first SYN or SYN-ACK. Seq and ack are absolute in packets
// with SYN set and relative to the ISNs otherwise, as in tcpdump.
struct SeqSpace {
  uint32_t remote_isn = 0;        // the peer's ISN (script == live)
  uint32_t script_local_isn = 0;  // the seq written on the kernel's first SYN / SYN-ACK
  uint32_t live_local_isn = 0;    // the seq the kernel actually used

  // Script -> live, for what the peer sends (inbound seq) and what it
  // acknowledges (inbound ack and SACK blocks).
  uint32_t remote_to_live(uint32_t script_seq, bool syn) const { return script_seq + (syn ? 0 : remote_isn); }
  uint32_t local_to_live(uint32_t script_seq, bool syn) const {
    return script_seq + (syn ? live_local_isn - script_local_isn : live_local_isn);
  }
  // Live -> script, for what the kernel sends (outbound seq) and acknowledges.
  uint32_t local_to_script(uint32_t live_seq, bool syn) const {
    return live_seq - (syn ? live_local_isn - script_local_isn : live_local_isn);
  }
  uint32_t remote_to_script(uint32_t live_seq, bool syn) const { return live_seq - (syn ? 0 : remote_isn); }
};

// Script TS val -> live TS val of one connection, filled as outbound packets
// are matched (map_outbound_live_packet()); inbound ecr values are looked up
// here, so that a SYN cookie's timestamp comes back bit for bit.
struct TsValMap {
  std::map<uint32_t, uint32_t> live_of_script;
  bool have_first = false;
  uint32_t first_script = 0;
  uint32_t first_live = 0;

  void record(uint32_t script_val, uint32_t live_val);
  // The live TS val the kernel is to see echoed for script value `ecr`:
  // the recorded one, else (scaled) interpolated from the first pair.
  std::optional<uint32_t> live_ecr(uint32_t script_ecr, bool scaled) const;
  // An outbound live TS val in script space (relative to the first pair).
  uint32_t script_val(uint32_t live_val) const { return have_first ? first_script + (live_val - first_live) : live_val; }
};

// One socket or connection the script knows about (packetdrill's struct
// socket): sockets made by socket(), and the passive connections that
// inbound SYNs create. A connection accepted by accept() gets its fd here.
struct TrackedSocket {
  int id = 0;  // creation order, for messages
  SocketState state = SocketState::New;
  int protocol = 6;   // IPPROTO_TCP, IPPROTO_UDP
  int script_fd = -1;  // -1: no fd yet (a passive connection before accept())
  int live_fd = -1;
  bool fd_open = false;
  Endpoint live_local;   // the host under test
  Endpoint live_remote;  // the scripted peer
  SeqSpace seq;
  TsValMap ts;

  // The live tuple is complete once both ports are known.
  bool tuple_known() const { return live_local.port != 0 && live_remote.port != 0; }
};

struct PeerAddresses {
  uint32_t local_ip = 0;
  uint32_t remote_ip = 0;
  uint16_t bind_port = 8080;
  uint16_t connect_port = 8080;
  // First remote port for connections the peer opens; packetdrill asks the
  // kernel for an ephemeral port, we count up from a fixed one so that runs
  // are identical.
  uint16_t first_remote_port = 51000;
};

// The outbound direction of a live segment, as far as tracking needs it.
struct LiveTuple {
  Endpoint src;  // the host under test
  Endpoint dst;  // the peer
  bool syn = false;
  bool ack = false;
};

// State changes that packet events cause (do_inbound_script_packet() and
// do_outbound_script_packet()):
// - an inbound ACK after our SYN-ACK completes a passive handshake; an
//   inbound SYN-ACK answers an active open and fixes the peer's ISN;
void note_inbound(TrackedSocket& s, const TcpSegment& script);
// - a scripted outbound SYN-ACK on a new passive connection fixes the script
//   local ISN; the live packet matched against it fixes the live one (also a
//   SYN-cookie ISN). An active open's SYN is learned in socket_for_live_packet
//   terms by learn_active_syn().
void note_outbound_synack(TrackedSocket& s, const TcpSegment& script, uint32_t live_seq);
void learn_active_syn(TrackedSocket& s, Endpoint live_src, uint32_t live_seq);

class Peer {
 public:
  explicit Peer(const PeerAddresses& addrs) : addrs_(addrs), next_remote_port_(addrs.first_remote_port) {}
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  const PeerAddresses& addresses() const { return addrs_; }
  TrackedSocket* under_test() const { return under_test_; }
  const std::vector<std::unique_ptr<TrackedSocket>>& sockets() const { return sockets_; }

  // ---- system call hooks (run_syscall_*() in run_system_call.c) ----
  // The live fd of a script fd. SIM: an fd the script never obtained is
  // passed through unchanged (packetdrill rejects it), so that scripts can
  // probe EBADF with made-up numbers.
  int live_fd(int script_fd) const;
  // socket() = script_fd: a new socket, now the socket under test.
  void on_socket(int script_fd, int live_fd, int protocol);
  // listen() succeeded: the socket with that fd is listening.
  void on_listen(int script_fd);
  // connect() is about to run: a new socket starts an active open towards
  // remote_ip:connect_port; `unspec` (AF_UNSPEC) disconnects instead.
  void on_connect(int script_fd, bool unspec);
  // accept() = script_fd returned live_fd for a peer at `peer`: the newest
  // connection whose SYN-ACK the script saw gets the fd. Returns an error
  // message if there is none or it is not the one the kernel returned.
  std::optional<std::string> on_accept(int script_fd, int live_fd, Endpoint peer);
  // close() succeeded.
  void on_close(int script_fd);

  // ---- script packets (find_or_create_socket_for_script_packet()) ----
  // The connection a script packet belongs to, creating a passive
  // connection for an inbound packet while the socket under test listens
  // (or there is none), and starting an active one for an outbound SYN while
  // it connects. nullptr with *error set if there is none.
  TrackedSocket* socket_for_script_packet(const Packet& packet, std::string* error);

  // ---- live packets ----
  // The connection an outbound live packet belongs to, or nullptr if the
  // script does not track it (another tuple: explicit-port fillers, older
  // connections). Mirrors find_socket_for_live_packet() and, for a socket
  // whose SYN has not been seen yet, find_connect_for_live_packet().
  TrackedSocket* socket_for_live_packet(const LiveTuple& t) const;

 private:
  TrackedSocket* find_by_script_fd(int script_fd) const;
  TrackedSocket* add_socket();

  PeerAddresses addrs_;
  uint16_t next_remote_port_;
  std::vector<std::unique_ptr<TrackedSocket>> sockets_;  // creation order
  TrackedSocket* under_test_ = nullptr;
};

}  // namespace pkt
