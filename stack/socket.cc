// mirrors net/socket.c (tag: docs/kernel-version.md): the system calls, the
// fd table and socket <-> file plumbing, plus the generic sock helpers of
// net/core/sock.c (SOL_SOCKET options, wake-ups, sock_init_data, refcounts)
// and datagram_poll() from net/core/datagram.c.
//
// Blocking. Linux sleeps inside the protocol (sk_wait_event(),
// inet_csk_wait_for_connect(), inet_wait_for_connect()). Here an op makes one
// attempt and returns -EAGAIN (connect: -EINPROGRESS/-EALREADY) when it would
// wait; the system call, a coroutine, then sleeps on sk->sk_wq with the
// socket's timeout (0 for an O_NONBLOCK file, else SO_RCVTIMEO/SO_SNDTIMEO)
// and calls the op again after each wake-up, once more after the timeout,
// exactly as the kernel re-checks its condition after schedule_timeout().
// SIM: no signals, so no EINTR/ERESTARTSYS.
#include "stack/socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <coroutine>
#include <cstring>
#include <vector>

#include "stack/af_inet.h"
#include "stack/inet_connection_sock.h"
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

// One poll() registration on one socket (poll_table_entry in Linux).
struct poll_table_entry {
  poll_table_entry* prev = nullptr;
  poll_table_entry* next = nullptr;
  socket* sock = nullptr;
  struct PollWait* pw = nullptr;
};

// The sleeping poll() call its entries wake.
struct PollWait {
  net* n = nullptr;
  std::coroutine_handle<> h;
  sim::Timer timer;
  bool triggered = false;  // a wake-up or the timeout has already scheduled h
  bool timed_out = false;
};

namespace {

constexpr int kSockTypeMask = 0xf;   // SOCK_TYPE_MASK
constexpr int kSockMax = 11;         // SOCK_MAX
constexpr int kNproto = 46;          // NPROTO == AF_MAX
constexpr int kSockaddrStorage = static_cast<int>(sizeof(sockaddr_storage));  // 128
constexpr int SOCK_MIN_SNDBUF = 4608;  // 2 * (2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)))
constexpr int SOCK_MIN_RCVBUF = 2304;  // 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff))
// Socket timeouts are kept in jiffies by Linux; SO_RCVTIMEO rounds up to one.
// SIM: HZ=250, the reference kernel's.
constexpr int64_t HZ = 250;
constexpr int64_t kUsecPerJiffy = 1000000 / HZ;
constexpr unsigned DEFAULT_POLLMASK = NS_POLLIN | NS_POLLOUT | NS_POLLRDNORM | NS_POLLWRNORM;
constexpr uint8_t SK_CAN_REUSE = 1;

// ---- files and fds -------------------------------------------------------------

file* fd_lookup(const net* n, int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= n->fdt.size()) return nullptr;
  file* f = n->fdt[static_cast<size_t>(fd)];
  return f && f->installed ? f : nullptr;
}

// mirrors get_unused_fd_flags(): the lowest free number; -EMFILE beyond
// RLIMIT_NOFILE. The slot stays empty until fd_install().
int get_unused_fd(net* n) {
  size_t fd = 0;
  while (fd < n->fdt.size() && n->fdt[fd]) ++fd;
  if (fd >= static_cast<size_t>(n->max_fds)) return -EMFILE;
  if (fd == n->fdt.size()) n->fdt.push_back(nullptr);
  return static_cast<int>(fd);
}

void sock_release(net* n, socket* sock);

// mirrors fput() -> __fput() -> sock_close(): the last reference releases
// the socket.
void fput(net* n, file* f) {
  if (--f->refs > 0) return;
  if (f->sock) {
    f->sock->file = nullptr;
    sock_release(n, f->sock);
  }
  n->file_cache.free(f);
}

// A counted reference to an open file for the duration of a system call
// (CLASS(fd, f) in Linux): close() from another task cannot free the socket
// under a call that sleeps.
class FileRef {
 public:
  FileRef(net* n, int fd) : n_(n), f_(fd_lookup(n, fd)) {
    if (f_) f_->refs++;
  }
  FileRef(net* n, file* f) : n_(n), f_(f) { f_->refs++; }
  ~FileRef() {
    if (f_) fput(n_, f_);
  }
  FileRef(const FileRef&) = delete;
  FileRef& operator=(const FileRef&) = delete;
  FileRef(FileRef&& o) noexcept : n_(o.n_), f_(o.f_) { o.f_ = nullptr; }
  file* get() const { return f_; }
  file* operator->() const { return f_; }
  explicit operator bool() const { return f_ != nullptr; }

 private:
  net* n_;
  file* f_;
};

