// Coroutines for simulated applications: Task<T>, a lazy awaitable coroutine,
// and TaskGroup, which owns detached top-level tasks; WaitQueue, the
// wait_queue_head_t of the simulated kernel; and sleep().
//
// Rules that keep the simulation deterministic and free of re-entrancy:
// - a wake-up never resumes a coroutine inside the waker's call stack; it
//   schedules the resumption at the current time (ns-3's ScheduleNow rule);
// - a timeout is an ordinary simulator Timer;
// - every pending resumption (spawn, sleep, wake-up) is a Timer owned by the
//   suspended coroutine's frame (or its TaskGroup), so destroying a suspended
//   task also cancels its resumption: nothing can resume a destroyed frame.
#pragma once

#include <cassert>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <utility>

#include "sim/simulator.h"

namespace sim {

template <class T = void>
class Task;

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation;
  std::exception_ptr error;
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto c = h.promise().continuation;
      return c ? c : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  std::suspend_always initial_suspend() noexcept { return {}; }
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() { error = std::current_exception(); }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::PromiseBase {
    std::optional<T> value;
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    template <class U>
    void return_value(U&& v) { value.emplace(std::forward<U>(v)); }
  };
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) { destroy(); h_ = std::exchange(o.h_, {}); }
    return *this;
  }
  ~Task() { destroy(); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) noexcept {
    h_.promise().continuation = c;
    return h_;
  }
  T await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
    return std::move(*h_.promise().value);
  }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  void destroy() { if (h_) h_.destroy(); h_ = {}; }
  std::coroutine_handle<promise_type> h_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  struct promise_type : detail::PromiseBase {
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    void return_void() {}
  };
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) { destroy(); h_ = std::exchange(o.h_, {}); }
    return *this;
  }
  ~Task() { destroy(); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) noexcept {
    h_.promise().continuation = c;
    return h_;
  }
  void await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
  }

  // For TaskGroup: the raw handle and completion state.
  std::coroutine_handle<promise_type> handle() const { return h_; }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  void destroy() { if (h_) h_.destroy(); h_ = {}; }
  std::coroutine_handle<promise_type> h_;
};

// Owns top-level tasks ("processes"). spawn() starts a task at the current
// simulated time (scheduled, never inline). Tasks still suspended when the
// group dies are destroyed, running their destructors, so a server blocked in
// accept() forever does not leak; the group must die before its Simulator.
class TaskGroup {
 public:
  explicit TaskGroup(Simulator& sim) : sim_(sim) {}
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;
  ~TaskGroup() {
    // A task spawned but not yet started must not be started later.
    for (Entry& e : tasks_) sim_.del_timer(e.start);
  }  // then tasks_ destroy their frames

  void spawn(Task<void> t) {
    Entry& e = tasks_.emplace_back(std::move(t));  // deque: e stays put while its timer is pending
    timer_setup(e.start, &TaskGroup::start, e.task.handle().address());
    sim_.mod_timer(e.start, sim_.now());
  }
  // Number of spawned tasks that have run to completion.
  size_t done() const {
    size_t n = 0;
    for (auto& e : tasks_) n += e.task.handle().done();
    return n;
  }
  size_t size() const { return tasks_.size(); }
  // Rethrows the first exception that escaped a finished task, if any.
  void rethrow_errors() const {
    for (auto& e : tasks_)
      if (e.task.handle().done() && e.task.handle().promise().error)
        std::rethrow_exception(e.task.handle().promise().error);
  }

 private:
  struct Entry {
    explicit Entry(Task<void> t) : task(std::move(t)) {}
    Task<void> task;
    Timer start;
  };
  static void start(void* addr, uint64_t) { std::coroutine_handle<>::from_address(addr).resume(); }
  Simulator& sim_;
  std::deque<Entry> tasks_;
};

// mirrors wait_queue_head_t (include/linux/wait.h): coroutines wait on it,
// the stack wakes them. wake_one() is the exclusive wake-up (accept()),
// wake_all() the non-exclusive one (poll, state changes).
class WaitQueue {
 public:
  struct Waiter {
    WaitQueue* wq = nullptr;
    Simulator* sim = nullptr;
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
    std::coroutine_handle<> h;
    Timer timeout;  // the timeout while queued; the resumption once woken
    bool woken = false;
    bool queued = false;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> c) {
      h = c;
      wq->link(this);
    }
    // true if woken, false if the timeout expired first.
    bool await_resume() noexcept { return woken; }
    ~Waiter() {
      if (queued) wq->unlink(this);
      if (sim) sim->del_timer(timeout);
    }
  };

  WaitQueue() = default;
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;
  ~WaitQueue() {
    // Waiters outliving their queue would dangle; detach them.
    for (Waiter* w = head_; w; w = w->next) w->queued = false;
  }

  // co_await wq.wait(sim, timeout): suspends until woken or until `timeout`
  // elapses (Time::max() waits forever). Returns true if woken.
  Waiter wait(Simulator& sim, Time timeout) {
    Waiter w;
    w.wq = this;
    w.sim = &sim;
    if (timeout != Time::max()) {
      timer_setup(w.timeout, &WaitQueue::on_timeout, nullptr);
      w.timeout.expires = timeout;  // relative; armed in link()
    }
    return w;
  }

  void wake_one() {
    if (head_) wake(head_);
  }
  void wake_all() {
    while (head_) wake(head_);
  }
  bool empty() const { return head_ == nullptr; }

 private:
  void link(Waiter* w) {
    w->prev = tail_;
    w->next = nullptr;
    (tail_ ? tail_->next : head_) = w;
    tail_ = w;
    w->queued = true;
    if (w->timeout.fn) {
      w->timeout.ctx = w;
      w->sim->mod_timer(w->timeout, w->sim->now() + w->timeout.expires);
    }
  }
  void unlink(Waiter* w) {
    (w->prev ? w->prev->next : head_) = w->next;
    (w->next ? w->next->prev : tail_) = w->prev;
    w->prev = w->next = nullptr;
    w->queued = false;
  }
  void wake(Waiter* w) {
    unlink(w);
    w->woken = true;
    // The timeout timer becomes the resumption: re-arming it at now() both
    // cancels the timeout and queues the resume behind everything already
    // due, and ~Waiter cancels it if the frame dies first.
    timer_setup(w->timeout, &WaitQueue::resume, w->h.address());
    w->sim->mod_timer(w->timeout, w->sim->now());
  }
  static void resume(void* addr, uint64_t) { std::coroutine_handle<>::from_address(addr).resume(); }
  static void on_timeout(void* ctx, uint64_t) {
    auto* w = static_cast<Waiter*>(ctx);
    if (w->queued) w->wq->unlink(w);  // not queued: the WaitQueue died first
    w->h.resume();  // already in an event of its own: resuming here is not re-entrant
  }

  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

// co_await sleep(sim, d): resumes d later. The wake-up is a Timer inside the
// awaiter, which lives in the coroutine frame: destroying the sleeping task
// cancels it.
struct SleepAwaiter {
  Simulator& sim;
  Time d;
  Timer timer{};
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    timer_setup(timer, &SleepAwaiter::resume, h.address());
    sim.mod_timer(timer, sim.now() + d);
  }
  void await_resume() const noexcept {}
  ~SleepAwaiter() {
    if (timer_pending(timer)) sim.del_timer(timer);
  }
  static void resume(void* addr, uint64_t) { std::coroutine_handle<>::from_address(addr).resume(); }
};
inline SleepAwaiter sleep(Simulator& sim, Time d) { return SleepAwaiter{sim, d}; }

}  // namespace sim
