// Socket listings for tools, the way `ss -tan` / `ss -uan` / `ss -lnt`
// report them. mirrors net/ipv4/inet_diag.c with tcp_diag.c and udp_diag.c
// (the idiag_rqueue / idiag_wqueue columns).
#pragma once

#include <cstdint>
#include <vector>

namespace stack {

struct net;

struct inet_diag_entry {
  uint8_t protocol;  // IPPROTO_TCP / IPPROTO_UDP
  uint8_t state;     // TCP_* (tcp_state_name() gives ss's name)
  uint32_t recv_q;   // listener: accept-queue length; TCP: unread bytes; UDP: receive memory
  uint32_t send_q;   // listener: backlog; TCP: unacknowledged bytes; UDP: 0
  uint32_t saddr;
  uint16_t sport;
  uint32_t daddr;
  uint16_t dport;
};

// Every TCP socket in the listening and established tables (listeners,
// connections, request socks as SYN-RECV, TIME-WAIT) or every bound UDP
// socket, sorted by local then remote address and port.
std::vector<inet_diag_entry> inet_diag_dump(const net* n, int protocol);

}  // namespace stack