// An fd number held by accept() while it waits (get_unused_fd_flags()), with
// the file it will install. Unless install() is called, the number is freed
// and the file (and its socket) released, also when the call is abandoned.
class ReservedFd {
 public:
  ReservedFd(net* n, int fd, file* f) : n_(n), fd_(fd), f_(f) {
    f_->installed = false;
    n_->fdt[static_cast<size_t>(fd_)] = f_;
  }
  ~ReservedFd() {
    if (!f_) return;
    n_->fdt[static_cast<size_t>(fd_)] = nullptr;
    fput(n_, f_);
  }
  ReservedFd(const ReservedFd&) = delete;
  ReservedFd& operator=(const ReservedFd&) = delete;
  // mirrors fd_install()
  void install() {
    f_->installed = true;
    f_ = nullptr;
  }

 private:
  net* n_;
  int fd_;
  file* f_;
};

// mirrors sock_alloc_file(): O_RDWR plus the O_NONBLOCK the caller asked for.
file* sock_alloc_file(net* n, socket* sock, int flags) {
  file* f = n->file_cache.alloc();
  f->sock = sock;
  f->f_flags = O_RDWR | (flags & O_NONBLOCK);
  sock->file = f;
  return f;
}

socket* sock_alloc(net* n) { return n->socket_cache.alloc(); }

// mirrors sock_release(): the family's release, then the socket goes.
void sock_release(net* n, socket* sock) {
  if (sock->ops) {
    sock->ops->release(sock);
    sock->sk = nullptr;
    sock->ops = nullptr;
  }
  n->socket_cache.free(sock);
}

// mirrors sock_map_fd()
int sock_map_fd(net* n, socket* sock, int flags) {
  const int fd = get_unused_fd(n);
  if (fd < 0) {
    sock_release(n, sock);
    return fd;
  }
  n->fdt[static_cast<size_t>(fd)] = sock_alloc_file(n, sock, flags);
  return fd;
}

// mirrors move_addr_to_kernel(): the length check that precedes every
// protocol check (EINVAL for < 0 or > sizeof(sockaddr_storage)).
int move_addr_to_kernel(const sockaddr* uaddr, int ulen, sockaddr_storage* kaddr) {
  if (ulen < 0 || ulen > kSockaddrStorage) return -EINVAL;
  if (ulen == 0) return 0;
  if (!uaddr) return -EFAULT;
  std::memcpy(kaddr, uaddr, static_cast<size_t>(ulen));
  return 0;
}

// mirrors move_addr_to_user(): copies at most *ulen bytes and reports the
// full length.
int move_addr_to_user(const sockaddr_storage* kaddr, int klen, sockaddr* uaddr, int* ulen) {
  if (!ulen) return -EFAULT;
  int len = *ulen;
  if (len > klen) len = klen;
  if (len < 0) return -EINVAL;
  if (len) {
    if (!uaddr) return -EFAULT;
    std::memcpy(uaddr, kaddr, static_cast<size_t>(len));
  }
  *ulen = klen;
  return 0;
}

// ---- sleeping ------------------------------------------------------------------

sim::Time deadline_after(const net* n, sim::Time timeo) {
  if (timeo == sim::Time::max() || timeo < sim::Time()) return sim::Time::max();
  return n->now() + timeo;
}

// co_await sk_sleep(n, sk, deadline): until a wake-up on sk or the deadline.
sim::WaitQueue::Waiter sk_sleep(net* n, sock* sk, sim::Time deadline) {
  const sim::Time wait = deadline == sim::Time::max() ? sim::Time::max() : deadline - n->now();
  return sk->sk_wq->wait(n->sim, wait);
}

bool in_syn_states(const sock* sk) { return sk->skc_state == TCP_SYN_SENT || sk->skc_state == TCP_SYN_RECV; }

// ---- poll registrations ------------------------------------------------------------

void poll_resume(void* addr, uint64_t) { std::coroutine_handle<>::from_address(addr).resume(); }

void poll_timeout(void* ctx, uint64_t) {
  auto* pw = static_cast<PollWait*>(ctx);
  if (pw->triggered) return;
  pw->triggered = true;
  pw->timed_out = true;
  pw->h.resume();  // a timer event of its own: not re-entrant
}

// pollwake(): the first wake-up schedules the sleeping poll(); later ones,
// before it runs, find it already triggered.
void poll_wake(socket* sock) {
  for (poll_table_entry* e = sock->poll_head; e; e = e->next) {
    PollWait* pw = e->pw;
    if (pw->triggered || !pw->h) continue;
    pw->triggered = true;
    pw->n->sim.del_timer(pw->timer);
    pw->n->sim.schedule_now(poll_resume, pw->h.address());
  }
}

// The registrations of one poll() call, and the file references they hold
// (poll_freewait() undoes both).
class PollTable {
 public:
  explicit PollTable(net* n) { pw_.n = n; }
  ~PollTable() {
    for (poll_table_entry& e : entries_) {
      (e.prev ? e.prev->next : e.sock->poll_head) = e.next;
      if (e.next) e.next->prev = e.prev;
    }
    pw_.n->sim.del_timer(pw_.timer);
  }
  PollTable(const PollTable&) = delete;
  PollTable& operator=(const PollTable&) = delete;

