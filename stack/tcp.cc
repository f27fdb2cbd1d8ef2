// mirrors net/ipv4/tcp.c (tag: docs/kernel-version.md): the TCP socket API
// (send, receive, close, shutdown, options, poll) and state changes.
#include <netinet/tcp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "stack/inet_connection_sock.h"
#include "stack/ip.h"
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

constexpr int TCP_MIN_MSS = 88;

bool tcp_need_reset(int state) {
  return state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_FIN_WAIT1 ||
         state == TCP_FIN_WAIT2 || state == TCP_SYN_RECV;
}

// mirrors tcp_close_state(): the state after the application closes its
// sending side; true when a FIN must be sent.
bool tcp_close_state(sock* sk) {
  int next;
  bool fin = false;
  switch (sk->skc_state) {
    case TCP_ESTABLISHED: next = TCP_FIN_WAIT1; fin = true; break;
    case TCP_SYN_RECV: next = TCP_FIN_WAIT1; fin = true; break;
    case TCP_CLOSE_WAIT: next = TCP_LAST_ACK; fin = true; break;
    case TCP_SYN_SENT:
    case TCP_LISTEN:
    case TCP_CLOSE: next = TCP_CLOSE; break;
    default: next = sk->skc_state; break;  // FIN_WAIT*, CLOSING, LAST_ACK, TIME_WAIT: no change
  }
  tcp_set_state(sk, next);
  return fin;
}

int get_int(const void* optval, int optlen, int* val) {
  if (optlen < static_cast<int>(sizeof(int))) return -EINVAL;
  std::memcpy(val, optval, sizeof(int));
  return 0;
}

int put_int(void* optval, int* optlen, int val) {
  if (*optlen < 0) return -EINVAL;
  const int len = std::min<int>(*optlen, sizeof(int));
  std::memcpy(optval, &val, static_cast<size_t>(len));
  *optlen = len;
  return 0;
}

}  // namespace

// mirrors tcp_set_state(): entering CLOSE unhashes the socket and (unless
// the application bound the port itself) releases the port; leaving
// ESTABLISHED or CLOSE_WAIT straight for CLOSE counts TcpEstabResets.
void tcp_set_state(sock* sk, int state) {
  net* n = sk->skc_net;
  const int oldstate = sk->skc_state;
  if (state == TCP_ESTABLISHED) {
    if (oldstate != TCP_ESTABLISHED) n->mib_inc(TCP_MIB_CURRESTAB);
  } else if (state == TCP_CLOSE) {
    if (oldstate == TCP_CLOSE_WAIT || oldstate == TCP_ESTABLISHED) n->mib_inc(TCP_MIB_ESTABRESETS);
    if (sk->sk_hashed) {
      if (oldstate == TCP_LISTEN)
        inet_lhash_remove(n->hashinfo, sk);
      else
        inet_ehash_remove(n->hashinfo, sk);
      sk->sk_hashed = false;
    }
    if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) inet_put_port(n->hashinfo, sk);
  }
  if (oldstate == TCP_ESTABLISHED && state != TCP_ESTABLISHED && n->mib[TCP_MIB_CURRESTAB] > 0)
    n->mib[TCP_MIB_CURRESTAB]--;
  sk->skc_state = static_cast<uint8_t>(state);
}

// mirrors tcp_done(): the connection is over.
void tcp_done(sock* sk) {
  net* n = sk->skc_net;
  if (sk->skc_state == TCP_SYN_SENT || sk->skc_state == TCP_SYN_RECV) n->mib_inc(TCP_MIB_ATTEMPTFAILS);
  tcp_set_state(sk, TCP_CLOSE);
  tcp_clear_xmit_timers(sk);
  sk->sk_shutdown = SHUTDOWN_MASK;
  if (!sk->flag(SOCK_DEAD))
    sk_state_change(sk);
  else
    inet_csk_destroy_sock(sk);
}

