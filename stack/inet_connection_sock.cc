// mirrors net/ipv4/inet_connection_sock.c (tag: docs/kernel-version.md):
// port binding, listen start/stop, accept, and the request-sock lifecycle
// with its SYN-ACK timer (reqsk_timer_handler).
#include "stack/inet_connection_sock.h"

#include <algorithm>
#include <fcntl.h>

#include <cerrno>

#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

// mirrors inet_rcv_saddr_equal(): 0 is a wildcard that overlaps everything.
bool inet_rcv_saddr_equal(const sock* a, const sock* b) {
  return a->skc_rcv_saddr == 0 || b->skc_rcv_saddr == 0 || a->skc_rcv_saddr == b->skc_rcv_saddr;
}

// mirrors inet_csk_bind_conflict(): SO_REUSEADDR lets sockets share a port
// unless the other one listens; SO_REUSEPORT lets them share it always.
bool inet_csk_bind_conflict(const sock* sk, uint16_t port) {
  const inet_hashinfo& h = sk->skc_net->hashinfo;
  auto it = h.bhash.find(port);
  if (it == h.bhash.end()) return false;
  for (const sock* sk2 = it->second.owners; sk2; sk2 = sk2->sk_bind_next) {
    if (sk2 == sk) continue;
    const bool reuse_ok = sk->skc_reuse && sk2->skc_reuse && sk2->skc_state != TCP_LISTEN;
    const bool reuseport_ok = sk->skc_reuseport && sk2->skc_reuseport;
    if (!reuse_ok && !reuseport_ok && inet_rcv_saddr_equal(sk, sk2)) return true;
  }
  return false;
}

void reqsk_timer_handler(void* ctx, uint64_t);

// mirrors syn_ack_recalc()
void syn_ack_recalc(request_sock* req, int max_syn_ack_retries, uint8_t rskq_defer_accept, bool* expire,
                    bool* resend) {
  if (!rskq_defer_accept) {
    *expire = req->num_timeout >= max_syn_ack_retries;
    *resend = true;
    return;
  }
  *expire = req->num_timeout >= max_syn_ack_retries &&
            (!inet_rsk(req)->acked || req->num_timeout >= rskq_defer_accept);
  // While deferring, resend only in the last period, as a last chance.
  *resend = !inet_rsk(req)->acked || req->num_timeout >= rskq_defer_accept - 1;
}

sim::Time reqsk_timeout(const request_sock* req, sim::Time max_timeout) {
  const sim::Time t = req->num_timeout >= 40 ? max_timeout : req->timeout << req->num_timeout;
  return std::min(t, max_timeout);
}

// mirrors reqsk_queue_removed()
void reqsk_queue_removed(request_sock_queue& q, const request_sock* req) {
  if (req->num_timeout == 0) q.young--;
  q.qlen--;
}

// mirrors reqsk_queue_unlink(): out of ehash, timer stopped.
bool reqsk_queue_unlink(request_sock* req) {
  net* n = req->skc_net;
  const bool found = inet_ehash_remove(n->hashinfo, req);
  n->sim.del_timer(req->rsk_timer);
  return found;
}

}  // namespace

uint32_t inet_csk_reqsk_queue_len(const sock* sk) {
  return static_cast<const inet_connection_sock*>(sk)->icsk_accept_queue.qlen;
}
uint32_t inet_csk_reqsk_queue_young(const sock* sk) {
  return static_cast<const inet_connection_sock*>(sk)->icsk_accept_queue.young;
}
// 6.13+ (3479c7549fb1): '>' so that backlog N admits N+1 requests.
bool inet_csk_reqsk_queue_is_full(const sock* sk) { return inet_csk_reqsk_queue_len(sk) > sk->sk_max_ack_backlog; }

int reqsk_timer_max_retries(int max_syn_ack_retries, uint32_t qlen, uint32_t young, uint32_t backlog) {
  // Keep half of the queue for young requests: when the queue is more than
  // half full, old requests (those that already timed out) get fewer
  // retransmissions, but never fewer than 2.
  if ((qlen << 1) > std::max<uint32_t>(8, backlog)) {
    uint64_t y = static_cast<uint64_t>(young) << 1;
    while (max_syn_ack_retries > 2) {
      if (qlen < y) break;
      max_syn_ack_retries--;
      y <<= 1;
    }
  }
  return max_syn_ack_retries;
}

