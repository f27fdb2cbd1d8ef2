// mirrors net/ipv4/tcp.c (tag: docs/kernel-version.md): the TCP socket API
// (send, receive, close, shutdown, options, poll) and state changes.
//
// SIM: a call that would sleep in Linux returns -EAGAIN and the syscall
// layer (socket.cc) sleeps and calls again; each call is one attempt.
// close() never blocks, not even with SO_LINGER (sk_stream_wait_close()).
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
    // FIN_WAIT*, CLOSING, LAST_ACK: no change. SIM: TIME_WAIT too: Linux's
    // full sock is already CLOSE then (an inet_timewait_sock took over);
    // ours is the TIME_WAIT sock and must live on.
    default: next = sk->skc_state; break;
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

// mirrors tcp_eat_recv_skb(): a fully read buffer leaves the receive queue.
void tcp_eat_recv_skb(sock* sk) {
  sim::SkBuff* skb = sk->sk_receive_queue.pop_front();
  tcp_sk(sk)->sk_rmem_alloc -= static_cast<int>(TCP_SKB_CB(skb)->truesize);
  sim::kfree_skb(skb);
}

// mirrors tcp_get_info(): the TCP_INFO fields glibc's struct tcp_info has.
void tcp_get_info(const sock* sk, tcp_info* info) {
  const tcp_sock* tp = tcp_sk(sk);
  const inet_connection_sock* icsk = inet_csk(sk);
  const sim::Time now = sk->skc_net->now();
  std::memset(info, 0, sizeof(*info));
  info->tcpi_state = sk->skc_state;
  info->tcpi_ca_state = tp->icsk_ca_state;
  info->tcpi_retransmits = icsk->icsk_retransmits;
  info->tcpi_probes = tp->icsk_probes_out;
  info->tcpi_backoff = icsk->icsk_backoff;
  if (tp->rx_opt.tstamp_ok) info->tcpi_options |= 1;  // TCPI_OPT_TIMESTAMPS
  if (tcp_is_sack(tp)) info->tcpi_options |= 2;      // TCPI_OPT_SACK
  if (tp->rx_opt.wscale_ok) {
    info->tcpi_options |= 4;  // TCPI_OPT_WSCALE
    info->tcpi_snd_wscale = tp->rx_opt.snd_wscale & 0xf;
    info->tcpi_rcv_wscale = tp->rx_opt.rcv_wscale & 0xf;
  }
  info->tcpi_rto = static_cast<uint32_t>(icsk->icsk_rto.us());
  info->tcpi_ato = static_cast<uint32_t>(icsk->icsk_ack.ato.us());
  info->tcpi_snd_mss = tp->mss_cache;
  info->tcpi_rcv_mss = icsk->icsk_ack.rcv_mss;
  info->tcpi_unacked = tp->packets_out;
  info->tcpi_sacked = tp->sacked_out;
  info->tcpi_lost = tp->lost_out;
  info->tcpi_retrans = tp->retrans_out;
  info->tcpi_last_data_sent = static_cast<uint32_t>((now - tp->lsndtime).ms());
  info->tcpi_last_data_recv = static_cast<uint32_t>((now - icsk->icsk_ack.lrcvtime).ms());
  info->tcpi_last_ack_recv = static_cast<uint32_t>((now - tp->rcv_tstamp).ms());
  info->tcpi_pmtu = icsk->icsk_pmtu_cookie;
  info->tcpi_rcv_ssthresh = tp->rcv_ssthresh;
  info->tcpi_rtt = tp->srtt_us >> 3;
  info->tcpi_rttvar = tp->mdev_us >> 2;
  info->tcpi_snd_ssthresh = tp->snd_ssthresh;
  info->tcpi_snd_cwnd = tp->snd_cwnd;
  info->tcpi_advmss = tp->advmss;
  info->tcpi_reordering = tp->reordering;
  info->tcpi_rcv_rtt = tp->rcv_rtt_est.rtt_us >> 3;
  info->tcpi_rcv_space = tp->rcvq_space.space;
  info->tcpi_total_retrans = tp->total_retrans;
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


// mirrors tcp_write_queue_purge(): forget everything not yet acked.
void tcp_write_queue_purge(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  sk->sk_write_queue.purge();
  tp->tcp_rtx_queue.purge();
  sk->sk_wmem_queued = 0;
  tp->packets_out = 0;
  inet_csk(sk)->icsk_backoff = 0;
}

// mirrors sk_stream_memory_free(): room for another buffer.
bool sk_stream_memory_free(const sock* sk) { return sk->sk_wmem_queued < sk->sk_sndbuf; }

// mirrors __sk_stream_is_writeable(): a third of the buffer is free.
bool sk_stream_is_writeable(const sock* sk) {
  return sk->sk_sndbuf - sk->sk_wmem_queued >= (sk->sk_wmem_queued >> 1);
}

// mirrors sk_stream_write_space(): wake a writer once enough room is free.
void sk_stream_write_space(sock* sk) {
  if (sk_stream_is_writeable(sk) && sk->sk_socket) {
    tcp_sk(sk)->sock_nospace = false;
    sk_write_space(sk);
  }
}

// mirrors tcp_disconnect(): back to CLOSE, resetting the peer if a
// connection existed. Used by SO_LINGER 0, listener shutdown for queued
// children and connect(AF_UNSPEC).
int tcp_disconnect(sock* sk, int flags) {
  (void)flags;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  const int old_state = sk->skc_state;
  if (old_state != TCP_CLOSE) tcp_set_state(sk, TCP_CLOSE);
  if (old_state == TCP_LISTEN) {
    inet_csk_listen_stop(sk);
  } else if (tcp_need_reset(old_state) ||
             (tp->snd_nxt != tp->write_seq && (old_state == TCP_CLOSING || old_state == TCP_LAST_ACK))) {
    // The FIN was not sent yet: the peer must learn about the abort.
    tcp_send_active_reset(sk);
    sk->sk_err = ECONNRESET;
  } else if (old_state == TCP_SYN_SENT) {
    sk->sk_err = ECONNRESET;
  }
  tcp_clear_xmit_timers(sk);
  while (!sk->sk_receive_queue.empty()) {
    sim::SkBuff* skb = sk->sk_receive_queue.pop_front();
    sim::kfree_skb(skb);
  }
  tcp_write_queue_purge(sk);
  tp->out_of_order_queue.purge();
  tp->sk_rmem_alloc = 0;
  tp->srtt_us = 0;
  tp->mdev_us = 0;
  tp->rcv_rtt_last_tsecr = 0;
  tp->rx_opt.num_sacks = 0;
  tp->rx_opt.dsack = false;
  tp->snd_cwnd = TCP_INIT_CWND;
  tp->snd_cwnd_cnt = 0;
  tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
  tp->window_clamp = 0;
  tp->delivered = 0;
  tp->is_sack_reneg = false;
  tp->icsk_probes_out = 0;
  tcp_clear_retrans(tp);
  tcp_set_ca_state(sk, TCP_CA_Open);
  if (tp->icsk_ca_ops) {
    std::memset(tp->icsk_ca_priv, 0, sizeof(tp->icsk_ca_priv));
    tp->icsk_ca_initialized = false;
  }
  icsk->icsk_backoff = 0;
  icsk->icsk_retransmits = 0;
  icsk->icsk_rto = TCP_TIMEOUT_INIT;
  icsk->icsk_ack = {};
  tp->rack = {};
  tp->tlp_high_seq = 0;
  tp->retrans_stamp_set = false;
  tp->rcv_rtt_est = {};
  tp->rcvq_space = {};
  tp->compressed_ack = 0;
  tp->bytes_acked = tp->bytes_received = tp->bytes_sent = tp->bytes_retrans = 0;
  tp->data_segs_in = tp->data_segs_out = tp->segs_in = tp->segs_out = 0;
  tp->total_retrans = 0;
  sk->sk_shutdown = 0;
  sk->clear_flag(SOCK_DONE);
  sk->skc_dport = 0;
  sk->skc_daddr = 0;
  if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
    sk->skc_rcv_saddr = 0;
    inet_sk(sk)->inet_saddr = 0;
  }
  sk_state_change(sk);
  return 0;
}