  void reserve(size_t k) {
    entries_.reserve(k);
    refs_.reserve(k);
  }
  // __pollwait(); the entries vector never reallocates after reserve().
  void add(net* n, file* f) {
    refs_.emplace_back(n, f);
    entries_.emplace_back();
    poll_table_entry& e = entries_.back();
    e.sock = f->sock;
    e.pw = &pw_;
    e.next = f->sock->poll_head;
    if (e.next) e.next->prev = &e;
    f->sock->poll_head = &e;
  }
  bool empty() const { return entries_.empty(); }
  PollWait& wait() { return pw_; }

 private:
  PollWait pw_;
  std::vector<poll_table_entry> entries_;
  std::vector<FileRef> refs_;
};

struct PollSleep {
  PollWait* pw;
  sim::Time deadline;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    pw->h = h;
    pw->triggered = false;
    if (deadline != sim::Time::max()) {
      sim::timer_setup(pw->timer, poll_timeout, pw);
      pw->n->sim.mod_timer(pw->timer, deadline);
    }
  }
  void await_resume() const noexcept {}
};

// ---- wake-ups ------------------------------------------------------------------------

// SIM: one wake-up for all three callbacks. Linux's sock_def_readable() wakes
// exclusive sleepers (accept()) one at a time; here every sleeper re-checks,
// and those that find nothing sleep again, so the outcome is the same.
void sk_wake(sock* sk) {
  if (sk->sk_wq) sk->sk_wq->wake_all();
  if (sk->sk_socket) poll_wake(sk->sk_socket);
}

// ---- SOL_SOCKET options (net/core/sock.c) ----------------------------------------------

// mirrors __sock_set_rcvbuf(): doubled for the sk_buff overhead, as
// getsockopt() then reports.
void sock_set_rcvbuf(sock* sk, int val) {
  val = std::min(val, INT_MAX / 2);
  sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
  sk->sk_rcvbuf = std::max(val * 2, SOCK_MIN_RCVBUF);
}

void sock_set_sndbuf(sock* sk, int val) {
  val = std::min(val, INT_MAX / 2);
  sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
  sk->sk_sndbuf = std::max(val * 2, SOCK_MIN_SNDBUF);
  sk_write_space(sk);  // wake senders if the buffer grew
}

// mirrors sock_set_timeout() for struct timeval (SO_RCVTIMEO_OLD):
// rounded up to whole jiffies; {0, 0} means forever; a negative time means
// "do not wait".
int sock_set_timeout(sim::Time* timeo, const void* optval, int optlen) {
  timeval tv;
  if (optlen < static_cast<int>(sizeof tv)) return -EINVAL;
  std::memcpy(&tv, optval, sizeof tv);
  if (tv.tv_usec < 0 || tv.tv_usec >= 1000000) return -EDOM;
  if (tv.tv_sec < 0) {
    *timeo = sim::Time();
    return 0;
  }
  // SIM: beyond ~285 years of simulated time a timeout is taken as forever
  // (Linux's limit is MAX_SCHEDULE_TIMEOUT jiffies).
  constexpr int64_t kMaxSec = INT64_MAX / 1000000000 / 2;
  *timeo = sim::Time::max();
  if ((tv.tv_sec || tv.tv_usec) && tv.tv_sec < kMaxSec) {
    const int64_t jiffies = tv.tv_sec * HZ + (tv.tv_usec + kUsecPerJiffy - 1) / kUsecPerJiffy;
    *timeo = sim::microseconds(jiffies * kUsecPerJiffy);
  }
  return 0;
}

timeval sock_get_timeout(sim::Time timeo) {
  timeval tv{};
  if (timeo == sim::Time::max()) return tv;
  const int64_t jiffies = timeo.us() / kUsecPerJiffy;
  tv.tv_sec = jiffies / HZ;
  tv.tv_usec = (jiffies % HZ) * 1000000 / HZ;
  return tv;
}