// mirrors inet_csk_get_port()
int inet_csk_get_port(sock* sk, uint16_t snum) {
  net* n = sk->skc_net;
  inet_hashinfo& h = n->hashinfo;
  if (snum == 0) {
    // mirrors inet_csk_find_open_port(): scan the ephemeral range from a
    // random offset. SIM: Linux also prefers ports of one parity for bind()
    // and the other for connect(); we scan all ports in order.
    const int lo = n->sysctl.ip_local_port_range[0];
    const int hi = n->sysctl.ip_local_port_range[1];
    const uint32_t range = static_cast<uint32_t>(hi - lo + 1);
    const uint32_t offset = static_cast<uint32_t>(n->rng.uniform(range));
    for (uint32_t i = 0; i < range; ++i) {
      const uint16_t port = static_cast<uint16_t>(lo + (offset + i) % range);
      if (h.bhash.count(port)) continue;
      inet_bind_hash(h, sk, port);
      return 0;
    }
    return -EADDRINUSE;
  }
  if (inet_csk_bind_conflict(sk, snum)) return -EADDRINUSE;
  if (!sk->sk_bound) inet_bind_hash(h, sk, snum);
  return 0;
}

// mirrors inet_csk_listen_start()
int inet_csk_listen_start(sock* sk) {
  inet_connection_sock* icsk = inet_csk(sk);
  icsk->icsk_accept_queue.rskq_accept_head = icsk->icsk_accept_queue.rskq_accept_tail = nullptr;
  sk->sk_ack_backlog = 0;
  icsk->icsk_ack = {};
  sk->skc_state = TCP_LISTEN;
  int err = inet_csk_get_port(sk, sk->skc_num);
  if (!err) {
    inet_lhash_insert(sk->skc_net->hashinfo, sk);
    sk->sk_hashed = true;
    return 0;
  }
  sk->skc_state = TCP_CLOSE;
  return err;
}

// mirrors reqsk_queue_remove(): pop the oldest child.
static sock* reqsk_queue_remove(request_sock_queue& q, sock* parent) {
  sock* child = q.rskq_accept_head;
  if (!child) return nullptr;
  q.rskq_accept_head = child->sk_accept_next;
  if (!q.rskq_accept_head) q.rskq_accept_tail = nullptr;
  child->sk_accept_next = nullptr;
  child->sk_parent = nullptr;
  parent->sk_ack_backlog--;  // sk_acceptq_removed()
  return child;
}

// mirrors inet_child_forget(): a queued child whose listener goes away.
static void inet_child_forget(sock* child) {
  tcp_disconnect(child, O_NONBLOCK);
  sock_orphan(child);
  inet_csk_destroy_sock(child);
}

// mirrors inet_csk_listen_stop(): every queued child is reset and freed.
// Request socks are left alone; their timers or their next segment will
// find the listener closed.
void inet_csk_listen_stop(sock* sk) {
  request_sock_queue& q = inet_csk(sk)->icsk_accept_queue;
  while (sock* child = reqsk_queue_remove(q, sk)) inet_child_forget(child);
}

// mirrors inet_csk_accept() minus the wait (see socket.cc).
sock* inet_csk_accept(sock* sk, int flags, int* err) {
  (void)flags;
  if (sk->skc_state != TCP_LISTEN) {
    *err = -EINVAL;
    return nullptr;
  }
  sock* child = reqsk_queue_remove(inet_csk(sk)->icsk_accept_queue, sk);
  if (!child) {
    *err = -EAGAIN;
    return nullptr;
  }
  *err = 0;
  return child;
}

request_sock* reqsk_alloc(const request_sock_ops* ops, sock* sk_listener, bool attach_listener) {
  net* n = sk_listener->skc_net;
  tcp_request_sock* req = n->request_sock_cache.alloc();
  req->skc_net = n;
  req->skc_is_request = true;
  req->skc_state = TCP_NEW_SYN_RECV;
  req->skc_refcnt = 1;
  req->rsk_ops = ops;
  req->rsk_listener = nullptr;
  if (attach_listener) {
    sock_hold(sk_listener);
    req->rsk_listener = sk_listener;
  }
  sim::timer_setup(req->rsk_timer, reqsk_timer_handler, req);
  return req;
}