// mirrors tcp_disconnect(): back to CLOSE, resetting the peer if a
// connection existed. Used by listener shutdown for queued children and by
// connect(AF_UNSPEC).
int tcp_disconnect(sock* sk, int flags) {
  (void)flags;
  tcp_sock* tp = tcp_sk(sk);
  const int old_state = sk->skc_state;
  if (old_state != TCP_CLOSE) tcp_set_state(sk, TCP_CLOSE);
  if (old_state == TCP_LISTEN) {
    inet_csk_listen_stop(sk);
  } else if (tcp_need_reset(old_state) ||
             (tp->snd_nxt != tp->write_seq && (old_state == TCP_CLOSING || old_state == TCP_LAST_ACK))) {
    tcp_send_active_reset(sk);
    sk->sk_err = ECONNRESET;
  } else if (old_state == TCP_SYN_SENT) {
    sk->sk_err = ECONNRESET;
  }
  tcp_clear_xmit_timers(sk);
  sk->sk_receive_queue.purge();
  sk->sk_write_queue.purge();
  tp->tcp_rtx_queue.purge();
  tp->out_of_order_queue.purge();
  tp->packets_out = 0;
  tp->retrans_out = 0;
  tp->srtt_us = 0;
  tp->mdev_us = 0;
  tp->rx_opt.num_sacks = 0;
  tp->snd_cwnd = TCP_INIT_CWND;
  tp->snd_ssthresh = 0x7fffffff;
  tp->in_recovery = false;
  tp->dupacks = 0;
  tp->total_rto = 0;
  tp->fin_sent = false;
  inet_connection_sock* icsk = inet_csk(sk);
  icsk->icsk_backoff = 0;
  icsk->icsk_retransmits = 0;
  icsk->icsk_rto = TCP_TIMEOUT_INIT;
  icsk->icsk_ack = {};
  sk->sk_shutdown = 0;
  sk->clear_flag(SOCK_DONE);
  sk->skc_dport = 0;
  sk->skc_daddr = 0;
  if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
    sk->skc_rcv_saddr = 0;
    inet_sk(sk)->inet_saddr = 0;
  }
  return 0;
}

// mirrors __tcp_close(): unread data turns a close into an abort (RST);
// SO_LINGER with a zero timeout aborts too; otherwise a FIN is sent and the
// orphaned socket finishes the handshake on its own.
void tcp_close(sock* sk, long timeout) {
  (void)timeout;
  net* n = sk->skc_net;
  sk->sk_shutdown = SHUTDOWN_MASK;
  if (sk->skc_state == TCP_LISTEN) {
    tcp_set_state(sk, TCP_CLOSE);
    inet_csk_listen_stop(sk);
  } else {
    const bool data_was_unread = sk->sk_receive_queue.bytes > 0;
    sk->sk_receive_queue.purge();
    if (sk->skc_state == TCP_CLOSE) {
      // nothing to tell the peer
    } else if (data_was_unread) {
      tcp_set_state(sk, TCP_CLOSE);
      tcp_send_active_reset(sk);
      n->mib_inc(LINUX_MIB_TCPABORTONCLOSE);
    } else if (sk->flag(SOCK_LINGER) && !sk->sk_lingertime) {
      tcp_disconnect(sk, 0);
      n->mib_inc(LINUX_MIB_TCPABORTONDATA);
    } else if (tcp_close_state(sk)) {
      tcp_send_fin(sk);
    }
  }
  // adjudge_to_death
  sock_hold(sk);
  sock_orphan(sk);
  if (sk->skc_state == TCP_FIN_WAIT2) {
    tcp_sock* tp = tcp_sk(sk);
    if (tp->linger2 < 0) {
      tcp_set_state(sk, TCP_CLOSE);
      tcp_send_active_reset(sk);
      n->mib_inc(LINUX_MIB_TCPABORTONLINGER);
    } else {
      tcp_time_wait(sk, TCP_FIN_WAIT2, sim::seconds(tp->linger2 ? tp->linger2 : n->sysctl.tcp_fin_timeout));
    }
  }
  if (sk->skc_state == TCP_CLOSE) inet_csk_destroy_sock(sk);
  sock_put(sk);
}

// mirrors tcp_shutdown(): SHUT_WR sends a FIN in the states that have a
// connection; `how` uses the RCV_SHUTDOWN/SEND_SHUTDOWN bits.
void tcp_shutdown(sock* sk, int how) {
  if (!(how & SEND_SHUTDOWN)) return;
  const int st = sk->skc_state;
  if (st == TCP_ESTABLISHED || st == TCP_SYN_SENT || st == TCP_SYN_RECV || st == TCP_CLOSE_WAIT) {
    if (tcp_close_state(sk)) tcp_send_fin(sk);
  }
}