// mirrors __tcp_close(): unread data turns a close into an abort (RST,
// TcpExtTCPAbortOnClose); SO_LINGER with a zero timeout aborts too
// (TcpExtTCPAbortOnData); otherwise a FIN is sent and the orphaned socket
// finishes the handshake on its own, bounded by tcp_fin_timeout in
// FIN_WAIT2.
void tcp_close(sock* sk, long timeout) {
  (void)timeout;
  net* n = sk->skc_net;
  sk->sk_shutdown = SHUTDOWN_MASK;
  if (sk->skc_state == TCP_LISTEN) {
    tcp_set_state(sk, TCP_CLOSE);
    inet_csk_listen_stop(sk);
  } else {
    // Flush the receive queue; a FIN does not count as unread data.
    uint32_t data_was_unread = 0;
    while (!sk->sk_receive_queue.empty()) {
      const tcp_skb_cb* cb = TCP_SKB_CB(sk->sk_receive_queue.head);
      uint32_t len = cb->end_seq - cb->seq;
      if (cb->tcp_flags & TCPHDR_FIN) len--;
      data_was_unread += len;
      tcp_eat_recv_skb(sk);
    }
    if (sk->skc_state == TCP_CLOSE) {
      // already reset: nothing to tell the peer
    } else if (data_was_unread) {
      // RFC 2525 2.17: data was lost; tell the peer with a RST.
      n->mib_inc(LINUX_MIB_TCPABORTONCLOSE);
      tcp_set_state(sk, TCP_CLOSE);
      tcp_send_active_reset(sk);
    } else if (sk->flag(SOCK_LINGER) && !sk->sk_lingertime) {
      // Zero linger, checked after unread data.
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
    } else if (tcp_orphan_fin_wait2(sk, false)) {
      sock_put(sk);
      return;
    }
  }
  // Otherwise an orphan lives on until the protocol closes it.
  if (sk->skc_state == TCP_CLOSE) inet_csk_destroy_sock(sk);
  sock_put(sk);
}

