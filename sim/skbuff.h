// Packet buffers, after Linux's struct sk_buff: one contiguous buffer with
// headroom, so each layer pushes its header in front of the payload without
// copying. Buffers come from a per-world pool (SkbPool) and go back to it, so
// the hot path does not allocate once the pool is warm.
//
// SIM: no fragments, no clones, no shared info; a frame is at most kSkbDataMax
// bytes (an MTU-1500 IPv4 packet plus link header fits with room to spare).
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "sim/time.h"

namespace sim {

inline constexpr uint32_t kSkbDataMax = 2048;
// Room for the largest header stack we build: Ethernet 14 + IPv4 60 + TCP 60.
inline constexpr uint32_t kSkbHeadroom = 160;

class SkbPool;

struct SkBuff {
  SkBuff* next = nullptr;  // intrusive link for queues (device txq, free list)
  SkbPool* pool = nullptr;
  uint8_t* data = nullptr;  // start of valid bytes
  uint32_t len = 0;         // valid bytes from data
  // Metadata carried alongside the bytes (not on the wire).
  uint32_t mark = 0;       // free for the owner of the buffer
  int32_t ifindex = -1;    // device the frame arrived on (receive path)
  uint16_t network_header = 0;    // offsets from head(), set by the layer that parsed/built them
  uint16_t transport_header = 0;
  Time tstamp;             // when the frame entered the current queue / device
  // Scratch space for the layer that owns the buffer, like skb->cb (the stack
  // keeps TCP_SKB_CB there). Not copied to the wire.
  alignas(8) uint8_t cb[48];
  alignas(16) uint8_t buf[kSkbHeadroom + kSkbDataMax];

  uint8_t* head() { return buf; }
  const uint8_t* head() const { return buf; }
  uint8_t* end() { return buf + sizeof(buf); }
  uint32_t headroom() const { return static_cast<uint32_t>(data - buf); }
  uint32_t tailroom() const { return static_cast<uint32_t>(sizeof(buf) - headroom() - len); }

  // mirrors skb_reserve(): only on an empty buffer
  void reserve(uint32_t n) { assert(len == 0 && n <= tailroom()); data += n; }
  // mirrors skb_push(): grow at the front, return the new start
  uint8_t* push(uint32_t n) { assert(n <= headroom()); data -= n; len += n; return data; }
  // mirrors skb_pull(): drop n bytes at the front, return the new start
  uint8_t* pull(uint32_t n) { assert(n <= len); data += n; len -= n; return data; }
  // mirrors skb_put(): grow at the back, return the old tail
  uint8_t* put(uint32_t n) { assert(n <= tailroom()); uint8_t* t = data + len; len += n; return t; }
  // mirrors skb_trim()
  void trim(uint32_t n) { if (n < len) len = n; }
};

// A free list of SkBuffs. Buffers are zeroed on allocation, so no
// uninitialised byte can reach a pcap or a checksum (goldens stay stable).
class SkbPool {
 public:
  SkbPool() = default;
  SkbPool(const SkbPool&) = delete;
  SkbPool& operator=(const SkbPool&) = delete;
  ~SkbPool() = default;

  // mirrors alloc_skb(): an empty buffer with kSkbHeadroom reserved.
  SkBuff* alloc() {
    SkBuff* s = free_;
    if (s) {
      free_ = s->next;
    } else {
      chunks_.push_back(std::make_unique<SkBuff>());
      s = chunks_.back().get();
    }
    // Zero only what a previous user may have written; buf is large.
    const uint32_t used_end = s->data ? static_cast<uint32_t>(s->data - s->buf) + s->len : sizeof(s->buf);
    std::memset(s->buf, 0, used_end < sizeof(s->buf) ? used_end : sizeof(s->buf));
    s->next = nullptr;
    s->pool = this;
    s->data = s->buf + kSkbHeadroom;
    s->len = 0;
    s->mark = 0;
    s->ifindex = -1;
    s->network_header = s->transport_header = 0;
    s->tstamp = Time();
    std::memset(s->cb, 0, sizeof(s->cb));
    ++in_use_;
    return s;
  }
  // mirrors kfree_skb() / consume_skb()
  void free(SkBuff* s) {
    s->next = free_;
    free_ = s;
    --in_use_;
  }
  // A copy of `s` (bytes and metadata), like skb_copy().
  SkBuff* copy(const SkBuff& s) {
    SkBuff* c = alloc();
    c->data = c->buf + (s.data - s.buf);
    c->len = s.len;
    std::memcpy(c->data, s.data, s.len);
    c->mark = s.mark;
    c->ifindex = s.ifindex;
    c->network_header = s.network_header;
    c->transport_header = s.transport_header;
    c->tstamp = s.tstamp;
    std::memcpy(c->cb, s.cb, sizeof(c->cb));
    return c;
  }

  size_t in_use() const { return in_use_; }
  size_t allocated() const { return chunks_.size(); }

 private:
  SkBuff* free_ = nullptr;
  std::vector<std::unique_ptr<SkBuff>> chunks_;
  size_t in_use_ = 0;
};

inline void kfree_skb(SkBuff* s) {
  if (s) s->pool->free(s);
}

// A FIFO of buffers linked through SkBuff::next, like struct sk_buff_head.
struct SkbQueue {
  SkBuff* head = nullptr;
  SkBuff* tail = nullptr;
  uint32_t qlen = 0;
  uint64_t bytes = 0;

  bool empty() const { return head == nullptr; }
  void push_back(SkBuff* s) {
    s->next = nullptr;
    (tail ? tail->next : head) = s;
    tail = s;
    ++qlen;
    bytes += s->len;
  }
  SkBuff* pop_front() {
    SkBuff* s = head;
    if (!s) return nullptr;
    head = s->next;
    if (!head) tail = nullptr;
    s->next = nullptr;
    --qlen;
    bytes -= s->len;
    return s;
  }
  // mirrors __skb_queue_purge()
  void purge() {
    while (SkBuff* s = pop_front()) kfree_skb(s);
  }
};

}  // namespace sim
