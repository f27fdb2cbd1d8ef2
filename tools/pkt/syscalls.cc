#include "tools/pkt/syscalls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "sim/wire/ipv4_addr.h"
#include "tools/pkt/printer.h"
#include "tools/pkt/symbols.h"

namespace pkt {

namespace {

constexpr const char* kSupported[] = {"socket", "bind",  "listen",     "accept",     "connect",
                                      "read",   "write", "send",       "recv",       "close",
                                      "shutdown", "setsockopt", "getsockopt", "fcntl", "poll"};

// Runs a kernel coroutine to completion as a task of the host and records
// its result and return time in `c`.
template <class T>
sim::Task<void> complete_into(sim::Task<T> call, CallInFlight* c, sim::Simulator* sim) {
  const T r = co_await call;
  c->ret = static_cast<long>(r);
  c->returned = sim->now();
  c->done = true;
}

template <class T>
void run_task(SimHost& host, CallInFlight& c, sim::Task<T> t) {
  host.tasks->spawn(complete_into(std::move(t), &c, &host.sim));
}

void complete_now(SimHost& host, CallInFlight& c, long ret) {
  c.ret = ret;
  c.returned = host.sim.now();
  c.done = true;
}

// Argument helpers: each sets *error and returns false on failure.
struct Args {
  const Syscall& call;
  std::string* error;

