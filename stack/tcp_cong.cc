// mirrors net/ipv4/tcp_cong.c (tag: docs/kernel-version.md): the congestion
// control registry, per-socket assignment, and Reno, which is both a
// selectable algorithm and the helpers other algorithms build on
// (tcp_slow_start, tcp_cong_avoid_ai).
//
// SIM: the registry is a fixed table (reno, cubic) in the order of
// kTcpCongestionNames; there are no modules, BPF struct_ops or
// tcp_allowed_congestion_control restrictions.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

const tcp_congestion_ops* const kRegistry[] = {&tcp_reno, &cubictcp};
static_assert(std::size(kRegistry) == std::size(kTcpCongestionNames));

}  // namespace

const tcp_congestion_ops* tcp_ca_find(const char* name) {
  for (const tcp_congestion_ops* ca : kRegistry)
    if (std::strcmp(ca->name, name) == 0) return ca;
  return nullptr;
}

const char* tcp_ca_name(int index) {
  if (index < 0 || index >= static_cast<int>(std::size(kRegistry))) return nullptr;
  return kRegistry[index]->name;
}

// mirrors tcp_assign_congestion_control(): the namespace default.
void tcp_assign_congestion_control(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  const int idx = sk->skc_net->sysctl.tcp_congestion_control;
  const char* name = tcp_ca_name(idx);
  const tcp_congestion_ops* ca = name ? tcp_ca_find(name) : nullptr;
  tp->icsk_ca_ops = ca ? ca : &tcp_reno;
  std::memset(tp->icsk_ca_priv, 0, sizeof(tp->icsk_ca_priv));
  tp->icsk_ca_initialized = false;
}

// mirrors tcp_init_congestion_control()
void tcp_init_congestion_control(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  tp->prior_ssthresh = 0;
  if (tp->icsk_ca_ops->init) tp->icsk_ca_ops->init(sk);
  tp->icsk_ca_initialized = true;
}

// mirrors tcp_set_congestion_control() for TCP_CONGESTION: a connection
// that already started is re-initialised (tcp_reinit_congestion_control).
int tcp_set_congestion_control(sock* sk, const char* name) {
  tcp_sock* tp = tcp_sk(sk);
  const tcp_congestion_ops* ca = tcp_ca_find(name);
  if (!ca) return -ENOENT;
  if (ca == tp->icsk_ca_ops) return 0;
  tp->icsk_ca_ops = ca;
  std::memset(tp->icsk_ca_priv, 0, sizeof(tp->icsk_ca_priv));
  tp->icsk_ca_initialized = false;
  if (sk->skc_state != TCP_CLOSE && sk->skc_state != TCP_LISTEN && sk->skc_state != TCP_SYN_SENT)
    tcp_init_congestion_control(sk);
  return 0;
}

// mirrors tcp_set_ca_state(): the congestion control sees state changes.
void tcp_set_ca_state(sock* sk, uint8_t ca_state) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->icsk_ca_ops && tp->icsk_ca_ops->set_state) tp->icsk_ca_ops->set_state(sk, ca_state);
  tp->icsk_ca_state = ca_state;
}

// mirrors tcp_ca_event()
void tcp_ca_event(sock* sk, enum tcp_ca_event event) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->icsk_ca_ops && tp->icsk_ca_ops->cwnd_event) tp->icsk_ca_ops->cwnd_event(sk, event);
}

// mirrors tcp_is_cwnd_limited(): in slow start, cwnd may grow while the
// application used at least half of it.
bool tcp_is_cwnd_limited(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  if (tp->is_cwnd_limited) return true;
  if (tcp_in_slow_start(tp)) return tp->snd_cwnd < 2 * tp->max_packets_out;
  return false;
}

// mirrors tcp_slow_start(): grow by what was acked, up to ssthresh;
// returns the acks left over for congestion avoidance.
uint32_t tcp_slow_start(tcp_sock* tp, uint32_t acked) {
  const uint32_t cwnd = std::min(tp->snd_cwnd + acked, tp->snd_ssthresh);
  acked -= cwnd - tp->snd_cwnd;
  tp->snd_cwnd = std::min(cwnd, tp->snd_cwnd_clamp);
  return acked;
}

// mirrors tcp_cong_avoid_ai(): one segment per w acked.
void tcp_cong_avoid_ai(tcp_sock* tp, uint32_t w, uint32_t acked) {
  if (tp->snd_cwnd_cnt >= w) {  // credits from a higher w: apply gently
    tp->snd_cwnd_cnt = 0;
    tp->snd_cwnd++;
  }
  tp->snd_cwnd_cnt += acked;
  if (tp->snd_cwnd_cnt >= w) {
    const uint32_t delta = tp->snd_cwnd_cnt / w;
    tp->snd_cwnd_cnt -= delta * w;
    tp->snd_cwnd += delta;
  }
  tp->snd_cwnd = std::min(tp->snd_cwnd, tp->snd_cwnd_clamp);
}

// mirrors tcp_reno_cong_avoid()
void tcp_reno_cong_avoid(sock* sk, uint32_t ack, uint32_t acked) {
  (void)ack;
  tcp_sock* tp = tcp_sk(sk);
  if (!tcp_is_cwnd_limited(sk)) return;
  if (tcp_in_slow_start(tp)) {
    acked = tcp_slow_start(tp, acked);
    if (!acked) return;
  }
  tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
}

// mirrors tcp_reno_ssthresh(): half the window, at least 2.
uint32_t tcp_reno_ssthresh(sock* sk) { return std::max(tcp_sk(sk)->snd_cwnd >> 1, 2u); }

// mirrors tcp_reno_undo_cwnd()
uint32_t tcp_reno_undo_cwnd(sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  return std::max(tp->snd_cwnd, tp->prior_cwnd);
}

const tcp_congestion_ops tcp_reno = {
    "reno", tcp_reno_ssthresh, tcp_reno_cong_avoid, nullptr, nullptr, tcp_reno_undo_cwnd, nullptr, nullptr,
};

}  // namespace stack
