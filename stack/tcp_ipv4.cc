// mirrors net/ipv4/tcp_ipv4.c (tag: docs/kernel-version.md): segment
// demultiplexing, the IPv4 halves of passive and active open, tcp_prot.
#include <arpa/inet.h>

#include <cerrno>

#include "sim/wire/bytes.h"
#include "sim/wire/tcp.h"
#include "stack/inet_connection_sock.h"
#include "stack/ip.h"
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

// mirrors tcp_rtx_synack() (tcp_output.c): a SYN-ACK retransmission.
int tcp_rtx_synack(const sock* sk, request_sock* req) {
  net* n = sk->skc_net;
  const int res = tcp_v4_send_synack(sk, req, false);
  if (res == 0) {
    n->mib_inc(TCP_MIB_RETRANSSEGS);
    n->mib_inc(LINUX_MIB_TCPSYNRETRANS);
    req->num_retrans++;
  }
  return res;
}

// mirrors tcp_v4_reqsk_send_ack(): the ACK a request sends for an
// out-of-window segment (seq = snt_isn + 1, ack = rcv_nxt).
void tcp_v4_reqsk_send_ack(const sock* sk, const sim::SkBuff* skb, request_sock* req) {
  (void)skb;
  net* n = sk->skc_net;
  tcp_request_sock* treq = tcp_rsk(req);
  const uint32_t win = req->rsk_rcv_wnd >> inet_rsk(req)->rcv_wscale;
  tcp_v4_send_ack_for(n, req->skc_rcv_saddr, req->skc_daddr, req->skc_num, req->skc_dport, treq->snt_isn + 1,
                      treq->rcv_nxt, static_cast<uint16_t>(win > 65535 ? 65535 : win), inet_rsk(req)->tstamp_ok,
                      n->tcp_time_stamp_ms() + treq->ts_off, req->ts_recent, sk->sk_tos);
}

void tcp_v4_reqsk_send_reset(const sock* sk, const sim::SkBuff* skb) { (void)sk; (void)skb; }

// mirrors tcp_v4_do_rcv(): a segment for a full socket or a listener.
void tcp_v4_do_rcv(sock* sk, sim::SkBuff* skb, const tcp_segment& seg) {
  net* n = sk->skc_net;
  if (sk->skc_state == TCP_ESTABLISHED) {
    tcp_rcv_established(sk, skb, seg);
    return;
  }
  if (sk->skc_state == TCP_LISTEN) {
    // mirrors tcp_v4_cookie_check(): only a bare ACK can carry a cookie.
    if (!(seg.flags & TCPHDR_SYN)) {
      bool handled = false;
      sock* nsk = cookie_v4_check(sk, skb, seg, &handled);
      if (handled) {
        if (nsk && tcp_child_process(sk, nsk, skb, seg)) tcp_v4_send_reset(n, seg);
        return;
      }
    }
  }
  if (tcp_rcv_state_process(sk, skb, seg)) tcp_v4_send_reset(n, seg);
}

void tcp_v4_timewait_rcv(sock* sk, sim::SkBuff* skb, const tcp_segment& seg);

}  // namespace

// mirrors tcp_v4_send_synack(): build the SYN-ACK and send it through IP.
int tcp_v4_send_synack(const sock* sk, request_sock* req, bool syncookie) {
  net* n = sk->skc_net;
  sim::SkBuff* skb = tcp_make_synack(sk, req, syncookie);
  n->mib_inc(TCP_MIB_OUTSEGS);
  const uint8_t tos = n->sysctl.tcp_reflect_tos ? inet_rsk(req)->tos : sk->sk_tos;
  return ip_build_and_send_pkt(n, skb, req->skc_rcv_saddr, req->skc_daddr, IPPROTO_TCP, tos, 0);
}