// mirrors tcp_shutdown(): SHUT_WR sends a FIN in the states that have a
// connection; `how` uses the RCV_SHUTDOWN/SEND_SHUTDOWN bits. A child still
// in SYN_RECV sends it when the handshake completes.
void tcp_shutdown(sock* sk, int how) {
  if (!(how & SEND_SHUTDOWN)) return;
  const int st = sk->skc_state;
  if (st == TCP_ESTABLISHED || st == TCP_SYN_SENT || st == TCP_CLOSE_WAIT) {
    if (tcp_close_state(sk)) tcp_send_fin(sk);
  }
}

// mirrors tcp_sendmsg_locked(): copy into MSS-sized buffers on the write
// queue while the send buffer has room, push full segments as they fill
// (and everything, with PSH, every half window: forced_push), then push
// the tail with PSH. Returns -EAGAIN when nothing could be queued yet (the
// syscall layer waits on sk_wq and retries).
long tcp_sendmsg(sock* sk, const void* buf, size_t len, int flags, const sockaddr* to, int tolen) {
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
  const uint32_t mss_now = std::max<uint32_t>(tcp_current_mss(sk), 1);
  while (copied < len) {
    sim::SkBuff* skb = sk->sk_write_queue.tail;
    uint32_t copy = 0;
    if (skb && skb->len < mss_now && !(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)) copy = mss_now - skb->len;
    if (copy == 0) {
      if (!sk_stream_memory_free(sk)) {
        // wait_for_space
        tp->sock_nospace = true;
        if (copied) tcp_push(sk, flags & ~MSG_MORE, mss_now, TCP_NAGLE_PUSH);
        return copied ? static_cast<long>(copied) : -EAGAIN;
      }
      // tcp_stream_alloc_skb() + tcp_skb_entail()
      skb = n->skbs.alloc();
      tcp_skb_cb* tcb = TCP_SKB_CB(skb);
      tcb->seq = tcb->end_seq = tp->write_seq;
      tcb->tcp_flags = TCPHDR_ACK;
      sk->sk_write_queue.push_back(skb);
      tp->nonagle &= static_cast<uint8_t>(~TCP_NAGLE_PUSH);
      tcp_slow_start_after_idle_check(sk);
      copy = std::min<uint32_t>(mss_now, skb->tailroom());
    }
    copy = static_cast<uint32_t>(std::min<size_t>(copy, len - copied));
    // The first bytes of this write extend an unsent tail: its PSH moves on.
    if (!copied) TCP_SKB_CB(skb)->tcp_flags &= static_cast<uint8_t>(~TCPHDR_PSH);
    std::memcpy(skb->put(copy), p + copied, copy);
    sk->sk_write_queue.bytes += copy;
    sk->sk_wmem_queued += static_cast<int>(copy);
    TCP_SKB_CB(skb)->end_seq += copy;
    tp->write_seq += copy;
    copied += copy;
    if (copied == len) break;
    if (skb->len < mss_now) continue;
    if (after(tp->write_seq, tp->pushed_seq + (tp->max_window >> 1))) {  // forced_push()
      TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH;
      tp->pushed_seq = tp->write_seq;
      __tcp_push_pending_frames(sk, mss_now, TCP_NAGLE_PUSH);
    } else if (skb == sk->sk_write_queue.head) {
      tcp_push_one(sk, mss_now);
    }
  }
  tcp_push(sk, flags, mss_now, tp->nonagle);
  return static_cast<long>(copied);
}