// mirrors sk_setsockopt(). Every option takes at least an int (EINVAL);
// read-only ones give ENOPROTOOPT. SIM: options this simulator does not model
// (SO_PRIORITY, SO_RCVLOWAT, timestamping, ...) give ENOPROTOOPT too.
int sock_setsockopt(socket* sock, int optname, const void* optval, int optlen) {
  struct sock* sk = sock->sk;
  net* n = sk->skc_net;
  if (optlen < static_cast<int>(sizeof(int))) return -EINVAL;
  if (!optval) return -EFAULT;
  int val;
  std::memcpy(&val, optval, sizeof val);
  const bool valbool = val != 0;
  switch (optname) {
    case SO_TYPE:
    case SO_PROTOCOL:
    case SO_DOMAIN:
    case SO_ERROR:
      return -ENOPROTOOPT;
    case SO_REUSEADDR:
      sk->skc_reuse = valbool ? SK_CAN_REUSE : 0;
      return 0;
    case SO_REUSEPORT:
      sk->skc_reuseport = valbool;
      return 0;
    case SO_BROADCAST:
      valbool ? sk->set_flag(SOCK_BROADCAST) : sk->clear_flag(SOCK_BROADCAST);
      return 0;
    case SO_SNDBUF:
      // Hints, never errors: capped at wmem_max (as an unsigned compare, so a
      // negative value becomes the cap), then doubled.
      sock_set_sndbuf(sk, static_cast<int>(std::min(static_cast<uint32_t>(val),
                                                    static_cast<uint32_t>(n->sysctl.wmem_max))));
      return 0;
    case SO_SNDBUFFORCE:
      sock_set_sndbuf(sk, std::max(val, 0));  // CAP_NET_ADMIN: the process is root
      return 0;
    case SO_RCVBUF:
      sock_set_rcvbuf(sk, static_cast<int>(std::min(static_cast<uint32_t>(val),
                                                    static_cast<uint32_t>(n->sysctl.rmem_max))));
      return 0;
    case SO_RCVBUFFORCE:
      sock_set_rcvbuf(sk, std::max(val, 0));
      return 0;
    case SO_KEEPALIVE:
      // tcp_prot.keepalive; SIM: struct proto has no keepalive member.
      if (sk->sk_prot == &tcp_prot) tcp_set_keepalive(sk, valbool);
      valbool ? sk->set_flag(SOCK_KEEPOPEN) : sk->clear_flag(SOCK_KEEPOPEN);
      return 0;
    case SO_LINGER: {
      linger ling;
      if (optlen < static_cast<int>(sizeof ling)) return -EINVAL;
      std::memcpy(&ling, optval, sizeof ling);
      if (!ling.l_onoff) {
        sk->clear_flag(SOCK_LINGER);
      } else {
        // An unsigned number of seconds; SIM: capped at INT_MAX seconds.
        const unsigned long t = static_cast<unsigned long>(static_cast<unsigned>(ling.l_linger));
        sk->sk_lingertime = t >= static_cast<unsigned long>(INT_MAX) ? INT_MAX : static_cast<int>(t);
        sk->set_flag(SOCK_LINGER);
      }
      return 0;
    }
    case SO_RCVTIMEO:
      return sock_set_timeout(&sk->sk_rcvtimeo, optval, optlen);
    case SO_SNDTIMEO:
      return sock_set_timeout(&sk->sk_sndtimeo, optval, optlen);
    default:
      return -ENOPROTOOPT;
  }
}

// mirrors sk_getsockopt(): the value is truncated to the caller's length,
// which is then set to what was copied.
int sock_getsockopt(socket* sock, int optname, void* optval, int* optlen) {
  struct sock* sk = sock->sk;
  if (!optlen) return -EFAULT;
  int len = *optlen;
  if (len < 0) return -EINVAL;
  union {
    int val;
    linger ling;
    timeval tm;
  } v;
  std::memset(&v, 0, sizeof v);
  int lv = static_cast<int>(sizeof(int));
  switch (optname) {
    case SO_BROADCAST:
      v.val = sk->flag(SOCK_BROADCAST);
      break;
    case SO_SNDBUF:
      v.val = sk->sk_sndbuf;
      break;
    case SO_RCVBUF:
      v.val = sk->sk_rcvbuf;
      break;
    case SO_REUSEADDR:
      v.val = sk->skc_reuse;
      break;
    case SO_REUSEPORT:
      v.val = sk->skc_reuseport;
      break;
    case SO_KEEPALIVE:
      v.val = sk->flag(SOCK_KEEPOPEN);
      break;
    case SO_TYPE:
      v.val = sk->sk_type;
      break;
    case SO_PROTOCOL:
      v.val = sk->sk_protocol;
      break;
    case SO_DOMAIN:
      v.val = AF_INET;  // the only family here
      break;
    case SO_ERROR:
      v.val = -sock_error(sk);
      if (v.val == 0) {
        v.val = sk->sk_err_soft;
        sk->sk_err_soft = 0;
      }
      break;
    case SO_LINGER:
      lv = static_cast<int>(sizeof v.ling);
      v.ling.l_onoff = sk->flag(SOCK_LINGER);
      v.ling.l_linger = sk->sk_lingertime;
      break;
    case SO_RCVTIMEO:
      lv = static_cast<int>(sizeof v.tm);
      v.tm = sock_get_timeout(sk->sk_rcvtimeo);
      break;
    case SO_SNDTIMEO:
      lv = static_cast<int>(sizeof v.tm);
      v.tm = sock_get_timeout(sk->sk_sndtimeo);
      break;
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
      v.val = 1;
      break;
    case SO_ACCEPTCONN:
      v.val = sk->skc_state == TCP_LISTEN;
      break;
    default:
      return -ENOPROTOOPT;
  }
  if (len > lv) len = lv;
  if (len) {
    if (!optval) return -EFAULT;
    std::memcpy(optval, &v, static_cast<size_t>(len));
  }
  *optlen = len;
  return 0;
}

}  // namespace

// ---- family registry -----------------------------------------------------------

int sock_register(net* n, const net_proto_family* ops) {
  if (ops->family < 0 || ops->family >= kNproto) return -ENOBUFS;
  if (n->net_families[static_cast<size_t>(ops->family)]) return -EEXIST;
  n->net_families[static_cast<size_t>(ops->family)] = ops;
  return 0;
}