const request_sock_ops tcp_request_sock_ops = {
    AF_INET, "request_sock_TCP", tcp_rtx_synack, tcp_v4_reqsk_send_ack, tcp_v4_reqsk_send_reset,
    tcp_syn_ack_timeout,
};

// mirrors tcp_v4_conn_request()
int tcp_v4_conn_request(sock* sk, const sim::SkBuff* skb, const tcp_segment& seg) {
  // Never answer SYNs sent to broadcast or multicast addresses.
  if (ipv4_is_multicast(seg.daddr) || ipv4_is_lbcast(seg.daddr)) {
    sk->skc_net->mib_inc(LINUX_MIB_LISTENDROPS);
    return 0;
  }
  return tcp_conn_request(&tcp_request_sock_ops, sk, skb, seg);
}

// mirrors tcp_v4_syn_recv_sock(): the third ACK made a child. Checks the
// accept queue first (the overflow counters move here), then clones the
// listener and hands the request's ehash slot to the child.
sock* tcp_v4_syn_recv_sock(const sock* sk, const sim::SkBuff* skb, const tcp_segment& seg, request_sock* req,
                           bool* own_req) {
  (void)skb;
  net* n = sk->skc_net;
  if (sk_acceptq_is_full(sk)) {
    n->mib_inc(LINUX_MIB_LISTENOVERFLOWS);
    n->mib_inc(LINUX_MIB_LISTENDROPS);
    n->trace("tcp_v4_syn_recv_sock", "drop", "accept queue full at the third ACK", seg.daddr, seg.saddr, seg.dest,
             seg.source);
    return nullptr;
  }
  sock* newsk = tcp_create_openreq_child(sk, req, seg);
  if (!newsk) {
    n->mib_inc(LINUX_MIB_LISTENDROPS);
    return nullptr;
  }
  tcp_sock* newtp = tcp_sk(newsk);
  inet_sk(newsk)->inet_saddr = req->skc_rcv_saddr;
  rtable rt;
  if (!ip_route_output(n, req->skc_daddr, &rt)) {
    n->mib_inc(LINUX_MIB_LISTENDROPS);
    inet_csk_prepare_forced_close(newsk);
    tcp_done(newsk);
    return nullptr;
  }
  newtp->advmss = static_cast<uint16_t>(tcp_mss_clamp_from_route(n, req->skc_daddr));
  const tcp_sock* ltp = tcp_sk(sk);
  if (ltp->rx_opt.user_mss && ltp->rx_opt.user_mss < newtp->advmss) newtp->advmss = ltp->rx_opt.user_mss;
  tcp_sync_mss(newsk, rt.rt_mtu);
  // The child takes the listener's port in the bind table (__inet_inherit_port).
  inet_bind_hash(n->hashinfo, newsk, sk->skc_num);
  // inet_ehash_nolisten(): the child replaces the request in ehash.
  inet_ehash_insert(n->hashinfo, newsk, req);
  newsk->sk_hashed = true;
  *own_req = true;
  return newsk;
}

