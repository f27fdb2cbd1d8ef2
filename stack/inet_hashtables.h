// The socket lookup tables of one namespace.
// mirrors struct inet_hashinfo (include/net/inet_hashtables.h):
// - ehash: full socks, request socks and TIME_WAIT socks by exact 4-tuple;
// - lhash: listeners by local port;
// - bhash: every bound sock by local port (bind conflicts, port allocation).
// Chains are intrusive (links live in the socks), so inserting a request
// sock allocates nothing.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "stack/sock.h"

namespace stack {

struct inet_bind_bucket {
  sock* owners = nullptr;  // chained through sk_bind_next
  uint32_t count = 0;
};

struct inet_hashinfo {
  // ehash: a power-of-two bucket array that doubles when the load exceeds 1.
  std::vector<sock_common*> ehash = std::vector<sock_common*>(1024, nullptr);
  size_t ehash_count = 0;
  // Keyed by port; lookups only, never iterated for output.
  std::unordered_map<uint16_t, sock*> lhash;
  std::unordered_map<uint16_t, inet_bind_bucket> bhash;
  uint32_t port_rover = 0;  // SIM: Linux picks a random offset per attempt; we draw it from the host RNG
};

uint32_t inet_ehashfn(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport);
// mirrors __inet_lookup_established(): exact match on the 4-tuple.
sock_common* __inet_lookup_established(inet_hashinfo& h, uint32_t saddr, uint16_t sport, uint32_t daddr,
                                       uint16_t hnum);
// mirrors __inet_lookup_listener(): exact local address first, then wildcard.
sock* __inet_lookup_listener(inet_hashinfo& h, uint32_t daddr, uint16_t hnum);
// mirrors inet_ehash_insert(): adds sk under its 4-tuple; if osk is given it is
// replaced (inet_ehash_nolisten / the request->child hand-over).
void inet_ehash_insert(inet_hashinfo& h, sock_common* sk, sock_common* osk);
// Removes sk from ehash if present; returns whether it was.
bool inet_ehash_remove(inet_hashinfo& h, sock_common* sk);
void inet_lhash_insert(inet_hashinfo& h, sock* sk);
void inet_lhash_remove(inet_hashinfo& h, sock* sk);
void inet_bind_hash(inet_hashinfo& h, sock* sk, uint16_t port);
// mirrors inet_put_port()
void inet_put_port(inet_hashinfo& h, sock* sk);

}  // namespace stack
