// The per-namespace sysctls the simulated kernel reads, with Linux 6.18's
// defaults for a fresh network namespace. Strings exist only at the edge:
// sysctl_set() is the one place that maps "net.ipv4.tcp_syncookies" to a field.
// mirrors struct netns_core / struct netns_ipv4 (include/net/netns/*.h), the
// subset on the listen and connection paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stack {

// net.ipv4.tcp_congestion_control values, in kTcpCongestionNames order.
enum : int { TCP_CONG_RENO = 0, TCP_CONG_CUBIC = 1 };
inline constexpr std::string_view kTcpCongestionNames[] = {"reno", "cubic"};

struct Sysctls {
  // net.core
  int somaxconn = 4096;
  int rmem_max = 4194304;
  int rmem_default = 212992;
  int wmem_default = 212992;
  int wmem_max = 4194304;
  // net.ipv4 (TCP)
  int tcp_max_syn_backlog = 2048;  // SIM: Linux derives it from the ehash size; 2048 is the 6.18 test host's value
  int tcp_syncookies = 1;
  int tcp_synack_retries = 5;
  int tcp_syn_retries = 6;
  int tcp_syn_linear_timeouts = 4;
  int tcp_abort_on_overflow = 0;
  int tcp_timestamps = 1;
  int tcp_sack = 1;
  int tcp_window_scaling = 1;
  int tcp_ecn = 2;
  int tcp_rmem[3] = {4096, 131072, 33554432};
  int tcp_wmem[3] = {4096, 16384, 4194304};
  int tcp_invalid_ratelimit = 500;  // ms
  int tcp_challenge_ack_limit = 2147483647;
  int tcp_rto_max_ms = 120000;
  int tcp_rto_min_us = 200000;
  int tcp_fastopen = 1;
  int tcp_migrate_req = 0;
  int tcp_workaround_signed_windows = 0;
  int tcp_reflect_tos = 0;
  int tcp_no_metrics_save = 0;
  int tcp_fin_timeout = 60;
  int tcp_retries2 = 15;
  int tcp_orphan_retries = 0;
  int tcp_tw_reuse = 2;
  int tcp_max_tw_buckets = 262144;
  int tcp_delack_min_ms = 40;  // SIM: TCP_DELACK_MIN is a compile-time constant in Linux
  // The established path (issue 7).
  int tcp_congestion_control = TCP_CONG_CUBIC;  // a name in sysctl's text form; see kTcpCongestionNames
  int tcp_slow_start_after_idle = 1;
  int tcp_early_retrans = 3;  // 3: TLP on
  int tcp_recovery = 1;       // TCP_RACK_LOSS_DETECTION
  int tcp_reordering = 3;
  int tcp_max_reordering = 300;
  int tcp_dsack = 1;
  int tcp_frto = 2;
  int tcp_moderate_rcvbuf = 1;
  int tcp_app_win = 31;
  int tcp_retries1 = 3;
  int tcp_keepalive_time = 7200;  // seconds
  int tcp_keepalive_intvl = 75;   // seconds
  int tcp_keepalive_probes = 9;
  int tcp_min_rtt_wlen = 300;     // seconds
  int tcp_comp_sack_delay_ns = 1000000;
  int tcp_comp_sack_slack_ns = 100000;
  int tcp_comp_sack_nr = 44;
  int tcp_pacing_ss_ratio = 200;
  int tcp_pacing_ca_ratio = 120;
  int tcp_shrink_window = 0;
  int tcp_min_tso_segs = 2;  // SIM: accepted, no effect: segments are never aggregated (no TSO/GSO)
  int ip_local_port_range[2] = {32768, 60999};
  int ip_unprivileged_port_start = 1024;
  int ip_nonlocal_bind = 0;
  int ip_default_ttl = 64;
};

// Sets `name` (dotted, e.g. "net.ipv4.tcp_syncookies") to `value` (as written
// after '=' in `sysctl -w`; vectors are blank-separated). Returns "" on
// success, otherwise the reason (unknown name, not a number, out of range).
std::string sysctl_set(Sysctls& s, std::string_view name, std::string_view value);
// Reads a value back in sysctl's own format; "" if unknown.
std::string sysctl_get(const Sysctls& s, std::string_view name);
// Every sysctl name we implement, sorted.
std::vector<std::string_view> sysctl_names();

}  // namespace stack
