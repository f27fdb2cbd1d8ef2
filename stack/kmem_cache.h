// A typed slab: fixed-size objects from a free list, like kmem_cache. Objects
// are constructed on allocation and destroyed on free; memory is kept for
// reuse, so a SYN flood does not hit the general allocator per request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace stack {

template <class T>
class KmemCache {
 public:
  explicit KmemCache(const char* name) : name_(name) {}
  KmemCache(const KmemCache&) = delete;
  KmemCache& operator=(const KmemCache&) = delete;
  ~KmemCache() = default;

  template <class... A>
  T* alloc(A&&... a) {
    if (!free_) grow();
    Slot* s = free_;
    free_ = s->next;
    ++in_use_;
    return new (s->bytes) T(std::forward<A>(a)...);
  }
  void free(T* obj) {
    obj->~T();
    Slot* s = reinterpret_cast<Slot*>(obj);
    s->next = free_;
    free_ = s;
    --in_use_;
  }
  size_t in_use() const { return in_use_; }
  size_t object_size() const { return sizeof(Slot); }
  size_t bytes_reserved() const { return chunks_.size() * kPerChunk * sizeof(Slot); }
  const char* name() const { return name_; }

 private:
  union Slot {
    Slot* next;
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  static constexpr size_t kPerChunk = 256;
  void grow() {
    chunks_.push_back(std::make_unique<Slot[]>(kPerChunk));
    Slot* c = chunks_.back().get();
    for (size_t i = kPerChunk; i-- > 0;) {
      c[i].next = free_;
      free_ = &c[i];
    }
  }
  const char* name_;
  Slot* free_ = nullptr;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  size_t in_use_ = 0;
};

}  // namespace stack