void sock_unregister(net* n, int family) {
  if (family >= 0 && family < kNproto) n->net_families[static_cast<size_t>(family)] = nullptr;
}

namespace {

// mirrors __sock_create() (section 2): family range (EAFNOSUPPORT), type
// range (EINVAL), the PF_INET/SOCK_PACKET compatibility rewrite, an
// unregistered family (EAFNOSUPPORT), then the family's create().
int __sock_create(net* n, int family, int type, int protocol, socket** res, int kern) {
  if (family < 0 || family >= kNproto) return -EAFNOSUPPORT;
  if (type < 0 || type >= kSockMax) return -EINVAL;
  // Obsolete (PF_INET, SOCK_PACKET) means a packet socket. SIM: there is no
  // PF_PACKET family, so this ends in EAFNOSUPPORT below.
  if (family == PF_INET && type == SOCK_PACKET) family = PF_PACKET;

  socket* sock = sock_alloc(n);
  sock->type = static_cast<int16_t>(type);
  const net_proto_family* pf = n->net_families[static_cast<size_t>(family)];
  if (!pf) {
    sock_release(n, sock);
    return -EAFNOSUPPORT;
  }
  const int err = pf->create(n, sock, protocol, kern);
  if (err < 0) {
    // create() released its sock already; do not call ops->release.
    sock->sk = nullptr;
    sock->ops = nullptr;
    sock_release(n, sock);
    return err;
  }
  *res = sock;
  return 0;
}

}  // namespace

socket* sockfd_lookup(net* n, int fd, int* err) {
  file* f = fd_lookup(n, fd);
  if (!f) {
    *err = -EBADF;
    return nullptr;
  }
  if (!f->sock) {
    *err = -ENOTSOCK;
    return nullptr;
  }
  return f->sock;
}

// ---- system calls ----------------------------------------------------------------

// mirrors __sys_socket(): flags other than SOCK_NONBLOCK/SOCK_CLOEXEC in the
// type are EINVAL before anything else; the fd is allocated last (EMFILE).
int sys_socket(net* n, int family, int type, int protocol) {
  if ((type & ~kSockTypeMask) & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
  const int flags = type & ~kSockTypeMask;
  type &= kSockTypeMask;
  socket* sock = nullptr;
  const int err = __sock_create(n, family, type, protocol, &sock, 0);
  if (err < 0) return err;
  return sock_map_fd(n, sock, flags & (O_CLOEXEC | O_NONBLOCK));
}

int sys_open_file(net* n) {
  const int fd = get_unused_fd(n);
  if (fd < 0) return fd;
  file* f = n->file_cache.alloc();
  f->f_flags = O_RDWR;
  n->fdt[static_cast<size_t>(fd)] = f;
  return fd;
}

// mirrors __sys_bind(): EBADF, ENOTSOCK, the address copy (EINVAL), then the
// family's checks.
int sys_bind(net* n, int fd, const sockaddr* addr, int addrlen) {
  int err;
  socket* sock = sockfd_lookup(n, fd, &err);
  if (!sock) return err;
  sockaddr_storage address{};
  err = move_addr_to_kernel(addr, addrlen, &address);
  if (err) return err;
  return sock->ops->bind(sock, reinterpret_cast<const sockaddr*>(&address), addrlen);
}

// mirrors __sys_listen() -> __sys_listen_socket(): the backlog is clamped to
// the current somaxconn as an unsigned value, so -1 becomes somaxconn.
int sys_listen(net* n, int fd, int backlog) {
  int err;
  socket* sock = sockfd_lookup(n, fd, &err);
  if (!sock) return err;
  const unsigned somaxconn = static_cast<unsigned>(n->sysctl.somaxconn);
  if (static_cast<unsigned>(backlog) > somaxconn) backlog = static_cast<int>(somaxconn);
  return sock->ops->listen(sock, backlog);
}

// mirrors __sys_accept4() -> do_accept() (section 6): EBADF, flags (EINVAL),
// a free fd (EMFILE), ENOTSOCK, then the protocol. The wait depends on the
// *listening* file's O_NONBLOCK and SO_RCVTIMEO; SOCK_NONBLOCK only marks
// the new file. O_NONBLOCK is not inherited.
sim::Task<int> sys_accept4(net* n, int fd, sockaddr* addr, int* addrlen, int flags) {
  FileRef f(n, fd);
  if (!f) co_return -EBADF;
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) co_return -EINVAL;
  const int newfd = get_unused_fd(n);
  if (newfd < 0) co_return newfd;
  socket* sock = f->sock;
  if (!sock) co_return -ENOTSOCK;

  socket* newsock = sock_alloc(n);
  newsock->type = sock->type;
  newsock->ops = sock->ops;
  ReservedFd reserved(n, newfd, sock_alloc_file(n, newsock, flags));

  struct sock* sk = sock->sk;
  const bool nonblock = (f->f_flags & O_NONBLOCK) != 0;
  const sim::Time timeo = nonblock ? sim::Time() : sk->sk_rcvtimeo;
  const sim::Time deadline = deadline_after(n, timeo);
  int err;
  for (;;) {
    err = sock->ops->accept(sock, newsock, f->f_flags);
    if (err != -EAGAIN || timeo == sim::Time() || n->now() >= deadline) break;
    co_await sk_sleep(n, sk, deadline);
  }
  if (err == 0 && addr) {
    sockaddr_storage address{};
    const int len = newsock->ops->getname(newsock, reinterpret_cast<sockaddr*>(&address), 2);
    err = len < 0 ? -ECONNABORTED : move_addr_to_user(&address, len, addr, addrlen);
  }
  if (err < 0) co_return err;  // the reservation releases the new socket
  reserved.install();
  co_return newfd;
}

