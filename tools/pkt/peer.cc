#include "tools/pkt/peer.h"

namespace pkt {

const char* socket_state_name(SocketState s) {
  switch (s) {
    case SocketState::New: return "new";
    case SocketState::PassiveListening: return "listening";
    case SocketState::PassivePacketReceived: return "passive, packet received";
    case SocketState::PassiveSynAckSent: return "passive, SYN-ACK sent";
    case SocketState::PassiveSynAckAcked: return "passive, SYN-ACK acknowledged";
    case SocketState::ActiveConnecting: return "connecting";
    case SocketState::ActiveSynSent: return "active, SYN sent";
    case SocketState::ActiveSynAcked: return "active, SYN-ACK received";
  }
  return "?";
}

void TsValMap::record(uint32_t script_val, uint32_t live_val) {
  live_of_script[script_val] = live_val;
  if (!have_first) {
    have_first = true;
    first_script = script_val;
    first_live = live_val;
  }
}

std::optional<uint32_t> TsValMap::live_ecr(uint32_t script_ecr, bool scaled) const {
  if (auto it = live_of_script.find(script_ecr); it != live_of_script.end()) return it->second;
  if (scaled && have_first) return script_ecr - first_script + first_live;
  return std::nullopt;
}

void note_inbound(TrackedSocket& s, const TcpSegment& script) {
  if (s.state == SocketState::PassiveSynAckSent && script.flags.ack) {
    s.state = SocketState::PassiveSynAckAcked;
  } else if (s.state == SocketState::ActiveSynSent && script.flags.syn && script.flags.ack) {
    s.state = SocketState::ActiveSynAcked;
    s.seq.remote_isn = script.seq;
  }
}

void note_outbound_synack(TrackedSocket& s, const TcpSegment& script, uint32_t live_seq) {
  if (s.state != SocketState::PassivePacketReceived || !script.flags.syn || !script.flags.ack) return;
  s.seq.script_local_isn = script.seq;
  s.seq.live_local_isn = live_seq;
  s.state = SocketState::PassiveSynAckSent;
}

void learn_active_syn(TrackedSocket& s, Endpoint live_src, uint32_t live_seq) {
  s.live_local = live_src;
  s.seq.live_local_isn = live_seq;
}

int Peer::live_fd(int script_fd) const {
  const TrackedSocket* s = find_by_script_fd(script_fd);
  return s ? s->live_fd : script_fd;
}

TrackedSocket* Peer::find_by_script_fd(int script_fd) const {
  for (auto it = sockets_.rbegin(); it != sockets_.rend(); ++it)
    if ((*it)->fd_open && (*it)->script_fd == script_fd) return it->get();
  return nullptr;
}

TrackedSocket* Peer::add_socket() {
  sockets_.push_back(std::make_unique<TrackedSocket>());
  sockets_.back()->id = static_cast<int>(sockets_.size());
  return sockets_.back().get();
}

void Peer::on_socket(int script_fd, int live_fd, int protocol) {
  // A script fd that is still open names an older socket: its successor
  // takes the number (packetdrill would stop at "duplicate fd").
  if (TrackedSocket* old = find_by_script_fd(script_fd)) old->fd_open = false;
  TrackedSocket* s = add_socket();
  s->state = SocketState::New;
  s->protocol = protocol;
  s->script_fd = script_fd;
  s->live_fd = live_fd;
  s->fd_open = true;
  under_test_ = s;
}

void Peer::on_listen(int script_fd) {
  if (TrackedSocket* s = find_by_script_fd(script_fd)) s->state = SocketState::PassiveListening;
}

void Peer::on_connect(int script_fd, bool unspec) {
  TrackedSocket* s = find_by_script_fd(script_fd);
  if (!s) return;
  if (unspec) {
    s->state = SocketState::New;
    return;
  }
  if (s->state != SocketState::New) return;
  s->state = SocketState::ActiveConnecting;
  s->live_remote = Endpoint{addrs_.remote_ip, addrs_.connect_port};
  s->live_local = Endpoint{addrs_.local_ip, 0};
}

std::optional<std::string> Peer::on_accept(int script_fd, int live_fd, Endpoint peer) {
  for (auto it = sockets_.rbegin(); it != sockets_.rend(); ++it) {
    TrackedSocket& s = **it;
    if (s.state != SocketState::PassiveSynAckSent && s.state != SocketState::PassiveSynAckAcked) continue;
    if (!(s.live_remote == peer)) {
      // packetdrill asserts here: the script's newest handshake is not the
      // connection the kernel handed out.
      return "accept() returned the connection from remote port " + std::to_string(peer.port) +
             ", but the newest connection the script completed is from remote port " +
             std::to_string(s.live_remote.port);
    }
    if (TrackedSocket* old = find_by_script_fd(script_fd)) old->fd_open = false;
    s.script_fd = script_fd;
    s.live_fd = live_fd;
    s.fd_open = true;
    return std::nullopt;
  }
  return "unable to find a connection matching accept(): no inbound connection got as far as a SYN-ACK in the "
         "script";
}

void Peer::on_close(int script_fd) {
  if (TrackedSocket* s = find_by_script_fd(script_fd)) s->fd_open = false;
}

TrackedSocket* Peer::socket_for_script_packet(const Packet& packet, std::string* error) {
  const TcpSegment* tcp = packet.tcp();
  if (!tcp) {
    *error = "unsupported at run time: UDP packets";
    return nullptr;
  }
  const bool inbound = packet.direction == Direction::Inbound;
  // handle_listen_for_script_packet(): a new passive connection.
  if (inbound && (!under_test_ || under_test_->state == SocketState::PassiveListening)) {
    TrackedSocket* s = add_socket();
    s->state = SocketState::PassivePacketReceived;
    s->protocol = 6;
    s->live_remote = Endpoint{addrs_.remote_ip, next_remote_port_++};
    s->live_local = Endpoint{addrs_.local_ip, addrs_.bind_port};
    s->seq.remote_isn = tcp->seq;
    under_test_ = s;
    return s;
  }
  // handle_connect_for_script_packet(): the SYN of an active open.
  if (!inbound && tcp->flags.syn && !tcp->flags.ack && under_test_ &&
      under_test_->state == SocketState::ActiveConnecting) {
    under_test_->state = SocketState::ActiveSynSent;
    under_test_->seq.script_local_isn = tcp->seq;
    return under_test_;
  }
  if (under_test_ && (under_test_->protocol == 6 || tcp->ports)) return under_test_;
  *error = "no matching socket for script packet (the socket under test is not a TCP socket)";
  if (!under_test_) *error = "no matching socket for script packet";
  return nullptr;
}

TrackedSocket* Peer::socket_for_live_packet(const LiveTuple& t) const {
  TrackedSocket* s = under_test_;
  if (!s) return nullptr;
  if (s->tuple_known()) return (t.src == s->live_local && t.dst == s->live_remote) ? s : nullptr;
  // A connecting socket's SYN names only the peer; the local port is learned
  // from it when the script's `> S` matches it.
  const bool connecting = s->state == SocketState::ActiveConnecting || s->state == SocketState::ActiveSynSent;
  if (connecting && t.syn && !t.ack && t.dst == s->live_remote) return s;
  return nullptr;
}

}  // namespace pkt