// mirrors tcp_v4_connect()
int tcp_v4_connect(sock* sk, const sockaddr* uaddr, int addr_len) {
  net* n = sk->skc_net;
  if (addr_len < static_cast<int>(sizeof(sockaddr_in))) return -EINVAL;
  const sockaddr_in* usin = reinterpret_cast<const sockaddr_in*>(uaddr);
  if (usin->sin_family != AF_INET) return -EAFNOSUPPORT;
  const uint32_t daddr = ntohl(usin->sin_addr.s_addr);
  const uint16_t dport = ntohs(usin->sin_port);
  rtable rt;
  if (!ip_route_output(n, daddr, &rt)) return -ENETUNREACH;
  if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr)) return -ENETUNREACH;
  inet_sock* inet = inet_sk(sk);
  if (!inet->inet_saddr) inet->inet_saddr = sk->skc_rcv_saddr ? sk->skc_rcv_saddr : rt.rt_src;
  if (!sk->skc_rcv_saddr) sk->skc_rcv_saddr = inet->inet_saddr;
  sk->skc_daddr = daddr;
  sk->skc_dport = dport;
  tcp_sock* tp = tcp_sk(sk);
  tcp_set_state(sk, TCP_SYN_SENT);
  // mirrors inet_hash_connect(): pick a free ephemeral port for this
  // 4-tuple (or keep the bound one) and hash the socket.
  if (!sk->sk_bound) {
    const int lo = n->sysctl.ip_local_port_range[0];
    const int hi = n->sysctl.ip_local_port_range[1];
    const uint32_t range = static_cast<uint32_t>(hi - lo + 1);
    const uint32_t offset = static_cast<uint32_t>(n->rng.uniform(range));
    bool found = false;
    for (uint32_t i = 0; i < range; ++i) {
      const uint16_t port = static_cast<uint16_t>(lo + (offset + i) % range);
      // A port is usable if nobody is bound to it (SIM: no sharing of bound
      // ports between connections to different peers).
      if (n->hashinfo.bhash.count(port)) continue;
      inet_bind_hash(n->hashinfo, sk, port);
      found = true;
      break;
    }
    if (!found) {
      tcp_set_state(sk, TCP_CLOSE);
      sk->skc_daddr = 0;
      sk->skc_dport = 0;
      return -EADDRNOTAVAIL;
    }
  } else if (__inet_lookup_established(n->hashinfo, daddr, dport, sk->skc_rcv_saddr, sk->skc_num)) {
    tcp_set_state(sk, TCP_CLOSE);
    return -EADDRNOTAVAIL;
  }
  inet_ehash_insert(n->hashinfo, sk, nullptr);
  sk->sk_hashed = true;
  // ISN and timestamp offset: secure_tcp_seq() / secure_tcp_ts_off().
  uint32_t ts_off = 0;
  tp->write_seq = secure_tcp_seq_and_tsoff(n, inet->inet_saddr, daddr, sk->skc_num, dport, &ts_off);
  tp->tsoffset = n->sysctl.tcp_timestamps == 1 ? ts_off : 0;
  inet->inet_id = static_cast<uint16_t>(n->rng.next_u32());
  const int err = tcp_connect(sk);
  if (err) {
    tcp_set_state(sk, TCP_CLOSE);
    inet_ehash_remove(n->hashinfo, sk);
    sk->sk_hashed = false;
    inet_put_port(n->hashinfo, sk);
    sk->skc_dport = 0;
    return err;
  }
  return 0;
}