// mirrors tcp_cleanup_rbuf(): after reading, ACK now if a delayed ACK is
// pending and (a) more than one segment is unacknowledged, or (b) the read
// emptied the queue of a pushed segment on a non-interactive connection;
// or if the window can now grow to at least twice what was offered.
void tcp_cleanup_rbuf(sock* sk, int copied) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  bool time_to_ack = false;
  if (inet_csk_ack_scheduled(sk)) {
    if (tp->rcv_nxt - tp->rcv_wup > icsk->icsk_ack.rcv_mss ||
        (copied > 0 &&
         ((icsk->icsk_ack.pending & ICSK_ACK_PUSHED2) ||
          ((icsk->icsk_ack.pending & ICSK_ACK_PUSHED) && !inet_csk_in_pingpong_mode(sk))) &&
         !tp->sk_rmem_alloc))
      time_to_ack = true;
  }
  if (copied > 0 && !time_to_ack && !(sk->sk_shutdown & RCV_SHUTDOWN)) {
    const uint32_t rcv_window_now = tcp_receive_window(tp);
    if (2 * rcv_window_now <= tp->window_clamp) {
      const uint32_t new_window = __tcp_select_window(sk);
      if (new_window && new_window >= 2 * rcv_window_now) time_to_ack = true;
    }
  }
  if (time_to_ack) tcp_send_ack(sk);
}

