// The kernel object of one simulated host: boot (secrets, stdio, AF_INET)
// and teardown. mirrors the pernet init/exit of a network namespace plus the
// exit of the single process that owns the fd table.
#include "stack/net.h"

#include <fcntl.h>
#include <netinet/in.h>

#include <unordered_set>
#include <utility>
#include <vector>

#include "stack/af_inet.h"
#include "stack/tcp.h"
#include "stack/udp.h"

namespace stack {

net::net(sim::Simulator& s, sim::SkbPool& pool, std::string name, uint64_t seed)
    : sim(s), skbs(pool), hostname(std::move(name)), rng(sim::Rng::derive(seed, "host:" + hostname)) {
  // Boot-time secrets come first from the host's stream, so that they do not
  // depend on what the host does later.
  secrets.isn_key[0] = rng.next_u64();
  secrets.isn_key[1] = rng.next_u64();
  for (auto& k : secrets.cookie_key) {
    k[0] = rng.next_u64();
    k[1] = rng.next_u64();
  }
  // The process's stdin, stdout and stderr: open files that are not sockets,
  // so that the first socket is fd 3 as in packetdrill scripts.
  for (int i = 0; i < 3; ++i) sys_open_file(this);
  inet_init(this);
}

namespace {

void free_full_sock(net* n, sock* sk) {
  n->sim.del_timer(sk->sk_timer);
  if (sk->sk_protocol == IPPROTO_TCP && sk->sk_prot == &tcp_prot) {
    tcp_sock* tp = tcp_sk(sk);
    n->sim.del_timer(tp->icsk_retransmit_timer);
    n->sim.del_timer(tp->icsk_delack_timer);
    tp->tcp_rtx_queue.purge();
    tp->out_of_order_queue.purge();
  }
  sk->sk_receive_queue.purge();
  sk->sk_write_queue.purge();
  sk->sk_prot->free(sk);
}

}  // namespace

// Closing every fd runs the normal close paths (a listener resets its
// queued children, connections send their FIN or RST, discarded since the
// link is detached first). What survives a close (TIME_WAIT and orphaned
// connections, request socks) is then freed directly, timers first, without
// following references: nothing else will run on this kernel.
net::~net() {
  link.xmit = nullptr;
  for (size_t fd = 0; fd < fdt.size(); ++fd)
    if (fdt[fd] && fdt[fd]->installed) sys_close(this, static_cast<int>(fd));

  std::vector<sock*> full;
  std::unordered_set<sock*> seen;  // membership only; `full` keeps the order
  auto note = [&](sock* sk) {
    if (sk && seen.insert(sk).second) full.push_back(sk);
  };
  for (sock_common*& head : hashinfo.ehash) {
    while (sock_common* sc = head) {
      head = sc->skc_ehash_next;
      sc->skc_ehash_next = nullptr;
      if (sc->skc_is_request) {
        auto* req = static_cast<tcp_request_sock*>(static_cast<request_sock*>(sc));
        sim.del_timer(req->rsk_timer);
        request_sock_cache.free(req);
      } else {
        note(static_cast<sock*>(sc));
      }
    }
  }
  hashinfo.ehash_count = 0;
  for (auto& [port, head] : hashinfo.lhash)
    for (sock* sk = head; sk; sk = sk->sk_listen_next) note(sk);
  for (auto& [port, bucket] : hashinfo.bhash)
    for (sock* sk = bucket.owners; sk; sk = sk->sk_bind_next) note(sk);
  for (auto& [port, head] : udptable.hash)
    for (udp_sock* up = head; up; up = up->udp_port_next) note(up);
  // Children still queued on a listener that was not closed through an fd.
  const size_t listeners = full.size();
  for (size_t i = 0; i < listeners; ++i) {
    sock* sk = full[i];
    if (sk->sk_prot != &tcp_prot) continue;
    for (sock* c = inet_csk(sk)->icsk_accept_queue.rskq_accept_head; c; c = c->sk_accept_next) note(c);
  }
  hashinfo.lhash.clear();
  hashinfo.bhash.clear();
  udptable.hash.clear();
  for (sock* sk : full) free_full_sock(this, sk);
  // Files still referenced (by suspended tasks) and their sockets go with the
  // slabs: nothing may touch this kernel after its destructor.
}

}  // namespace stack