void reqsk_free(request_sock* req) {
  net* n = req->skc_net;
  n->sim.del_timer(req->rsk_timer);
  sock* l = req->rsk_listener;
  n->request_sock_cache.free(static_cast<tcp_request_sock*>(req));
  if (l) sock_put(l);
}

void reqsk_put(request_sock* req) {
  if (--req->skc_refcnt == 0) reqsk_free(req);
}

// mirrors inet_csk_reqsk_queue_hash_add(): the request enters ehash with its
// timer armed (the hash reference covers the timer: both go together).
void inet_csk_reqsk_queue_hash_add(sock* sk, request_sock* req, sim::Time timeout) {
  net* n = sk->skc_net;
  req->num_retrans = 0;
  req->num_timeout = 0;
  inet_ehash_insert(n->hashinfo, req, nullptr);
  req->skc_refcnt++;
  n->sim.mod_timer(req->rsk_timer, n->now() + timeout);
  request_sock_queue& q = inet_csk(sk)->icsk_accept_queue;
  q.qlen++;  // inet_csk_reqsk_queue_added()
  q.young++;
  n->max_syn_queue = std::max(n->max_syn_queue, q.qlen);
}

// mirrors inet_csk_reqsk_queue_drop()
bool inet_csk_reqsk_queue_drop(sock* sk, request_sock* req) {
  const bool unlinked = reqsk_queue_unlink(req);
  if (unlinked) {
    reqsk_queue_removed(inet_csk(sk)->icsk_accept_queue, req);
    reqsk_put(req);  // the hash reference
  }
  return unlinked;
}

void inet_csk_reqsk_queue_drop_and_put(sock* sk, request_sock* req) {
  req->skc_refcnt++;
  inet_csk_reqsk_queue_drop(sk, req);
  reqsk_put(req);
}

// mirrors inet_csk_reqsk_queue_add()
bool inet_csk_reqsk_queue_add(sock* sk, request_sock* req, sock* child) {
  (void)req;
  if (sk->skc_state != TCP_LISTEN) {
    inet_child_forget(child);
    return false;
  }
  request_sock_queue& q = inet_csk(sk)->icsk_accept_queue;
  child->sk_accept_next = nullptr;
  child->sk_parent = sk;
  if (q.rskq_accept_tail)
    q.rskq_accept_tail->sk_accept_next = child;
  else
    q.rskq_accept_head = child;
  q.rskq_accept_tail = child;
  sk->sk_ack_backlog++;  // sk_acceptq_added()
  net* n = sk->skc_net;
  n->max_accept_queue = std::max(n->max_accept_queue, sk->sk_ack_backlog);
  return true;
}

// mirrors inet_csk_complete_hashdance(): the request leaves the SYN queue
// and its child joins the accept queue.
sock* inet_csk_complete_hashdance(sock* sk, sock* child, request_sock* req, bool own_req) {
  if (own_req) {
    // The child already replaced the request in ehash; stop its timer and
    // drop the hash reference.
    req->skc_net->sim.del_timer(req->rsk_timer);
    reqsk_queue_removed(inet_csk(sk)->icsk_accept_queue, req);
    reqsk_put(req);
    if (inet_csk_reqsk_queue_add(sk, req, child)) return child;
    return nullptr;
  }
  return nullptr;
}