// mirrors tcp_recvmsg_locked(): copy from the receive queue; a FIN ends the
// read (0 at EOF). -EAGAIN when nothing is there yet.
long tcp_recvmsg(sock* sk, void* buf, size_t len, int flags, sockaddr* from, int* fromlen) {
  (void)from;
  (void)fromlen;
  tcp_sock* tp = tcp_sk(sk);
  if (sk->skc_state == TCP_LISTEN) return -ENOTCONN;
  uint8_t* out = static_cast<uint8_t*>(buf);
  const bool peek = flags & MSG_PEEK;
  uint32_t peek_seq = tp->copied_seq;
  uint32_t* seq = peek ? &peek_seq : &tp->copied_seq;
  size_t copied = 0;
  sim::SkBuff* skb = sk->sk_receive_queue.head;
  while (skb && copied < len) {
    tcp_skb_cb* cb = TCP_SKB_CB(skb);
    const uint32_t offset = *seq - cb->seq;
    if (offset < skb->len) {
      const uint32_t used = static_cast<uint32_t>(std::min<size_t>(skb->len - offset, len - copied));
      std::memcpy(out + copied, skb->data + offset, used);
      *seq += used;
      copied += used;
      if (!peek) tcp_rcv_space_adjust(sk);
      if (used + offset < skb->len) break;  // the caller's buffer is full
    }
    if (cb->tcp_flags & TCPHDR_FIN) {
      // found_fin_ok: the FIN is consumed and ends this read.
      *seq += 1;
      if (!peek) tcp_eat_recv_skb(sk);
      break;
    }
    sim::SkBuff* next = skb->next;
    if (!peek) tcp_eat_recv_skb(sk);
    skb = next;
  }
  long ret;
  if (copied) {
    ret = static_cast<long>(copied);
  } else if (sk->flag(SOCK_DONE)) {
    ret = 0;
  } else if (sk->sk_err) {
    ret = sock_error(sk);
  } else if (sk->sk_shutdown & RCV_SHUTDOWN) {
    ret = 0;
  } else if (sk->skc_state == TCP_CLOSE) {
    ret = -ENOTCONN;
  } else if (len == 0) {
    ret = 0;
  } else {
    ret = -EAGAIN;
  }
  tcp_cleanup_rbuf(sk, static_cast<int>(copied));
  return ret;
}