// mirrors __sys_connect() (section 14): EBADF, then the address copy
// (EINVAL for a bad length, even on a non-socket), then ENOTSOCK; then the
// protocol. A blocking connect waits, up to SO_SNDTIMEO, for the state to
// leave SYN_SENT/SYN_RECV (inet_wait_for_connect()) and then reports the
// outcome the way the next connect() would; on timeout it returns
// EINPROGRESS (or EALREADY) as Linux does.
sim::Task<int> sys_connect(net* n, int fd, const sockaddr* addr, int addrlen) {
  FileRef f(n, fd);
  if (!f) co_return -EBADF;
  sockaddr_storage address{};
  int err = move_addr_to_kernel(addr, addrlen, &address);
  if (err) co_return err;
  socket* sock = f->sock;
  if (!sock) co_return -ENOTSOCK;
  const sockaddr* kaddr = reinterpret_cast<const sockaddr*>(&address);
  err = sock->ops->connect(sock, kaddr, addrlen, f->f_flags);
  if (err != -EINPROGRESS && err != -EALREADY) co_return err;
  if (f->f_flags & O_NONBLOCK) co_return err;
  struct sock* sk = sock->sk;
  const sim::Time timeo = sk->sk_sndtimeo;
  if (timeo == sim::Time()) co_return err;
  const sim::Time deadline = deadline_after(n, timeo);
  while (in_syn_states(sk)) {
    if (n->now() >= deadline) co_return err;
    co_await sk_sleep(n, sk, deadline);
  }
  // Disconnected by someone else while we slept (Linux: sk_disconnects moved).
  if (sock->state == SS_UNCONNECTED || sock->state == SS_DISCONNECTING) co_return -EPIPE;
  if (sock->state == SS_CONNECTED) co_return 0;
  co_return sock->ops->connect(sock, kaddr, addrlen, f->f_flags);
}

// mirrors __sys_sendto() -> sock_sendmsg(). A blocking stream send keeps
// going until everything is queued; on a timeout or error it returns what was
// sent so far, if anything.
sim::Task<long> sys_sendto(net* n, int fd, const void* buf, size_t len, int flags, const sockaddr* to,
                           int tolen) {
  FileRef f(n, fd);
  if (!f) co_return -EBADF;
  socket* sock = f->sock;
  if (!sock) co_return -ENOTSOCK;
  sockaddr_storage address{};
  const sockaddr* kto = nullptr;
  if (to) {
    const int err = move_addr_to_kernel(to, tolen, &address);
    if (err < 0) co_return err;
    kto = reinterpret_cast<const sockaddr*>(&address);
  } else {
    tolen = 0;
  }
  if (f->f_flags & O_NONBLOCK) flags |= MSG_DONTWAIT;
  struct sock* sk = sock->sk;
  const sim::Time timeo = (flags & MSG_DONTWAIT) ? sim::Time() : sk->sk_sndtimeo;
  const sim::Time deadline = deadline_after(n, timeo);
  size_t done = 0;
  for (;;) {
    const long r = sock->ops->sendmsg(sock, static_cast<const char*>(buf) + done, len - done, flags, kto, tolen);
    if (r >= 0) {
      done += static_cast<size_t>(r);
      if (done >= len) co_return static_cast<long>(done);
    } else if (r != -EAGAIN) {
      co_return done ? static_cast<long>(done) : r;
    }
    if (timeo == sim::Time() || n->now() >= deadline) co_return done ? static_cast<long>(done) : -EAGAIN;
    co_await sk_sleep(n, sk, deadline);
  }
}