// mirrors tcp_sendmsg_locked(): copy into MSS-sized segments on the write
// queue, then push. Returns -EAGAIN when nothing could be queued yet (the
// syscall layer waits on sk_wq and retries).
long tcp_sendmsg(sock* sk, const void* buf, size_t len, int flags, const sockaddr* to, int tolen) {
  (void)flags;
  (void)to;
  (void)tolen;
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const int st = sk->skc_state;
  if (st != TCP_ESTABLISHED && st != TCP_CLOSE_WAIT) {
    // sk_stream_wait_connect()
    if (sk->sk_err) return sock_error(sk);
    if (st != TCP_SYN_SENT && st != TCP_SYN_RECV) return -EPIPE;
    return -EAGAIN;
  }
  if (sk->sk_err) return sock_error(sk);
  if (sk->sk_shutdown & SEND_SHUTDOWN) return -EPIPE;
  const uint8_t* p = static_cast<const uint8_t*>(buf);
  size_t copied = 0;
  const uint32_t mss = std::max<uint32_t>(tcp_current_mss(sk), 1);
  while (copied < len) {
    const int64_t queued = static_cast<int64_t>(sk->sk_write_queue.bytes + tp->tcp_rtx_queue.bytes);
    const int64_t space = sk->sk_sndbuf - queued;
    if (space <= 0) break;
    sim::SkBuff* tail = sk->sk_write_queue.tail;
    uint32_t room = 0;
    if (tail && tail->len < mss && !(TCP_SKB_CB(tail)->tcp_flags & TCPHDR_FIN)) room = mss - tail->len;
    if (!room) {
      tail = n->skbs.alloc();
      tcp_skb_cb* tcb = TCP_SKB_CB(tail);
      tcb->seq = tcb->end_seq = tp->write_seq;
      tcb->tcp_flags = TCPHDR_ACK;
      sk->sk_write_queue.push_back(tail);
      room = std::min<uint32_t>(mss, tail->tailroom());
    }
    const size_t chunk = std::min<size_t>({room, len - copied, static_cast<size_t>(space)});
    std::memcpy(tail->put(static_cast<uint32_t>(chunk)), p + copied, chunk);
    sk->sk_write_queue.bytes += chunk;
    TCP_SKB_CB(tail)->end_seq += static_cast<uint32_t>(chunk);
    tp->write_seq += static_cast<uint32_t>(chunk);
    copied += chunk;
  }
  if (copied) tcp_push(sk);
  return copied ? static_cast<long>(copied) : -EAGAIN;
}

// mirrors tcp_recvmsg_locked(): copy from the receive queue. 0 at EOF;
// -EAGAIN when nothing is there yet.
long tcp_recvmsg(sock* sk, void* buf, size_t len, int flags, sockaddr* from, int* fromlen) {
  (void)from;
  (void)fromlen;
  tcp_sock* tp = tcp_sk(sk);
  if (sk->skc_state == TCP_LISTEN) return -ENOTCONN;
  uint8_t* out = static_cast<uint8_t*>(buf);
  size_t copied = 0;
  const bool peek = flags & MSG_PEEK;
  sim::SkBuff* skb = sk->sk_receive_queue.head;
  uint32_t peek_off = 0;
  while (copied < len && skb) {
    const uint32_t avail = skb->len - (peek ? peek_off : 0);
    const size_t chunk = std::min<size_t>(avail, len - copied);
    std::memcpy(out + copied, skb->data + (peek ? peek_off : 0), chunk);
    copied += chunk;
    if (peek) {
      skb = skb->next;
      peek_off = 0;
      continue;
    }
    skb->pull(static_cast<uint32_t>(chunk));
    sk->sk_receive_queue.bytes -= chunk;
    tp->copied_seq += static_cast<uint32_t>(chunk);
    if (skb->len == 0) {
      sim::kfree_skb(sk->sk_receive_queue.pop_front());
      skb = sk->sk_receive_queue.head;
    }
  }
  if (copied) {
    // tcp_cleanup_rbuf(): advertise a window that grew by reading, if the
    // last advertised one has shrunk below half.
    if (!peek && sk->skc_state == TCP_ESTABLISHED) {
      const uint32_t rcv_window_now = tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt;
      if (rcv_window_now < tp->rcv_wnd / 2) tcp_send_ack(sk);
    }
    return static_cast<long>(copied);
  }
  if (sk->sk_err) return sock_error(sk);
  if (sk->flag(SOCK_DONE) || (sk->sk_shutdown & RCV_SHUTDOWN)) return 0;
  if (sk->skc_state == TCP_CLOSE) return -ENOTCONN;
  if (len == 0) return 0;
  return -EAGAIN;
}

