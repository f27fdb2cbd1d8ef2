// The socket objects of one simulated kernel, laid out the way Linux nests
// them: sock_common < sock < inet_sock < inet_connection_sock < tcp_sock
// (include/net/sock.h, inet_sock.h, inet_connection_sock.h, linux/tcp.h).
// The nesting is plain struct inheritance standing in for Linux's embedding:
// there are no virtual functions; behaviour lives in ops tables (proto,
// proto_ops) and in free functions grouped by the Linux file they mirror.
//
// Conventions: addresses and ports are kept in host byte order (Linux keeps
// network order; converting at the wire is simpler to read). Errors are
// returned as -errno.
// SIM: no locks, RCU or per-CPU state: one simulated kernel runs on one thread.
#pragma once

#include <cstdint>

#include "sim/skbuff.h"
#include "sim/simulator.h"
#include "sim/task.h"
#include "sim/time.h"

namespace stack {

struct net;
struct sock;
struct socket;
struct proto;
struct proto_ops;
struct request_sock;

// mirrors enum in include/net/tcp_states.h
enum : uint8_t {
  TCP_ESTABLISHED = 1,
  TCP_SYN_SENT,
  TCP_SYN_RECV,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_TIME_WAIT,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_LAST_ACK,
  TCP_LISTEN,
  TCP_CLOSING,
  TCP_NEW_SYN_RECV,
  TCP_MAX_STATES
};
// The names `ss` prints ("ESTAB", "SYN-RECV", "LISTEN", ...).
const char* tcp_state_name(int state);

// mirrors socket_state (include/uapi/linux/net.h)
enum socket_state : uint8_t { SS_FREE, SS_UNCONNECTED, SS_CONNECTING, SS_CONNECTED, SS_DISCONNECTING };

// sk_shutdown bits
enum : uint8_t { RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2, SHUTDOWN_MASK = 3 };

// sk_flags bits (enum sock_flags)
enum : uint32_t { SOCK_DEAD = 1u << 0, SOCK_DONE = 1u << 1, SOCK_LINGER = 1u << 2, SOCK_KEEPOPEN = 1u << 3,
                  SOCK_BROADCAST = 1u << 4 };

// sk_userlocks
enum : uint8_t { SOCK_SNDBUF_LOCK = 1, SOCK_RCVBUF_LOCK = 2, SOCK_BINDADDR_LOCK = 4, SOCK_BINDPORT_LOCK = 8 };

// What request socks, full socks and (our) TIME_WAIT socks share, so that one
// established-hash chain holds all three. mirrors struct sock_common.
struct sock_common {
  uint32_t skc_daddr = 0;      // remote address
  uint32_t skc_rcv_saddr = 0;  // bound local address (0 = any)
  uint16_t skc_dport = 0;      // remote port
  uint16_t skc_num = 0;        // local port
  uint8_t skc_state = TCP_CLOSE;
  uint8_t skc_reuse = 0;
  uint8_t skc_reuseport = 0;
  bool skc_is_request = false;  // a request_sock (TCP_NEW_SYN_RECV) rather than a full sock
  int32_t skc_refcnt = 1;
  sock_common* skc_ehash_next = nullptr;  // chain in inet_hashinfo::ehash
  net* skc_net = nullptr;
};

// A socket's inbound and outbound byte queues are lists of sk_buffs.
using sk_buff_head = sim::SkbQueue;

// mirrors struct sock (include/net/sock.h): what every protocol's socket has.
struct sock : sock_common {
  uint16_t sk_type = 0;
  uint16_t sk_protocol = 0;
  const proto* sk_prot = nullptr;
  socket* sk_socket = nullptr;  // null while an unaccepted child or an orphan
  int sk_err = 0;
  int sk_err_soft = 0;
  uint8_t sk_shutdown = 0;
  uint8_t sk_userlocks = 0;
  uint32_t sk_flags = 0;
  int sk_rcvbuf = 0;
  int sk_sndbuf = 0;
  uint32_t sk_ack_backlog = 0;      // children waiting in the accept queue
  uint32_t sk_max_ack_backlog = 0;  // the clamped listen() backlog
  sim::Time sk_rcvtimeo = sim::Time::max();
  sim::Time sk_sndtimeo = sim::Time::max();
  int sk_lingertime = 0;  // seconds
  uint8_t sk_tos = 0;
  sk_buff_head sk_receive_queue;
  sk_buff_head sk_write_queue;
  int sk_wmem_queued = 0;
  // Where sleepers wait: the owning socket's queue, or this one while the
  // sock has no socket (an unaccepted child).
  sim::WaitQueue* sk_wq = nullptr;
  sim::WaitQueue sk_own_wq;
  sock* sk_bind_next = nullptr;    // chain in the bind bucket of skc_num
  sock* sk_listen_next = nullptr;  // chain in the listening hash
  sock* sk_accept_next = nullptr;  // FIFO link while queued on a listener
  sock* sk_parent = nullptr;       // listener while queued in its accept FIFO
  sim::Timer sk_timer;             // TIME_WAIT / FIN_WAIT2 timer
  bool sk_hashed = false;          // in ehash (or lhash for listeners)
  bool sk_bound = false;           // in a bind bucket

