// mirrors inet_diag_dump_icsk() / tcp_diag_get_info() / udp_dump() for the
// columns ss prints. The kernel walks its hash tables; we sort the rows so
// that the output does not depend on hash order.
#include "stack/inet_diag.h"

#include <netinet/in.h>

#include <algorithm>
#include <tuple>

#include "stack/net.h"
#include "stack/tcp.h"
#include "stack/udp.h"

namespace stack {

namespace {

inet_diag_entry row_of(uint8_t protocol, const sock_common* sc) {
  inet_diag_entry e{};
  e.protocol = protocol;
  e.state = sc->skc_state == TCP_NEW_SYN_RECV ? static_cast<uint8_t>(TCP_SYN_RECV) : sc->skc_state;
  e.saddr = sc->skc_rcv_saddr;
  e.sport = sc->skc_num;
  e.daddr = sc->skc_daddr;
  e.dport = sc->skc_dport;
  return e;
}

}  // namespace

std::vector<inet_diag_entry> inet_diag_dump(const net* n, int protocol) {
  std::vector<inet_diag_entry> rows;
  if (protocol == IPPROTO_TCP) {
    for (const auto& [port, head] : n->hashinfo.lhash) {
      for (const sock* sk = head; sk; sk = sk->sk_listen_next) {
        inet_diag_entry e = row_of(IPPROTO_TCP, sk);
        e.recv_q = sk->sk_ack_backlog;
        e.send_q = sk->sk_max_ack_backlog;
        rows.push_back(e);
      }
    }
    for (const sock_common* head : n->hashinfo.ehash) {
      for (const sock_common* sc = head; sc; sc = sc->skc_ehash_next) {
        inet_diag_entry e = row_of(IPPROTO_TCP, sc);
        if (!sc->skc_is_request && sc->skc_state != TCP_TIME_WAIT) {
          const tcp_sock* tp = tcp_sk(static_cast<const sock*>(sc));
          const int32_t unread = static_cast<int32_t>(tp->rcv_nxt - tp->copied_seq);
          e.recv_q = unread > 0 ? static_cast<uint32_t>(unread) : 0;
          e.send_q = tp->write_seq - tp->snd_una;
        }
        rows.push_back(e);
      }
    }
  } else if (protocol == IPPROTO_UDP) {
    for (const auto& [port, head] : n->udptable.hash) {
      for (const udp_sock* up = head; up; up = up->udp_port_next) {
        inet_diag_entry e = row_of(IPPROTO_UDP, up);
        e.recv_q = up->sk_rmem_alloc;
        rows.push_back(e);
      }
    }
  }
  auto key = [](const inet_diag_entry& e) {
    return std::make_tuple(e.sport, e.saddr, e.dport, e.daddr, e.state);
  };
  std::sort(rows.begin(), rows.end(), [&](const inet_diag_entry& a, const inet_diag_entry& b) { return key(a) < key(b); });
  return rows;
}

}  // namespace stack