// mirrors __sys_recvfrom() -> sock_recvmsg(). Returns as soon as something
// was read, or, with MSG_WAITALL on a stream, when the buffer is full, at EOF
// or on an error.
sim::Task<long> sys_recvfrom(net* n, int fd, void* buf, size_t len, int flags, sockaddr* from, int* fromlen) {
  FileRef f(n, fd);
  if (!f) co_return -EBADF;
  socket* sock = f->sock;
  if (!sock) co_return -ENOTSOCK;
  if (f->f_flags & O_NONBLOCK) flags |= MSG_DONTWAIT;
  struct sock* sk = sock->sk;
  const sim::Time timeo = (flags & MSG_DONTWAIT) ? sim::Time() : sk->sk_rcvtimeo;
  const sim::Time deadline = deadline_after(n, timeo);
  const bool waitall = (flags & MSG_WAITALL) && sock->type == SOCK_STREAM && !(flags & MSG_PEEK);
  sockaddr_storage address{};
  int alen = 0;
  size_t done = 0;
  long result;
  for (;;) {
    // After the deadline the last attempt must not report "would wait" as
    // anything but EAGAIN (e.g. a shut-down datagram socket).
    const bool last = timeo == sim::Time() || n->now() >= deadline;
    const long r = sock->ops->recvmsg(sock, static_cast<char*>(buf) + done, len - done,
                                      last ? flags | MSG_DONTWAIT : flags,
                                      from ? reinterpret_cast<sockaddr*>(&address) : nullptr, &alen);
    if (r == -EAGAIN) {
      if (last) {
        result = done ? static_cast<long>(done) : -EAGAIN;
        break;
      }
      co_await sk_sleep(n, sk, deadline);
      continue;
    }
    if (r < 0) {
      result = done ? static_cast<long>(done) : r;
      break;
    }
    done += static_cast<size_t>(r);
    if (waitall && r > 0 && done < len) continue;
    result = static_cast<long>(done);
    break;
  }
  if (result >= 0 && from) {
    const int err = move_addr_to_user(&address, alen, from, fromlen);
    if (err < 0) result = err;
  }
  co_return result;
}

int sys_shutdown(net* n, int fd, int how) {
  int err;
  socket* sock = sockfd_lookup(n, fd, &err);
  if (!sock) return err;
  return sock->ops->shutdown(sock, how);
}

// mirrors close(): the fd goes at once; the socket when the last reference
// (a call still sleeping on it, a poll()) is dropped.
int sys_close(net* n, int fd) {
  file* f = fd_lookup(n, fd);
  if (!f) return -EBADF;
  n->fdt[static_cast<size_t>(fd)] = nullptr;
  fput(n, f);
  return 0;
}

// mirrors do_sock_setsockopt(): SOL_SOCKET is handled here, other levels by
// the protocol (sock_common_setsockopt -> sk_prot->setsockopt).
int sys_setsockopt(net* n, int fd, int level, int optname, const void* optval, int optlen) {
  int err;
  socket* sock = sockfd_lookup(n, fd, &err);
  if (!sock) return err;
  if (optlen < 0) return -EINVAL;
  if (level == SOL_SOCKET) return sock_setsockopt(sock, optname, optval, optlen);
  if (!sock->ops->setsockopt) return -EOPNOTSUPP;
  return sock->ops->setsockopt(sock, level, optname, optval, optlen);
}

int sys_getsockopt(net* n, int fd, int level, int optname, void* optval, int* optlen) {
  int err;
  socket* sock = sockfd_lookup(n, fd, &err);
  if (!sock) return err;
  if (level == SOL_SOCKET) return sock_getsockopt(sock, optname, optval, optlen);
  if (!sock->ops->getsockopt) return -EOPNOTSUPP;
  return sock->ops->getsockopt(sock, level, optname, optval, optlen);
}

namespace {
int getname(net* n, int fd, sockaddr* addr, int* addrlen, int peer) {
  int err;
  socket* sock = sockfd_lookup(n, fd, &err);
  if (!sock) return err;
  sockaddr_storage address{};
  const int len = sock->ops->getname(sock, reinterpret_cast<sockaddr*>(&address), peer);
  if (len < 0) return len;
  return move_addr_to_user(&address, len, addr, addrlen);
}
}  // namespace

int sys_getsockname(net* n, int fd, sockaddr* addr, int* addrlen) { return getname(n, fd, addr, addrlen, 0); }
int sys_getpeername(net* n, int fd, sockaddr* addr, int* addrlen) { return getname(n, fd, addr, addrlen, 1); }

// mirrors do_fcntl() for the status flags. F_SETFL changes only O_NONBLOCK
// and O_APPEND (SETFL_MASK); the access mode stays. SIM: no other commands.
int sys_fcntl(net* n, int fd, int cmd, long arg) {
  file* f = fd_lookup(n, fd);
  if (!f) return -EBADF;
  switch (cmd) {
    case F_GETFL:
      return f->f_flags;
    case F_SETFL: {
      constexpr int kSetflMask = O_APPEND | O_NONBLOCK;
      f->f_flags = (f->f_flags & ~kSetflMask) | (static_cast<int>(arg) & kSetflMask);
      return 0;
    }
    default:
      return -EINVAL;
  }
}

