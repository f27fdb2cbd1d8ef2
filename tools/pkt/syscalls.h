// System calls of a script, made on the simulated kernel: argument
// evaluation (packetdrill's syscall_*() in run_system_call.c), the call
// itself, and the check of its result, errno and out-parameters.
//
// Supported: socket, bind, listen, accept, connect, read, write, send, recv,
// close, shutdown, setsockopt, getsockopt, fcntl, poll. `...` means what
// packetdrill means: bind(fd, ..., ...) binds local_ip:bind_port,
// connect(fd, ..., ...) targets remote_ip:connect_port, buffers are zeroed
// and their contents not checked.
//
// Calls that can block in Linux (accept, connect, read/recv, write/send,
// poll) are coroutines of the simulated kernel; they run as a task of the
// host and complete in simulated time. The others complete at once.
#pragma once

#include <netinet/in.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"
#include "stack/socket.h"
#include "tools/pkt/ast.h"
#include "tools/pkt/peer.h"
#include "tools/pkt/sim_host.h"

namespace pkt {

// True if the runner knows how to make this call.
bool is_supported_syscall(const std::string& name);

// A call in progress, with the buffers the kernel writes into (they must
// stay put while the call is suspended).
struct CallInFlight {
  const Syscall* call = nullptr;
  bool done = false;
  long ret = 0;  // what the kernel returned: a value, or -errno
  sim::Time started;
  sim::Time returned;

  int script_fd = -1;  // the fd argument as written
  std::vector<uint8_t> buf;
  sockaddr_in addr{};
  int addrlen = sizeof(sockaddr_in);
  std::vector<uint8_t> optval;
  int optlen = 0;
  std::vector<stack::pollfd_sim> pollfds;
};

// Evaluates the arguments and starts the call at the current simulated
// time. nullptr, with *error, if the arguments cannot be evaluated (an
// unknown symbol, a wrong count, an unsupported call).
std::unique_ptr<CallInFlight> start_syscall(SimHost& host, Peer& peer, const Syscall& call, std::string* error);

// Once `c.done`: compares the result (and errno, and out-parameters such as
// getsockopt's value or poll's revents) with the script and applies the
// call's effect on the peer's bookkeeping (new sockets, accepted
// connections, closed fds). Returns the failure, phrased as
// "expected <call> got <what happened>", or nullopt.
std::optional<std::string> finish_syscall(Peer& peer, CallInFlight& c);

// "-1 EAGAIN", "4": a live return value the way a script writes it.
std::string format_return(long ret);

}  // namespace pkt
