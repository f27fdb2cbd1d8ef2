#include "stack/inet_hashtables.h"

namespace stack {

// A fixed, well-mixed hash of the 4-tuple. SIM: Linux keys it with a boot
// secret (jhash); the table is never observable here, so no key is needed.
uint32_t inet_ehashfn(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport) {
  uint64_t x = (static_cast<uint64_t>(laddr) << 32) ^ faddr;
  x ^= (static_cast<uint64_t>(lport) << 16 | fport) * 0x9e3779b97f4a7c15ull;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return static_cast<uint32_t>(x);
}

namespace {

size_t bucket_of(const inet_hashinfo& h, const sock_common* sk) {
  return inet_ehashfn(sk->skc_rcv_saddr, sk->skc_num, sk->skc_daddr, sk->skc_dport) & (h.ehash.size() - 1);
}

void grow(inet_hashinfo& h) {
  std::vector<sock_common*> old(h.ehash.size() * 2, nullptr);
  old.swap(h.ehash);
  // Re-link every chain in bucket order; the relative order within a new
  // bucket follows the old chains, so lookups stay deterministic.
  for (sock_common* head : old) {
    while (head) {
      sock_common* next = head->skc_ehash_next;
      sock_common** slot = &h.ehash[bucket_of(h, head)];
      head->skc_ehash_next = *slot;
      *slot = head;
      head = next;
    }
  }
}

}  // namespace

sock_common* __inet_lookup_established(inet_hashinfo& h, uint32_t saddr, uint16_t sport, uint32_t daddr,
                                       uint16_t hnum) {
  const size_t b = inet_ehashfn(daddr, hnum, saddr, sport) & (h.ehash.size() - 1);
  for (sock_common* sk = h.ehash[b]; sk; sk = sk->skc_ehash_next) {
    if (sk->skc_daddr == saddr && sk->skc_dport == sport && sk->skc_num == hnum && sk->skc_rcv_saddr == daddr)
      return sk;
  }
  return nullptr;
}

sock* __inet_lookup_listener(inet_hashinfo& h, uint32_t daddr, uint16_t hnum) {
  auto it = h.lhash.find(hnum);
  if (it == h.lhash.end()) return nullptr;
  sock* wildcard = nullptr;
  for (sock* sk = it->second; sk; sk = sk->sk_listen_next) {
    if (sk->skc_rcv_saddr == daddr) return sk;
    if (sk->skc_rcv_saddr == 0 && !wildcard) wildcard = sk;
  }
  return wildcard;
}

void inet_ehash_insert(inet_hashinfo& h, sock_common* sk, sock_common* osk) {
  if (osk) inet_ehash_remove(h, osk);
  if (h.ehash_count + 1 > h.ehash.size()) grow(h);
  sock_common** slot = &h.ehash[bucket_of(h, sk)];
  sk->skc_ehash_next = *slot;
  *slot = sk;
  ++h.ehash_count;
}

bool inet_ehash_remove(inet_hashinfo& h, sock_common* sk) {
  for (sock_common** p = &h.ehash[bucket_of(h, sk)]; *p; p = &(*p)->skc_ehash_next) {
    if (*p == sk) {
      *p = sk->skc_ehash_next;
      sk->skc_ehash_next = nullptr;
      --h.ehash_count;
      return true;
    }
  }
  return false;
}

void inet_lhash_insert(inet_hashinfo& h, sock* sk) {
  // Append, so that the first listener bound keeps priority among equals.
  sock** p = &h.lhash[sk->skc_num];
  while (*p) p = &(*p)->sk_listen_next;
  sk->sk_listen_next = nullptr;
  *p = sk;
}

void inet_lhash_remove(inet_hashinfo& h, sock* sk) {
  auto it = h.lhash.find(sk->skc_num);
  if (it == h.lhash.end()) return;
  for (sock** p = &it->second; *p; p = &(*p)->sk_listen_next) {
    if (*p == sk) {
      *p = sk->sk_listen_next;
      sk->sk_listen_next = nullptr;
      break;
    }
  }
  if (!it->second) h.lhash.erase(it);
}

void inet_bind_hash(inet_hashinfo& h, sock* sk, uint16_t port) {
  inet_bind_bucket& b = h.bhash[port];
  sk->sk_bind_next = b.owners;
  b.owners = sk;
  ++b.count;
  sk->skc_num = port;
  sk->sk_bound = true;
}

void inet_put_port(inet_hashinfo& h, sock* sk) {
  if (!sk->sk_bound) return;
  auto it = h.bhash.find(sk->skc_num);
  if (it != h.bhash.end()) {
    for (sock** p = &it->second.owners; *p; p = &(*p)->sk_bind_next) {
      if (*p == sk) {
        *p = sk->sk_bind_next;
        --it->second.count;
        break;
      }
    }
    if (!it->second.owners) h.bhash.erase(it);
  }
  sk->sk_bind_next = nullptr;
  sk->sk_bound = false;
}

}  // namespace stack