// secs_to_retrans() / retrans_to_secs() (net/ipv4/tcp.c): TCP_DEFER_ACCEPT
// is stored as a number of SYN-ACK periods (1, 2, 4 ... s, capped).
uint8_t secs_to_retrans(int seconds, int timeout, int rto_max) {
  uint8_t res = 0;
  if (seconds > 0) {
    int period = timeout;
    res = 1;
    while (seconds > period && res < 255) {
      res++;
      timeout <<= 1;
      if (timeout > rto_max) timeout = rto_max;
      period += timeout;
    }
  }
  return res;
}

int retrans_to_secs(uint8_t retrans, int timeout, int rto_max) {
  int period = 0;
  if (retrans > 0) {
    period = timeout;
    while (--retrans) {
      timeout <<= 1;
      if (timeout > rto_max) timeout = rto_max;
      period += timeout;
    }
  }
  return period;
}

// mirrors do_tcp_setsockopt() for the options we implement.
int tcp_setsockopt(sock* sk, int level, int optname, const void* optval, int optlen) {
  if (level != IPPROTO_TCP) return ip_setsockopt(sk, level, optname, optval, optlen);
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  int val = 0;
  if (const int err = get_int(optval, optlen, &val)) return err;
  switch (optname) {
    case TCP_MAXSEG:
      if (val && (val < TCP_MIN_MSS || val > static_cast<int>(MAX_TCP_WINDOW))) return -EINVAL;
      tp->rx_opt.user_mss = static_cast<uint16_t>(val);
      return 0;
    case TCP_NODELAY:
      tp->nonagle = val != 0;
      if (val) tcp_push(sk);
      return 0;
    case TCP_SYNCNT:
      if (val < 1 || val > MAX_TCP_SYNCNT) return -EINVAL;
      icsk->icsk_syn_retries = static_cast<uint8_t>(val);
      return 0;
    case TCP_DEFER_ACCEPT:
      icsk->icsk_accept_queue.rskq_defer_accept =
          secs_to_retrans(val, static_cast<int>(TCP_TIMEOUT_INIT.sec()), static_cast<int>(TCP_RTO_MAX.sec()));
      return 0;
    case TCP_LINGER2:
      if (val < 0)
        tp->linger2 = -1;
      else
        tp->linger2 = std::min(val, 120);
      return 0;
    case TCP_WINDOW_CLAMP:
      if (!val) {
        if (sk->skc_state != TCP_CLOSE) return -EINVAL;
        tp->window_clamp = 0;
      } else {
        tp->window_clamp = static_cast<uint32_t>(std::max(val, static_cast<int>(TCP_MIN_MSS) / 2));
      }
      return 0;
    case TCP_QUICKACK:
      if (val) icsk->icsk_ack.quick = TCP_MAX_QUICKACKS;
      icsk->icsk_ack.pingpong = val ? 0 : 1;
      return 0;
    default:
      return -ENOPROTOOPT;
  }
}

