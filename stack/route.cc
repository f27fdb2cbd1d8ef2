// mirrors the parts of net/ipv4/route.c and net/ipv4/fib_frontend.c that a
// host needs: the output route and the local-address test.
//
// Every host has a loopback device with 127.0.0.1/8, as Linux brings up lo in
// each namespace; everything else comes from the ip_link the host was given.
// SIM: the loopback MTU is 1500 (Linux: 65536), so that every packet fits an
// sk_buff of this simulator.
#include <cstdint>

#include "stack/ip.h"
#include "stack/net.h"

namespace stack {

namespace {
constexpr uint32_t kLoopbackAddr = 0x7f000001u;  // 127.0.0.1
constexpr uint32_t kLoopbackMtu = 1500;
}  // namespace

bool inet_addr_is_local(const net* n, uint32_t addr) {
  if (ipv4_is_loopback(addr)) return true;
  return n->link.is_local && n->link.is_local(n->link.ctx, addr);
}

int inet_addr_type(const net* n, uint32_t addr) {
  if (ipv4_is_multicast(addr)) return RTN_MULTICAST;
  if (ipv4_is_lbcast(addr)) return RTN_BROADCAST;
  if (inet_addr_is_local(n, addr)) return RTN_LOCAL;
  return RTN_UNICAST;
}

bool inet_addr_valid_or_nonlocal(const net* n, const inet_sock* inet, uint32_t addr, int addr_type) {
  // inet_can_nonlocal_bind(): the sysctl or IP_FREEBIND (SIM: no IP_TRANSPARENT).
  if (n->sysctl.ip_nonlocal_bind || inet->freebind) return true;
  return addr == 0 || addr_type == RTN_LOCAL || addr_type == RTN_MULTICAST || addr_type == RTN_BROADCAST;
}

// mirrors ip_route_output_key(): a local destination leaves through the
// loopback device (marked by dev == the net itself, which no link uses),
// anything else through the host's link.
bool ip_route_output(const net* n, uint32_t daddr, rtable* rt) {
  if (inet_addr_is_local(n, daddr)) {
    rt->rt_src = ipv4_is_loopback(daddr) ? kLoopbackAddr : daddr;
    rt->rt_gateway = 0;
    rt->rt_mtu = kLoopbackMtu;
    rt->dev = const_cast<net*>(n);
    return true;
  }
  if (!n->link.route) return false;
  return n->link.route(n->link.ctx, daddr, rt);
}

}  // namespace stack
