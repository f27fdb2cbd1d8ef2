// Request socks: the "mini sockets" of half-open passive connections.
// mirrors include/net/request_sock.h, include/net/inet_sock.h
// (inet_request_sock) and include/linux/tcp.h (tcp_request_sock).
//
// A request sock lives in the established hash under its 4-tuple, in state
// TCP_NEW_SYN_RECV, with its own SYN-ACK timer and a pointer to its listener.
// The listener keeps only counts (qlen, young). A SYN-cookie SYN-ACK uses a
// request sock on the stack of tcp_conn_request() and keeps nothing.
#pragma once

#include <cstdint>

#include "sim/skbuff.h"
#include "sim/simulator.h"
#include "stack/sock.h"

namespace stack {

struct request_sock;

// mirrors struct request_sock_ops
struct request_sock_ops {
  int family;
  const char* slab_name;
  int (*rtx_syn_ack)(const sock* sk, request_sock* req);
  void (*send_ack)(const sock* sk, const sim::SkBuff* skb, request_sock* req);
  void (*send_reset)(const sock* sk, const sim::SkBuff* skb);
  void (*syn_ack_timeout)(const request_sock* req);
};

// mirrors struct request_sock
struct request_sock : sock_common {
  sock* rsk_listener = nullptr;
  const request_sock_ops* rsk_ops = nullptr;
  sim::Timer rsk_timer;
  sim::Time timeout;  // base SYN-ACK timeout (TCP_TIMEOUT_INIT)
  uint32_t rsk_rcv_wnd = 0;
  uint32_t rsk_window_clamp = 0;
  uint32_t ts_recent = 0;
  uint16_t mss = 0;
  uint8_t num_retrans = 0;
  uint8_t num_timeout = 0;
};

// mirrors struct inet_request_sock
struct inet_request_sock : request_sock {
  uint8_t snd_wscale = 0;
  uint8_t rcv_wscale = 0;
  uint8_t tos = 0;
  bool tstamp_ok = false;
  bool sack_ok = false;
  bool wscale_ok = false;
  bool ecn_ok = false;
  bool acked = false;  // a bare third ACK arrived (defer-accept or overflow)
};

// mirrors struct tcp_request_sock
struct tcp_request_sock : inet_request_sock {
  uint32_t rcv_isn = 0;
  uint32_t snt_isn = 0;
  uint32_t ts_off = 0;
  uint32_t rcv_nxt = 0;
  sim::Time snt_synack;         // when the first SYN-ACK left
  sim::Time last_oow_ack_time;  // rate limit for out-of-window replies
  bool last_oow_ack_valid = false;
};

inline tcp_request_sock* tcp_rsk(request_sock* r) { return static_cast<tcp_request_sock*>(r); }
inline inet_request_sock* inet_rsk(request_sock* r) { return static_cast<inet_request_sock*>(r); }

}  // namespace stack