// mirrors do_tcp_setsockopt() for the options we implement.
int tcp_setsockopt(sock* sk, int level, int optname, const void* optval, int optlen) {
  if (level != IPPROTO_TCP) return ip_setsockopt(sk, level, optname, optval, optlen);
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  if (optname == TCP_CONGESTION) {
    char name[16] = {};
    if (optlen < 1) return -EINVAL;
    std::memcpy(name, optval, static_cast<size_t>(std::min(optlen, 15)));
    return tcp_set_congestion_control(sk, name);
  }
  int val = 0;
  if (const int err = get_int(optval, optlen, &val)) return err;
  switch (optname) {
    case TCP_MAXSEG:
      if (val && (val < TCP_MIN_MSS || val > static_cast<int>(MAX_TCP_WINDOW))) return -EINVAL;
      tp->rx_opt.user_mss = static_cast<uint16_t>(val);
      return 0;
    case TCP_NODELAY:
      // __tcp_sock_set_nodelay(): turning it on pushes what Nagle held.
      if (val) {
        tp->nonagle |= TCP_NAGLE_OFF | TCP_NAGLE_PUSH;
        tcp_push_pending_frames(sk);
      } else {
        tp->nonagle &= static_cast<uint8_t>(~TCP_NAGLE_OFF);
      }
      return 0;
    case TCP_CORK:
      // __tcp_sock_set_cork(): uncorking pushes the partial segment.
      if (val) {
        tp->nonagle |= TCP_NAGLE_CORK;
      } else {
        tp->nonagle &= static_cast<uint8_t>(~TCP_NAGLE_CORK);
        if (tp->nonagle & TCP_NAGLE_OFF) tp->nonagle |= TCP_NAGLE_PUSH;
        tcp_push_pending_frames(sk);
      }
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
        tp->linger2 = std::min(val, 120);  // TCP_FIN_TIMEOUT_MAX
      return 0;
    case TCP_WINDOW_CLAMP:
      // tcp_set_window_clamp()
      if (!val) {
        if (sk->skc_state != TCP_CLOSE) return -EINVAL;
        tp->window_clamp = 0;
      } else {
        const uint32_t old_clamp = tp->window_clamp;
        const uint32_t new_clamp = static_cast<uint32_t>(std::max(val, 2304 / 2));  // SOCK_MIN_RCVBUF / 2
        tp->window_clamp = new_clamp;
        if (new_clamp < old_clamp)
          tp->rcv_ssthresh = std::min(tp->rcv_ssthresh, new_clamp);
        else
          tp->rcv_ssthresh = std::max(std::min(tp->rcv_wnd, new_clamp), tp->rcv_ssthresh);
      }
      return 0;
    case TCP_QUICKACK:
      // __tcp_sock_set_quickack(): 1 enters quick-ACK mode and ACKs what
      // is pending; 0 makes the connection interactive.
      if (!val) {
        inet_csk_enter_pingpong_mode(sk);
        return 0;
      }
      inet_csk_exit_pingpong_mode(sk);
      if (sk->skc_state == TCP_ESTABLISHED || sk->skc_state == TCP_FIN_WAIT1 || sk->skc_state == TCP_FIN_WAIT2 ||
          sk->skc_state == TCP_CLOSE_WAIT) {
        if (inet_csk_ack_scheduled(sk)) {
          icsk->icsk_ack.pending |= ICSK_ACK_PUSHED;
          tcp_cleanup_rbuf(sk, 1);
          if (!(val & 1)) inet_csk_enter_pingpong_mode(sk);
        }
      }
      return 0;
    case TCP_KEEPIDLE:
      if (val < 1 || val > 32767) return -EINVAL;
      tp->keepalive_time = val;
      if (sk->flag(SOCK_KEEPOPEN) && sk->skc_state != TCP_CLOSE && sk->skc_state != TCP_LISTEN)
        inet_csk_reset_keepalive_timer(sk, keepalive_time_when(sk));
      return 0;
    case TCP_KEEPINTVL:
      if (val < 1 || val > 32767) return -EINVAL;
      tp->keepalive_intvl = val;
      return 0;
    case TCP_KEEPCNT:
      if (val < 1 || val > 127) return -EINVAL;
      tp->keepalive_probes = val;
      return 0;
    case TCP_USER_TIMEOUT:
      if (val < 0) return -EINVAL;
      tp->icsk_user_timeout = static_cast<uint32_t>(val);
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
    case TCP_NODELAY: val = (tp->nonagle & TCP_NAGLE_OFF) ? 1 : 0; break;
    case TCP_CORK: val = (tp->nonagle & TCP_NAGLE_CORK) ? 1 : 0; break;
    case TCP_SYNCNT: val = icsk->icsk_syn_retries ? icsk->icsk_syn_retries : n->sysctl.tcp_syn_retries; break;
    case TCP_DEFER_ACCEPT:
      val = retrans_to_secs(icsk->icsk_accept_queue.rskq_defer_accept, static_cast<int>(TCP_TIMEOUT_INIT.sec()),
                            static_cast<int>(TCP_RTO_MAX.sec()));
      break;
    case TCP_LINGER2: val = tp->linger2 < 0 ? -1 : (tp->linger2 ? tp->linger2 : n->sysctl.tcp_fin_timeout); break;
    case TCP_WINDOW_CLAMP: val = static_cast<int>(tp->window_clamp); break;
    case TCP_QUICKACK: val = icsk->icsk_ack.quick && !inet_csk_in_pingpong_mode(sk); break;
    case TCP_KEEPIDLE: val = static_cast<int>(keepalive_time_when(sk).sec()); break;
    case TCP_KEEPINTVL: val = tp->keepalive_intvl ? tp->keepalive_intvl : n->sysctl.tcp_keepalive_intvl; break;
    case TCP_KEEPCNT: val = tp->keepalive_probes ? tp->keepalive_probes : n->sysctl.tcp_keepalive_probes; break;
    case TCP_USER_TIMEOUT: val = static_cast<int>(tp->icsk_user_timeout); break;
    case TCP_CONGESTION: {
      const char* name = tp->icsk_ca_ops ? tp->icsk_ca_ops->name : "";
      if (*optlen < 0) return -EINVAL;
      const int len = std::min<int>(*optlen, 16);  // TCP_CA_NAME_MAX
      char buf[16] = {};
      std::strncpy(buf, name, sizeof(buf) - 1);
      std::memcpy(optval, buf, static_cast<size_t>(len));
      *optlen = len;
      return 0;
    }
    case TCP_INFO: {
      if (*optlen < 0) return -EINVAL;
      tcp_info info;
      tcp_get_info(sk, &info);
      const int len = std::min<int>(*optlen, sizeof(info));
      std::memcpy(optval, &info, static_cast<size_t>(len));
      *optlen = len;
      return 0;
    }
    default: return -ENOPROTOOPT;
  }
  return put_int(optval, optlen, val);
}