// mirrors do_sys_poll() -> do_poll(): a first pass over every fd; if none is
// ready and time is left, register on every socket and sleep until one of
// them wakes us or the timeout passes, then look again (once more after the
// timeout). A negative fd is skipped; a closed one reports POLLNVAL.
sim::Task<int> sys_poll(net* n, pollfd_sim* fds, int nfds, sim::Time timeout) {
  if (nfds < 0 || nfds > n->max_fds) co_return -EINVAL;
  const bool forever = timeout == sim::Time::max() || timeout < sim::Time();
  const sim::Time deadline = forever ? sim::Time::max() : n->now() + timeout;
  PollTable pt(n);
  bool timed_out = !forever && timeout == sim::Time();
  for (;;) {
    int count = 0;
    for (int i = 0; i < nfds; ++i) {
      pollfd_sim& p = fds[i];
      unsigned mask = 0;
      if (p.fd >= 0) {
        file* f = fd_lookup(n, p.fd);
        if (!f) {
          mask = NS_POLLNVAL;
        } else {
          mask = f->sock ? f->sock->ops->poll(f->sock) : DEFAULT_POLLMASK;
          mask &= static_cast<unsigned short>(p.events) | NS_POLLERR | NS_POLLHUP;
        }
        if (mask) ++count;
      }
      p.revents = static_cast<short>(mask);
    }
    if (count || timed_out) co_return count;
    if (pt.empty()) {
      pt.reserve(static_cast<size_t>(nfds));
      for (int i = 0; i < nfds; ++i) {
        file* f = fds[i].fd >= 0 ? fd_lookup(n, fds[i].fd) : nullptr;
        if (f && f->sock) pt.add(n, f);
      }
    }
    co_await PollSleep{&pt.wait(), deadline};
    if (pt.wait().timed_out) timed_out = true;
  }
}

// ---- generic sock helpers -------------------------------------------------------------

int sock_error(sock* sk) {
  const int err = sk->sk_err;
  if (!err) return 0;
  sk->sk_err = 0;
  return -err;
}

void sk_data_ready(sock* sk) { sk_wake(sk); }
void sk_state_change(sock* sk) { sk_wake(sk); }
void sk_write_space(sock* sk) { sk_wake(sk); }

// mirrors sock_init_data(): buffers at the core defaults, CLOSE, no
// timeouts, and the socket <-> sock links (or the sock's own wait queue when
// there is no socket yet).
void sock_init_data(socket* sock, struct sock* sk) {
  sk->sk_rcvbuf = sk->skc_net->sysctl.rmem_default;
  sk->sk_sndbuf = sk->skc_net->sysctl.wmem_default;
  sk->skc_state = TCP_CLOSE;
  sk->sk_socket = sock;
  if (sock) {
    sk->sk_type = static_cast<uint16_t>(sock->type);
    sk->sk_wq = &sock->wq;
    sock->sk = sk;
  } else {
    sk->sk_wq = &sk->sk_own_wq;
  }
  sk->sk_rcvtimeo = sim::Time::max();
  sk->sk_sndtimeo = sim::Time::max();
  sk->skc_refcnt = 1;
}

void sock_graft(sock* sk, socket* parent) {
  sk->sk_wq = &parent->wq;
  parent->sk = sk;
  sk->sk_socket = parent;
}

// SIM: Linux sets sk_wq to NULL; here an orphan keeps its own (empty) queue
// so that a late wake-up is harmless.
void sock_orphan(sock* sk) {
  sk->set_flag(SOCK_DEAD);
  sk->sk_socket = nullptr;
  sk->sk_wq = &sk->sk_own_wq;
}

void sock_hold(sock_common* sk) { sk->skc_refcnt++; }

void sock_put(sock_common* sk) {
  if (--sk->skc_refcnt > 0) return;
  if (sk->skc_is_request)
    reqsk_free(static_cast<request_sock*>(sk));
  else
    sk_free(static_cast<sock*>(sk));
}

sock* sk_alloc(net* n, const proto* prot) {
  struct sock* sk = prot->alloc(n);
  if (!sk) return nullptr;
  sk->skc_net = n;
  sk->sk_prot = prot;
  sk->skc_refcnt = 1;
  return sk;
}

void sk_free(sock* sk) {
  sk->sk_receive_queue.purge();
  sk->sk_write_queue.purge();
  sk->sk_prot->free(sk);
}

void sk_common_release(sock* sk) {
  if (sk->sk_prot->unhash) sk->sk_prot->unhash(sk);
  sock_orphan(sk);
  sock_put(sk);
}

// mirrors datagram_poll(): errors, shutdown, queued data; always writable
// (SIM: datagrams leave at once, nothing is charged to the send buffer).
unsigned datagram_poll(socket* sock) {
  const struct sock* sk = sock->sk;
  unsigned mask = 0;
  if (sk->sk_err) mask |= NS_POLLERR;
  if (sk->sk_shutdown & RCV_SHUTDOWN) mask |= NS_POLLRDHUP | NS_POLLIN | NS_POLLRDNORM;
  if (sk->sk_shutdown == SHUTDOWN_MASK) mask |= NS_POLLHUP;
  if (!sk->sk_receive_queue.empty()) mask |= NS_POLLIN | NS_POLLRDNORM;
  mask |= NS_POLLOUT | NS_POLLWRNORM | NS_POLLWRBAND;
  return mask;
}

}  // namespace stack
