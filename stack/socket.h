// The BSD socket layer's objects and ops tables, and the system calls that
// simulated applications (and the packetdrill runner) make.
// mirrors include/linux/net.h (struct socket, struct proto_ops,
// struct net_proto_family) and include/net/sock.h (struct proto).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "sim/task.h"
#include "stack/sock.h"

namespace stack {

struct net;
struct poll_table_entry;

// mirrors struct socket (include/linux/net.h)
struct socket {
  socket_state state = SS_UNCONNECTED;
  int16_t type = 0;
  const proto_ops* ops = nullptr;
  sock* sk = nullptr;
  struct file* file = nullptr;
  sim::WaitQueue wq;
  // SIM: poll() sleepers. Linux puts them on `wq` with a callback entry
  // (pollwake); a sim::WaitQueue entry resumes exactly one coroutine, so the
  // entries of a poll() over several sockets hang here instead, and the
  // sk_data_ready()/sk_state_change()/sk_write_space() wake-ups reach both.
  poll_table_entry* poll_head = nullptr;
};

// An open file description. Sockets, plus plain non-socket files standing in
// for the process's stdio (fds 0-2, open at boot) and sys_open_file().
struct file {
  socket* sock = nullptr;  // null: not a socket (ENOTSOCK)
  int f_flags = 0;  // O_NONBLOCK, O_RDWR
  int refs = 1;
  // False while accept() holds the fd number reserved but has not installed
  // the file yet (get_unused_fd_flags() before fd_install()).
  bool installed = true;
};

// Poll bits, as in include/uapi/asm-generic/poll.h
enum : unsigned { NS_POLLIN = 0x1, NS_POLLPRI = 0x2, NS_POLLOUT = 0x4, NS_POLLERR = 0x8, NS_POLLHUP = 0x10,
                  NS_POLLNVAL = 0x20, NS_POLLRDNORM = 0x40, NS_POLLWRNORM = 0x100, NS_POLLWRBAND = 0x200,
                  NS_POLLRDHUP = 0x2000 };

// mirrors struct proto_ops: the API-facing half of a protocol.
// SIM: operations that may sleep in Linux are split. The op makes one attempt
// and returns -EAGAIN when it would have to wait; the syscall layer
// (socket.cc) sleeps on sk->sk_wq in simulated time and retries, which is
// what sk_wait_event() does in the kernel.
struct proto_ops {
  int family;
  int (*release)(socket* sock);
  int (*bind)(socket* sock, const sockaddr* addr, int addrlen);
  int (*connect)(socket* sock, const sockaddr* addr, int addrlen, int flags);
  int (*accept)(socket* sock, socket* newsock, int flags);
  int (*getname)(socket* sock, sockaddr* addr, int peer);
  unsigned (*poll)(socket* sock);
  int (*listen)(socket* sock, int backlog);
  int (*shutdown)(socket* sock, int how);
  int (*setsockopt)(socket* sock, int level, int optname, const void* optval, int optlen);
  int (*getsockopt)(socket* sock, int level, int optname, void* optval, int* optlen);
  long (*sendmsg)(socket* sock, const void* buf, size_t len, int flags, const sockaddr* to, int tolen);
  long (*recvmsg)(socket* sock, void* buf, size_t len, int flags, sockaddr* from, int* fromlen);
};

// mirrors struct proto: the transport-protocol half.
struct proto {
  const char* name;
  sock* (*alloc)(net* n);       // sk_alloc() of the protocol's object size
  void (*free)(sock* sk);       // the matching sk_free()
  int (*init)(sock* sk);
  void (*close)(sock* sk, long timeout);
  int (*connect)(sock* sk, const sockaddr* addr, int addrlen);
  int (*disconnect)(sock* sk, int flags);
  int (*setsockopt)(sock* sk, int level, int optname, const void* optval, int optlen);
  int (*getsockopt)(sock* sk, int level, int optname, void* optval, int* optlen);
  long (*sendmsg)(sock* sk, const void* buf, size_t len, int flags, const sockaddr* to, int tolen);
  long (*recvmsg)(sock* sk, void* buf, size_t len, int flags, sockaddr* from, int* fromlen);
  void (*shutdown)(sock* sk, int how);
  void (*unhash)(sock* sk);
  int (*get_port)(sock* sk, uint16_t snum);
};

// mirrors struct net_proto_family: what sock_register() installs.
struct net_proto_family {
  int family;
  int (*create)(net* n, socket* sock, int protocol, int kern);
};

// mirrors sock_register(): install a family's create() in net_families[].
// Returns 0, -ENOBUFS (family out of range) or -EEXIST.
int sock_register(net* n, const net_proto_family* ops);
void sock_unregister(net* n, int family);

// ---- system calls (net/socket.c) -------------------------------------------
// Each returns what the Linux system call returns, with -errno for errors.
// The calls that can block are coroutines; on a non-blocking file they
// complete without suspending. A blocked call holds a reference on its file,
// so close() from another task does not free the socket under it (as in
// Linux); destroy the tasks (their TaskGroup) before their net.
int sys_socket(net* n, int family, int type, int protocol);
int sys_bind(net* n, int fd, const sockaddr* addr, int addrlen);
int sys_listen(net* n, int fd, int backlog);
sim::Task<int> sys_accept4(net* n, int fd, sockaddr* addr, int* addrlen, int flags);
sim::Task<int> sys_connect(net* n, int fd, const sockaddr* addr, int addrlen);
sim::Task<long> sys_sendto(net* n, int fd, const void* buf, size_t len, int flags, const sockaddr* to, int tolen);
sim::Task<long> sys_recvfrom(net* n, int fd, void* buf, size_t len, int flags, sockaddr* from, int* fromlen);
int sys_shutdown(net* n, int fd, int how);
int sys_close(net* n, int fd);
int sys_setsockopt(net* n, int fd, int level, int optname, const void* optval, int optlen);
int sys_getsockopt(net* n, int fd, int level, int optname, void* optval, int* optlen);
int sys_getsockname(net* n, int fd, sockaddr* addr, int* addrlen);
int sys_getpeername(net* n, int fd, sockaddr* addr, int* addrlen);
int sys_fcntl(net* n, int fd, int cmd, long arg);
// Opens a file that is not a socket (as open("/dev/null") would), so that the
// ENOTSOCK cases of the socket calls can be exercised.
int sys_open_file(net* n);

// The short forms, as libc defines them over the calls above.
inline sim::Task<int> sys_accept(net* n, int fd, sockaddr* addr, int* addrlen) {
  return sys_accept4(n, fd, addr, addrlen, 0);
}
inline sim::Task<long> sys_send(net* n, int fd, const void* buf, size_t len, int flags) {
  return sys_sendto(n, fd, buf, len, flags, nullptr, 0);
}
inline sim::Task<long> sys_recv(net* n, int fd, void* buf, size_t len, int flags) {
  return sys_recvfrom(n, fd, buf, len, flags, nullptr, nullptr);
}
inline sim::Task<long> sys_write(net* n, int fd, const void* buf, size_t len) {
  return sys_sendto(n, fd, buf, len, 0, nullptr, 0);
}
inline sim::Task<long> sys_read(net* n, int fd, void* buf, size_t len) {
  return sys_recvfrom(n, fd, buf, len, 0, nullptr, nullptr);
}

struct pollfd_sim {
  int fd;
  short events;
  short revents;
};
// Waits up to `timeout` (Time::max(): forever) for any of fds to be ready.
sim::Task<int> sys_poll(net* n, pollfd_sim* fds, int nfds, sim::Time timeout);

// Socket-level helpers shared by the protocols.
socket* sockfd_lookup(net* n, int fd, int* err);
// mirrors sock_error(): returns and clears sk_err as -errno.
int sock_error(sock* sk);
// mirrors sock_def_readable() / sock_def_wakeup(): wake sleepers on sk.
void sk_data_ready(sock* sk);
void sk_state_change(sock* sk);
void sk_write_space(sock* sk);
// mirrors sock_init_data(): socket <-> sock wiring and buffer defaults.
void sock_init_data(socket* sock_, sock* sk);
// mirrors sock_graft(): give an accepted child its socket.
void sock_graft(sock* sk, socket* parent);
// mirrors sock_orphan()
void sock_orphan(sock* sk);
void sock_hold(sock_common* sk);
// Drops a reference; the last one frees the object: sk_free() for a full
// sock, reqsk_free() for a request sock (sock_gen_put()).
void sock_put(sock_common* sk);
// mirrors sk_alloc(): prot->alloc() plus the fields every sock starts with
// (net, prot, refcount 1). Returns null only if prot->alloc does.
sock* sk_alloc(net* n, const proto* prot);
// mirrors sk_free() -> __sk_destruct(): purges the generic queues and hands
// the object back to prot->free. Use sock_put(); this is its last step.
void sk_free(sock* sk);
// mirrors sk_common_release(): the close() of the simple protocols (UDP,
// raw, ping) and the error path of inet_create(): unhash, orphan, put.
void sk_common_release(sock* sk);
// Poll bits of a datagram socket (datagram_poll(), net/core/datagram.c).
unsigned datagram_poll(socket* sock);

}  // namespace stack