// mirrors inet_csk_clone_lock(): the child starts as a copy of the listener's
// settings, in SYN_RECV, with the request's addresses.
sock* inet_csk_clone_lock(const sock* sk, const request_sock* req) {
  net* n = sk->skc_net;
  sock* newsk = sk->sk_prot->alloc(n);
  const tcp_sock* ltp = tcp_sk(sk);
  tcp_sock* newtp = tcp_sk(newsk);
  newsk->skc_net = n;
  newsk->sk_type = sk->sk_type;
  newsk->sk_protocol = sk->sk_protocol;
  newsk->sk_prot = sk->sk_prot;
  newsk->sk_rcvbuf = sk->sk_rcvbuf;
  newsk->sk_sndbuf = sk->sk_sndbuf;
  newsk->sk_userlocks = sk->sk_userlocks;
  newsk->sk_flags = sk->sk_flags & (SOCK_LINGER | SOCK_KEEPOPEN);
  newsk->sk_lingertime = sk->sk_lingertime;
  newsk->sk_rcvtimeo = sk->sk_rcvtimeo;
  newsk->sk_sndtimeo = sk->sk_sndtimeo;
  newsk->sk_tos = sk->sk_tos;
  newsk->skc_reuse = sk->skc_reuse;
  newsk->skc_state = TCP_SYN_RECV;
  newsk->skc_daddr = req->skc_daddr;
  newsk->skc_dport = req->skc_dport;
  newsk->skc_rcv_saddr = req->skc_rcv_saddr;
  newsk->sk_wq = &newsk->sk_own_wq;
  inet_sk(newsk)->uc_ttl = inet_sk(const_cast<sock*>(sk))->uc_ttl;
  newtp->rx_opt.user_mss = ltp->rx_opt.user_mss;
  newtp->nonagle = ltp->nonagle;
  newtp->linger2 = ltp->linger2;
  newtp->window_clamp = ltp->window_clamp;
  tcp_init_xmit_timers(newsk);
  return newsk;
}

// mirrors inet_csk_destroy_sock(): the last step of a sock's life. It must be
// closed and orphaned; this unhashes it, frees its queues and drops the
// owner's reference.
void inet_csk_destroy_sock(sock* sk) {
  net* n = sk->skc_net;
  tcp_clear_xmit_timers(sk);
  sk_stop_timer(sk, sk->sk_timer);
  if (sk->sk_hashed) {
    if (sk->skc_state == TCP_LISTEN)
      inet_lhash_remove(n->hashinfo, sk);
    else
      inet_ehash_remove(n->hashinfo, sk);
    sk->sk_hashed = false;
  }
  inet_put_port(n->hashinfo, sk);
  sk->sk_receive_queue.purge();
  sk->sk_write_queue.purge();
  tcp_sock* tp = tcp_sk(sk);
  tp->tcp_rtx_queue.purge();
  tp->out_of_order_queue.purge();
  sock_put(sk);
}

// mirrors inet_csk_prepare_forced_close(): a child that failed mid-setup.
void inet_csk_prepare_forced_close(sock* sk) {
  sock_orphan(sk);
}

namespace {

// mirrors reqsk_timer_handler(): pruning, then syn_ack_recalc, then
// TCPTimeouts, then keep (re-arm with backoff) or drop silently.
void reqsk_timer_handler(void* ctx, uint64_t) {
  request_sock* req = static_cast<request_sock*>(ctx);
  sock* sk_listener = req->rsk_listener;
  net* n = req->skc_net;
  if (sk_listener->skc_state != TCP_LISTEN) {
    // The listener is gone. SIM: no SO_REUSEPORT migration (tcp_migrate_req).
    n->trace("reqsk_timer_handler", "drop", "listener closed", req->skc_rcv_saddr, req->skc_daddr, req->skc_num,
             req->skc_dport);
    inet_csk_reqsk_queue_drop_and_put(sk_listener, req);
    return;
  }
  inet_connection_sock* icsk = inet_csk(sk_listener);
  request_sock_queue& queue = icsk->icsk_accept_queue;
  const int max_syn_ack_retries = reqsk_timer_max_retries(
      icsk->icsk_syn_retries ? icsk->icsk_syn_retries : n->sysctl.tcp_synack_retries, queue.qlen, queue.young,
      sk_listener->sk_max_ack_backlog);
  bool expire = false, resend = false;
  syn_ack_recalc(req, max_syn_ack_retries, queue.rskq_defer_accept, &expire, &resend);
  req->rsk_ops->syn_ack_timeout(req);
  if (!expire && (!resend || req->rsk_ops->rtx_syn_ack(sk_listener, req) == 0 || inet_rsk(req)->acked)) {
    if (req->num_timeout++ == 0) queue.young--;
    n->sim.mod_timer(req->rsk_timer, n->now() + reqsk_timeout(req, TCP_RTO_MAX));
    return;
  }
  n->trace("reqsk_timer_handler", "expire", "SYN-ACK retries exhausted", req->skc_rcv_saddr, req->skc_daddr,
           req->skc_num, req->skc_dport);
  inet_csk_reqsk_queue_drop_and_put(sk_listener, req);
}

}  // namespace

}  // namespace stack