  bool count(size_t n) const {
    if (call.args.size() == n) return true;
    *error = call.name + "() takes " + std::to_string(n) + " arguments, got " + std::to_string(call.args.size());
    return false;
  }
  bool is_ellipsis(size_t i) const { return call.args[i].kind == ExprKind::Ellipsis; }
  bool integer(size_t i, int64_t* out) const { return integer_expr(call.args[i], i, out); }
  bool integer_expr(const Expr& e, size_t i, int64_t* out) const {
    const IntValue v = evaluate_int(e);
    if (!v.value) {
      *error = "argument " + std::to_string(i + 1) + " of " + call.name + "(): " + v.error;
      return false;
    }
    *out = *v.value;
    return true;
  }
  // `[N]` (packetdrill's s32_bracketed_arg()); a bare integer is accepted too.
  bool bracketed(size_t i, int64_t* out) const {
    const Expr& e = call.args[i];
    if (e.kind == ExprKind::Array) {
      if (e.items.size() != 1) {
        *error = "argument " + std::to_string(i + 1) + " of " + call.name + "(): expected [integer]";
        return false;
      }
      return integer_expr(e.items[0], i, out);
    }
    return integer_expr(e, i, out);
  }
};

// A sockaddr_in from `{sin_family=AF_INET, sin_port=htons(8080),
// sin_addr=inet_addr("192.0.2.1")}` (sa_family is accepted for sin_family).
bool sockaddr_from_struct(const Expr& e, sockaddr_in* out, std::string* error) {
  *out = sockaddr_in{};
  out->sin_family = AF_INET;
  for (const Expr& item : e.items) {
    if (item.kind != ExprKind::Field) {
      *error = "sockaddr fields must be named, e.g. {sin_family=AF_INET, sin_port=htons(8080)}";
      return false;
    }
    const Expr& v = item.items.front();
    if (item.text == "sin_family" || item.text == "sa_family") {
      const IntValue f = evaluate_int(v);
      if (!f.value) return *error = f.error, false;
      out->sin_family = static_cast<sa_family_t>(*f.value);
    } else if (item.text == "sin_port") {
      int64_t port = 0;
      if (v.kind == ExprKind::Call && v.text == "htons" && v.args.size() == 1) {
        const IntValue p = evaluate_int(v.args[0]);
        if (!p.value) return *error = p.error, false;
        port = *p.value;
        out->sin_port = htons(static_cast<uint16_t>(port));
      } else {
        const IntValue p = evaluate_int(v);
        if (!p.value) return *error = p.error, false;
        out->sin_port = static_cast<uint16_t>(*p.value);  // as written: network order
      }
    } else if (item.text == "sin_addr") {
      if (v.kind == ExprKind::Call && v.text == "inet_addr" && v.args.size() == 1 &&
          v.args[0].kind == ExprKind::String) {
        const std::optional<uint32_t> a = sim::wire::parse_ipv4_addr(v.args[0].text);
        if (!a) return *error = "bad address \"" + v.args[0].text + "\" in inet_addr()", false;
        out->sin_addr.s_addr = htonl(*a);
      } else {
        const IntValue a = evaluate_int(v);
        if (!a.value) return *error = a.error, false;
        out->sin_addr.s_addr = htonl(static_cast<uint32_t>(*a.value));
      }
    } else {
      *error = "unknown sockaddr field '" + item.text + "'";
      return false;
    }
  }
  return true;
}

sockaddr_in make_sockaddr(uint32_t ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(ip);
  return a;
}

// {l_onoff=1, l_linger=0} or {onoff=1, linger=0}: struct linger's two ints.
bool linger_from_struct(const Expr& e, int32_t out[2], std::string* error) {
  out[0] = out[1] = 0;
  for (const Expr& item : e.items) {
    if (item.kind != ExprKind::Field) return *error = "linger fields must be named", false;
    const IntValue v = evaluate_int(item.items.front());
    if (!v.value) return *error = v.error, false;
    if (item.text == "l_onoff" || item.text == "onoff") {
      out[0] = static_cast<int32_t>(*v.value);
    } else if (item.text == "l_linger" || item.text == "linger") {
      out[1] = static_cast<int32_t>(*v.value);
    } else {
      *error = "unknown linger field '" + item.text + "'";
      return false;
    }
  }
  return true;
}

int default_protocol(int type, int protocol) {
  if (protocol != 0) return protocol;
  switch (type & 0xf) {
    case SOCK_STREAM: return IPPROTO_TCP;
    case SOCK_DGRAM: return IPPROTO_UDP;
    default: return 0;
  }
}

}  // namespace

bool is_supported_syscall(const std::string& name) {
  for (const char* s : kSupported)
    if (name == s) return true;
  return false;
}

std::string format_return(long ret) {
  if (ret >= 0) return std::to_string(ret);
  const std::string_view name = errno_name(static_cast<int>(-ret));
  return "-1 " + (name.empty() ? "errno " + std::to_string(-ret) : std::string(name));
}

std::unique_ptr<CallInFlight> start_syscall(SimHost& host, Peer& peer, const Syscall& call, std::string* error) {
  auto c = std::make_unique<CallInFlight>();
  c->call = &call;
  c->started = host.sim.now();
  stack::net* k = host.kernel.get();
  const Args a{call, error};
  const std::string& n = call.name;
  const PeerAddresses& addrs = peer.addresses();

  // The fd argument, for every call but socket() and poll().
  int fd = -1;
  if (n != "socket" && n != "poll") {
    if (call.args.empty()) {
      *error = n + "() needs a file descriptor argument";
      return nullptr;
    }
    int64_t v = 0;
    if (!a.integer(0, &v)) return nullptr;
    c->script_fd = static_cast<int>(v);
    fd = peer.live_fd(c->script_fd);
  }

  if (n == "socket") {
    if (!a.count(3)) return nullptr;
    int64_t domain = AF_INET, type = 0, protocol = 0;
    if (!a.is_ellipsis(0) && !a.integer(0, &domain)) return nullptr;
    if (!a.integer(1, &type) || !a.integer(2, &protocol)) return nullptr;
    complete_now(host, *c, stack::sys_socket(k, static_cast<int>(domain), static_cast<int>(type),
                                             static_cast<int>(protocol)));
  } else if (n == "bind" || n == "connect") {
    if (!a.count(3)) return nullptr;
    sockaddr_in addr = n == "bind" ? make_sockaddr(addrs.local_ip, addrs.bind_port)
                                   : make_sockaddr(addrs.remote_ip, addrs.connect_port);
    int64_t len = sizeof(sockaddr_in);
    bool unspec = false;
    const Expr& e = call.args[1];
    if (e.kind == ExprKind::Struct) {
      if (!sockaddr_from_struct(e, &addr, error)) return nullptr;
    } else if (e.kind != ExprKind::Ellipsis) {
      // connect(fd, AF_UNSPEC, ...): a bare family, to disconnect.
      int64_t family = 0;
      if (!a.integer(1, &family)) return nullptr;
      addr = sockaddr_in{};
      addr.sin_family = static_cast<sa_family_t>(family);
      unspec = family == AF_UNSPEC;
    }
    if (!a.is_ellipsis(2) && !a.integer(2, &len)) return nullptr;
    c->addr = addr;
    c->addrlen = static_cast<int>(len);
    const auto* sa = reinterpret_cast<const sockaddr*>(&c->addr);
    if (n == "bind") {
      complete_now(host, *c, stack::sys_bind(k, fd, sa, c->addrlen));
    } else {
      // Before the call: the SYN it sends belongs to this socket.
      peer.on_connect(c->script_fd, unspec || addr.sin_family == AF_UNSPEC);
      run_task(host, *c, stack::sys_connect(k, fd, sa, c->addrlen));
    }
  } else if (n == "listen") {
    if (!a.count(2)) return nullptr;
    int64_t backlog = 0;
    if (!a.integer(1, &backlog)) return nullptr;
    complete_now(host, *c, stack::sys_listen(k, fd, static_cast<int>(backlog)));
  } else if (n == "accept") {
    if (!a.count(3)) return nullptr;
    c->addrlen = sizeof(sockaddr_in);
    run_task(host, *c,
             stack::sys_accept(k, fd, reinterpret_cast<sockaddr*>(&c->addr), &c->addrlen));
  } else if (n == "read" || n == "recv" || n == "write" || n == "send") {
    const bool has_flags = n == "recv" || n == "send";
    if (!a.count(has_flags ? 4 : 3)) return nullptr;
    int64_t count = 0, flags = 0;
    if (!a.integer(2, &count)) return nullptr;
    if (has_flags && !a.integer(3, &flags)) return nullptr;
    if (count < 0 || count > (1 << 26)) {
      *error = "argument 3 of " + n + "(): byte count " + std::to_string(count) + " out of range";
      return nullptr;
    }
    c->buf.assign(static_cast<size_t>(count), 0);  // zeros, like packetdrill's alloc_buffer()
    const size_t len = static_cast<size_t>(count);
    if (n == "read" || n == "recv") {
      run_task(host, *c, stack::sys_recv(k, fd, c->buf.data(), len, static_cast<int>(flags)));
    } else {
      run_task(host, *c, stack::sys_send(k, fd, c->buf.data(), len, static_cast<int>(flags)));
    }
  } else if (n == "close") {
    if (!a.count(1)) return nullptr;
    complete_now(host, *c, stack::sys_close(k, fd));
  } else if (n == "shutdown") {
    if (!a.count(2)) return nullptr;
    int64_t how = 0;
    if (!a.integer(1, &how)) return nullptr;
    complete_now(host, *c, stack::sys_shutdown(k, fd, static_cast<int>(how)));
  } else if (n == "setsockopt") {
    if (!a.count(5)) return nullptr;
    int64_t level = 0, name = 0, len = 0;
    if (!a.integer(1, &level) || !a.integer(2, &name) || !a.integer(4, &len)) return nullptr;
    const Expr& v = call.args[3];
    if (v.kind == ExprKind::Struct) {
      int32_t l[2];
      if (!linger_from_struct(v, l, error)) return nullptr;
      c->optval.resize(sizeof l);
      std::memcpy(c->optval.data(), l, sizeof l);
    } else if (v.kind == ExprKind::String) {
      c->optval.assign(v.text.begin(), v.text.end());
    } else {
      int64_t x = 0;
      if (!a.bracketed(3, &x)) return nullptr;
      const auto x32 = static_cast<int32_t>(x);
      c->optval.resize(sizeof x32);
      std::memcpy(c->optval.data(), &x32, sizeof x32);
    }
    // The kernel reads optlen bytes; never let it read past our buffer.
    if (len < 0 || static_cast<size_t>(len) > c->optval.size()) c->optval.resize(len < 0 ? 0 : static_cast<size_t>(len));
    complete_now(host, *c,
                 stack::sys_setsockopt(k, fd, static_cast<int>(level), static_cast<int>(name), c->optval.data(),
                                       static_cast<int>(len)));
  } else if (n == "getsockopt") {
    if (!a.count(5)) return nullptr;
    int64_t level = 0, name = 0, len = 0;
    if (!a.integer(1, &level) || !a.integer(2, &name) || !a.bracketed(4, &len)) return nullptr;
    if (len < 0 || len > 4096) {
      *error = "getsockopt() optlen " + std::to_string(len) + " out of range";
      return nullptr;
    }
    c->optval.assign(static_cast<size_t>(len) + 1, 0);
    c->optlen = static_cast<int>(len);
    complete_now(host, *c,
                 stack::sys_getsockopt(k, fd, static_cast<int>(level), static_cast<int>(name), c->optval.data(),
                                       &c->optlen));
  } else if (n == "fcntl") {
    if (call.args.size() != 2 && call.args.size() != 3) {
      *error = "fcntl() takes 2 or 3 arguments, got " + std::to_string(call.args.size());
      return nullptr;
    }
    int64_t cmd = 0, arg = 0;
    if (!a.integer(1, &cmd)) return nullptr;
    if (call.args.size() == 3 && !a.integer(2, &arg)) return nullptr;
    complete_now(host, *c, stack::sys_fcntl(k, fd, static_cast<int>(cmd), static_cast<long>(arg)));
  } else if (n == "poll") {
    if (!a.count(3)) return nullptr;
    const Expr& fds = call.args[0];
    if (fds.kind != ExprKind::Array) {
      *error = "argument 1 of poll() must be an array of {fd=..., events=..., revents=...}";
      return nullptr;
    }
    for (const Expr& item : fds.items) {
      const Expr* f = item.kind == ExprKind::Struct ? item.field("fd") : nullptr;
      const Expr* ev = item.kind == ExprKind::Struct ? item.field("events") : nullptr;
      if (!f || !ev) {
        *error = "poll() entries must be {fd=..., events=..., revents=...}";
        return nullptr;
      }
      int64_t fdv = 0, evv = 0;
      if (!a.integer_expr(*f, 0, &fdv) || !a.integer_expr(*ev, 0, &evv)) return nullptr;
      c->pollfds.push_back(stack::pollfd_sim{peer.live_fd(static_cast<int>(fdv)), static_cast<short>(evv), 0});
    }
    int64_t nfds = 0, timeout_ms = 0;
    if (!a.integer(1, &nfds) || !a.integer(2, &timeout_ms)) return nullptr;
    if (nfds != static_cast<int64_t>(c->pollfds.size())) {
      *error = "nfds " + std::to_string(nfds) + " does not match the " + std::to_string(c->pollfds.size()) +
               "-element pollfd array";
      return nullptr;
    }
    const sim::Time timeout = timeout_ms < 0 ? sim::Time::max() : sim::milliseconds(timeout_ms);
    run_task(host, *c, stack::sys_poll(k, c->pollfds.data(), static_cast<int>(nfds), timeout));
  } else {
    *error = "unsupported system call '" + n + "'";
    return nullptr;
  }
  return c;
}

std::optional<std::string> finish_syscall(Peer& peer, CallInFlight& c) {
  const Syscall& call = *c.call;
  const std::string expected = "expected " + to_string(call);
  const bool fd_result = call.name == "socket" || call.name == "accept";

  // end_syscall(): the result, then errno.
  if (call.result.kind != ExprKind::Ellipsis) {
    const IntValue want = evaluate_int(call.result);
    if (!want.value) return expected + ": bad expected result: " + want.error;
    const long got = c.ret < 0 ? -1 : c.ret;
    const bool ok = fd_result && *want.value >= 0 ? c.ret >= 0 : got == *want.value;
    if (!ok) return expected + " got " + format_return(c.ret);
  }
  if (call.errno_name) {
    const std::optional<int> want = errno_value(*call.errno_name);
    const int got = c.ret < 0 ? static_cast<int>(-c.ret) : 0;
    if (!want || *want != got) return expected + " got " + format_return(c.ret) + " (errno differs)";
  }

  // Out-parameters and bookkeeping.
  const std::string& n = call.name;
  if (n == "getsockopt" && c.ret == 0) {
    int64_t script_len = 0;
    const IntValue len = evaluate_int(call.args[4].kind == ExprKind::Array && !call.args[4].items.empty()
                                          ? call.args[4].items[0]
                                          : call.args[4]);
    script_len = len.value.value_or(0);
    if (c.optlen != script_len)
      return expected + " got optlen " + std::to_string(c.optlen) + " (expected " + std::to_string(script_len) + ")";
    const Expr& v = call.args[3];
    if (v.kind == ExprKind::Array) {
      if (script_len != 4) return expected + ": an [integer] value needs optlen 4";
      const IntValue want = evaluate_int(v.items.size() == 1 ? v.items[0] : v);
      if (!want.value) return expected + ": " + want.error;
      int32_t got = 0;
      std::memcpy(&got, c.optval.data(), sizeof got);
      if (got != *want.value) {
        std::string shown = std::to_string(got);
        if (v.items.size() == 1 && v.items[0].kind == ExprKind::Symbol && errno_value(v.items[0].text)) {
          const std::string_view name = errno_name(got);
          if (!name.empty()) shown = std::string(name);
        }
        return expected + " got optval [" + shown + "]";
      }
    } else if (v.kind == ExprKind::Struct) {
      int32_t want[2];
      std::string err;
      if (!linger_from_struct(v, want, &err)) return expected + ": " + err;
      int32_t got[2] = {0, 0};
      std::memcpy(got, c.optval.data(), std::min<size_t>(sizeof got, static_cast<size_t>(c.optlen)));
      if (got[0] != want[0] || got[1] != want[1])
        return expected + " got optval {l_onoff=" + std::to_string(got[0]) + ", l_linger=" + std::to_string(got[1]) +
               "}";
    } else if (v.kind == ExprKind::String) {
      if (std::string(c.optval.begin(), c.optval.begin() + c.optlen) != v.text)
        return expected + " got a different optval string";
    }
  }
  if (n == "poll" && c.ret >= 0) {
    const Expr& fds = call.args[0];
    for (size_t i = 0; i < fds.items.size() && i < c.pollfds.size(); ++i) {
      const Expr* rev = fds.items[i].field("revents");
      if (!rev) continue;
      const IntValue want = evaluate_int(*rev);
      if (!want.value) return expected + ": " + want.error;
      if (c.pollfds[i].revents != static_cast<short>(*want.value))
        return expected + " got revents " + std::to_string(c.pollfds[i].revents) + " for pollfd " + std::to_string(i);
    }
  }
  if (c.ret < 0) return std::nullopt;
  if (n == "socket") {
    const IntValue want = evaluate_int(call.result);
    int64_t type = 0, protocol = 0;
    type = evaluate_int(call.args[1]).value.value_or(0);
    protocol = evaluate_int(call.args[2]).value.value_or(0);
    peer.on_socket(static_cast<int>(want.value.value_or(c.ret)), static_cast<int>(c.ret),
                   default_protocol(static_cast<int>(type), static_cast<int>(protocol)));
  } else if (n == "listen") {
    peer.on_listen(c.script_fd);
  } else if (n == "accept") {
    const IntValue want = evaluate_int(call.result);
    const Endpoint remote{ntohl(c.addr.sin_addr.s_addr), ntohs(c.addr.sin_port)};
    if (auto err = peer.on_accept(static_cast<int>(want.value.value_or(c.ret)), static_cast<int>(c.ret), remote))
      return *err;
  } else if (n == "close") {
    peer.on_close(c.script_fd);
  }
  return std::nullopt;
}

}  // namespace pkt