  bool flag(uint32_t f) const { return (sk_flags & f) != 0; }
  void set_flag(uint32_t f) { sk_flags |= f; }
  void clear_flag(uint32_t f) { sk_flags &= ~f; }
};

// mirrors struct inet_sock (include/net/inet_sock.h)
struct inet_sock : sock {
  uint32_t inet_saddr = 0;  // source address used on the wire
  uint16_t inet_id = 0;
  uint8_t uc_ttl = 0;       // 0: sysctl ip_default_ttl
  bool freebind = false;
  bool recverr = false;
};

// mirrors struct request_sock_queue (include/net/request_sock.h).
// SIM: the accept FIFO links the children directly (Linux links the request
// socks that carry them); the order and the counts are the same.
struct request_sock_queue {
  sock* rskq_accept_head = nullptr;
  sock* rskq_accept_tail = nullptr;
  uint32_t qlen = 0;   // pending request socks (the "SYN queue" length)
  uint32_t young = 0;  // requests whose timer has not expired yet
  uint8_t rskq_defer_accept = 0;  // TCP_DEFER_ACCEPT, in SYN-ACK retransmissions
  bool synflood_warned = false;
};

// icsk_pending values
enum : uint8_t { ICSK_TIME_RETRANS = 1, ICSK_TIME_DACK = 2, ICSK_TIME_PROBE0 = 3 };
// icsk_ack.pending bits
enum : uint8_t { ICSK_ACK_SCHED = 1, ICSK_ACK_TIMER = 2, ICSK_ACK_PUSHED = 4, ICSK_ACK_NOW = 16 };

// mirrors struct inet_connection_sock (include/net/inet_connection_sock.h)
struct inet_connection_sock : inet_sock {
  request_sock_queue icsk_accept_queue;
  sim::Timer icsk_retransmit_timer;
  sim::Timer icsk_delack_timer;
  sim::Time icsk_rto;
  sim::Time icsk_timeout;  // when the retransmit timer was set to fire
  uint8_t icsk_pending = 0;
  uint8_t icsk_retransmits = 0;
  uint8_t icsk_backoff = 0;
  uint8_t icsk_syn_retries = 0;  // TCP_SYNCNT; 0: use the sysctl
  uint32_t icsk_pmtu_cookie = 0;
  struct {
    uint8_t pending = 0;
    uint8_t quick = 0;     // ACKs to send at once before delaying
    uint8_t pingpong = 0;  // interactive mode
    sim::Time ato;         // delayed-ACK timeout
    sim::Time timeout;
    sim::Time lrcvtime;
    uint16_t rcv_mss = 0;
  } icsk_ack;
};

}  // namespace stack