// mirrors do_tcp_getsockopt()
int tcp_getsockopt(sock* sk, int level, int optname, void* optval, int* optlen) {
  if (level != IPPROTO_TCP) return ip_getsockopt(sk, level, optname, optval, optlen);
  const net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  int val;
  switch (optname) {
    case TCP_MAXSEG:
      val = static_cast<int>(tp->mss_cache);
      if (tp->rx_opt.user_mss && (sk->skc_state == TCP_CLOSE || sk->skc_state == TCP_LISTEN))
        val = tp->rx_opt.user_mss;
      break;
    case TCP_NODELAY: val = tp->nonagle ? 1 : 0; break;
    case TCP_SYNCNT: val = icsk->icsk_syn_retries ? icsk->icsk_syn_retries : n->sysctl.tcp_syn_retries; break;
    case TCP_DEFER_ACCEPT:
      val = retrans_to_secs(icsk->icsk_accept_queue.rskq_defer_accept, static_cast<int>(TCP_TIMEOUT_INIT.sec()),
                            static_cast<int>(TCP_RTO_MAX.sec()));
      break;
    case TCP_LINGER2: val = tp->linger2 < 0 ? -1 : (tp->linger2 ? tp->linger2 : n->sysctl.tcp_fin_timeout); break;
    case TCP_WINDOW_CLAMP: val = static_cast<int>(tp->window_clamp); break;
    case TCP_QUICKACK: val = icsk->icsk_ack.quick && !icsk->icsk_ack.pingpong; break;
    default: return -ENOPROTOOPT;
  }
  return put_int(optval, optlen, val);
}

// mirrors tcp_poll() (and inet_csk_listen_poll() for listeners).
unsigned tcp_poll(socket* so) {
  sock* sk = so->sk;
  if (sk->skc_state == TCP_LISTEN)
    return inet_csk(sk)->icsk_accept_queue.rskq_accept_head ? (NS_POLLIN | NS_POLLRDNORM) : 0;
  unsigned mask = 0;
  const int st = sk->skc_state;
  if (sk->sk_shutdown == SHUTDOWN_MASK || st == TCP_CLOSE) mask |= NS_POLLHUP;
  if (sk->sk_shutdown & RCV_SHUTDOWN) mask |= NS_POLLIN | NS_POLLRDNORM | NS_POLLRDHUP;
  if (st != TCP_SYN_SENT && st != TCP_SYN_RECV) {
    if (sk->sk_receive_queue.bytes) mask |= NS_POLLIN | NS_POLLRDNORM;
    if (!(sk->sk_shutdown & SEND_SHUTDOWN)) {
      const tcp_sock* tp = tcp_sk(sk);
      if (static_cast<int64_t>(sk->sk_write_queue.bytes + tp->tcp_rtx_queue.bytes) < sk->sk_sndbuf)
        mask |= NS_POLLOUT | NS_POLLWRNORM;
    } else {
      mask |= NS_POLLOUT | NS_POLLWRNORM;
    }
  }
  if (sk->sk_err) mask |= NS_POLLERR;
  return mask;
}

// mirrors tcp_init_sock()
int tcp_init_sock(sock* sk) {
  const net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  tcp_init_xmit_timers(sk);
  icsk->icsk_rto = TCP_TIMEOUT_INIT;
  tp->mss_cache = TCP_MSS_DEFAULT;
  tp->snd_cwnd = TCP_INIT_CWND;
  tp->snd_ssthresh = 0x7fffffff;
  sk->skc_state = TCP_CLOSE;
  sk->sk_sndbuf = n->sysctl.tcp_wmem[1];
  sk->sk_rcvbuf = n->sysctl.tcp_rmem[1];
  return 0;
}

// tcp_prot (net/ipv4/tcp_ipv4.c)
namespace {
sock* tcp_alloc(net* n) { return n->tcp_sock_cache.alloc(); }
void tcp_free(sock* sk) { sk->skc_net->tcp_sock_cache.free(tcp_sk(sk)); }
int tcp_connect_op(sock* sk, const sockaddr* addr, int addrlen) { return tcp_v4_connect(sk, addr, addrlen); }
void tcp_unhash(sock* sk) {
  net* n = sk->skc_net;
  if (!sk->sk_hashed) return;
  if (sk->skc_state == TCP_LISTEN)
    inet_lhash_remove(n->hashinfo, sk);
  else
    inet_ehash_remove(n->hashinfo, sk);
  sk->sk_hashed = false;
}
}  // namespace

proto tcp_prot = {
    "TCP",          tcp_alloc,      tcp_free,     tcp_init_sock,  tcp_close,      tcp_connect_op, tcp_disconnect,
    tcp_setsockopt, tcp_getsockopt, tcp_sendmsg,  tcp_recvmsg,    tcp_shutdown,   tcp_unhash,     inet_csk_get_port,
};

}  // namespace stack