// mirrors tcp_v4_rcv(): every TCP segment addressed to this host. skb->data
// is at the TCP header; skb->network_header locates the IPv4 header.
void tcp_v4_rcv(net* n, sim::SkBuff* skb) {
  n->mib_inc(TCP_MIB_INSEGS);
  const uint8_t* iph = skb->head() + skb->network_header;
  const uint32_t saddr = sim::wire::load_be32(iph + 12);
  const uint32_t daddr = sim::wire::load_be32(iph + 16);
  sim::wire::TcpRepr r;
  const sim::wire::ParseResult pr = sim::wire::parse_tcp(skb->data, skb->len, saddr, daddr, r, true);
  if (pr != sim::wire::ParseResult::kOk) {
    if (pr == sim::wire::ParseResult::kTcpBadChecksum) n->mib_inc(TCP_MIB_CSUMERRORS);
    n->mib_inc(TCP_MIB_INERRS);
    sim::kfree_skb(skb);
    return;
  }
  tcp_segment seg;
  seg.saddr = saddr;
  seg.daddr = daddr;
  seg.source = r.sport;
  seg.dest = r.dport;
  seg.seq = r.seq;
  seg.ack_seq = r.ack;
  seg.flags = r.flags;
  seg.window = r.window;
  seg.tos = iph[1];
  seg.payload = r.payload;
  seg.payload_len = r.payload_len;
  seg.options = r.options;
  seg.options_len = r.options_len;
  seg.end_seq = r.seq + r.payload_len + ((r.flags & TCPHDR_SYN) ? 1 : 0) + ((r.flags & TCPHDR_FIN) ? 1 : 0);

  for (;;) {
    sock_common* sc = __inet_lookup_established(n->hashinfo, saddr, seg.source, daddr, seg.dest);
    if (sc && sc->skc_is_request) {
      request_sock* req = static_cast<request_sock*>(sc);
      sock* sk = req->rsk_listener;
      if (sk->skc_state != TCP_LISTEN) {
        // The listener went away: forget the request and look again.
        inet_csk_reqsk_queue_drop_and_put(sk, req);
        continue;
      }
      req->skc_refcnt++;  // the lookup's reference
      bool req_stolen = false;
      sock* nsk = tcp_check_req(sk, skb, seg, req, &req_stolen);
      if (!nsk) {
        reqsk_put(req);
        if (req_stolen) continue;
        break;
      }
      if (nsk == sk) {
        // Handed to the listener as-is (e.g. an ACK with the wrong ack number).
        reqsk_put(req);
        tcp_v4_do_rcv(sk, skb, seg);
      } else {
        reqsk_put(req);
        if (tcp_child_process(sk, nsk, skb, seg)) tcp_v4_send_reset(n, seg);
      }
      break;
    }
    if (sc) {
      sock* sk = static_cast<sock*>(sc);
      if (sk->skc_state == TCP_TIME_WAIT) {
        tcp_v4_timewait_rcv(sk, skb, seg);
        break;
      }
      sock_hold(sk);
      tcp_v4_do_rcv(sk, skb, seg);
      sock_put(sk);
      break;
    }
    sock* lsk = __inet_lookup_listener(n->hashinfo, daddr, seg.dest);
    if (!lsk) {
      // no_tcp_socket: answer with a RST built from the segment alone.
      tcp_v4_send_reset(n, seg);
      break;
    }
    sock_hold(lsk);
    tcp_v4_do_rcv(lsk, skb, seg);
    sock_put(lsk);
    break;
  }
  sim::kfree_skb(skb);
}

namespace {

// mirrors tcp_timewait_state_process() in its common cases: retransmitted
// FINs are re-ACKed, a RST ends the TIME_WAIT early (RFC 1337 off, as Linux's
// default), a new SYN with a higher sequence number may reuse the 4-tuple.
// SIM: TIME_WAIT keeps the full sock instead of an inet_timewait_sock.
void tcp_v4_timewait_rcv(sock* sk, sim::SkBuff* skb, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (seg.flags & TCPHDR_RST) {
    sk_stop_timer(sk, sk->sk_timer);
    tcp_done(sk);
    return;
  }
  if ((seg.flags & TCPHDR_SYN) && !(seg.flags & TCPHDR_ACK) && after(seg.seq, tp->rcv_nxt)) {
    // A new connection may take over the TIME_WAIT 4-tuple (tcp_twsk_unique
    // / TCP_TW_SYN): the listener gets the SYN.
    sock* lsk = __inet_lookup_listener(n->hashinfo, seg.daddr, seg.dest);
    if (lsk) {
      sk_stop_timer(sk, sk->sk_timer);
      tcp_done(sk);
      tcp_conn_request(&tcp_request_sock_ops, lsk, skb, seg);
      return;
    }
  }
  if (seg.flags & TCPHDR_ACK) {
    // Re-ACK a retransmitted FIN and restart the 2MSL timer.
    if (seg.flags & TCPHDR_FIN) {
      sk_reset_timer(sk, sk->sk_timer, n->now() + TCP_TIMEWAIT_LEN);
      tcp_send_ack(sk);
    }
    return;
  }
  tcp_v4_send_reset(n, seg);
}

}  // namespace

}  // namespace stack