// mirrors tcp_poll() (and inet_csk_listen_poll() for listeners).
unsigned tcp_poll(socket* so) {
  sock* sk = so->sk;
  if (sk->skc_state == TCP_LISTEN)
    return inet_csk(sk)->icsk_accept_queue.rskq_accept_head ? (NS_POLLIN | NS_POLLRDNORM) : 0;
  tcp_sock* tp = tcp_sk(sk);
  unsigned mask = 0;
  const int st = sk->skc_state;
  if (sk->sk_shutdown == SHUTDOWN_MASK || st == TCP_CLOSE) mask |= NS_POLLHUP;
  if (sk->sk_shutdown & RCV_SHUTDOWN) mask |= NS_POLLIN | NS_POLLRDNORM | NS_POLLRDHUP;
  if (st != TCP_SYN_SENT && st != TCP_SYN_RECV) {
    if (tp->rcv_nxt != tp->copied_seq) mask |= NS_POLLIN | NS_POLLRDNORM;  // tcp_epollin_ready()
    if (!(sk->sk_shutdown & SEND_SHUTDOWN)) {
      if (sk_stream_is_writeable(sk))
        mask |= NS_POLLOUT | NS_POLLWRNORM;
      else
        tp->sock_nospace = true;
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
  tp->mdev_us = static_cast<uint32_t>(TCP_TIMEOUT_INIT.us());
  tp->rtt_min.s[0] = tp->rtt_min.s[1] = tp->rtt_min.s[2] = minmax_sample{n->now(), ~0u};
  tp->snd_cwnd = TCP_INIT_CWND;
  tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
  tp->snd_cwnd_clamp = ~0u;
  tp->mss_cache = TCP_MSS_DEFAULT;
  tp->reordering = static_cast<uint32_t>(n->sysctl.tcp_reordering);
  tcp_assign_congestion_control(sk);
  tp->tsoffset = 0;
  tp->rack.reo_wnd_steps = 1;
  sk->skc_state = TCP_CLOSE;
  sk->sk_sndbuf = n->sysctl.tcp_wmem[1];
  sk->sk_rcvbuf = n->sysctl.tcp_rmem[1];
  tp->scaling_ratio = TCP_DEFAULT_SCALING_RATIO;
  return 0;
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

// tcp_prot (net/ipv4/tcp_ipv4.c)
namespace {
sock* tcp_alloc(net* n) { return n->tcp_sock_cache.alloc(); }
void tcp_free(sock* sk) {
  // SIM: the kernel's teardown (net::~net) stops the timers it knows of
  // before freeing; the compressed-ACK timer is stopped here so that no
  // pending timer outlives the memory it lives in.
  sk->skc_net->sim.del_timer(tcp_sk(sk)->compressed_ack_timer);
  sk->skc_net->tcp_sock_cache.free(tcp_sk(sk));
}
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
