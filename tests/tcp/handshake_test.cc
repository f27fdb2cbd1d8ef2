// End-to-end TCP over the simulated network: connect/accept, data both
// ways, close, and the counters each side keeps.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "stack/snmp.h"
#include "stack/socket.h"
#include "tests/tcp/world.h"

using namespace sim::literals;
using testing_world::addr;

namespace {

sim::Task<void> echo_server(stack::net* k, int* accepted, std::string* got) {
  const int fd = stack::sys_socket(k, AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = addr("0.0.0.0", 80);
  REQUIRE(stack::sys_bind(k, fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(stack::sys_listen(k, fd, 16) == 0);
  const int c = co_await stack::sys_accept4(k, fd, nullptr, nullptr, 0);
  *accepted = c;
  char buf[100];
  const long n = co_await stack::sys_recvfrom(k, c, buf, sizeof buf, 0, nullptr, nullptr);
  if (n > 0) {
    got->assign(buf, static_cast<size_t>(n));
    co_await stack::sys_sendto(k, c, buf, static_cast<size_t>(n), 0, nullptr, 0);
  }
  char eof[8];
  CHECK(co_await stack::sys_recvfrom(k, c, eof, sizeof eof, 0, nullptr, nullptr) == 0);
  CHECK(stack::sys_close(k, c) == 0);
  CHECK(stack::sys_close(k, fd) == 0);
}

sim::Task<void> client(stack::net* k, sim::Time* connected_at, std::string* echoed) {
  const int fd = stack::sys_socket(k, AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = addr("10.0.0.2", 80);
  const int r = co_await stack::sys_connect(k, fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  REQUIRE(r == 0);
  *connected_at = k->now();
  const char msg[] = "hello";
  CHECK(co_await stack::sys_sendto(k, fd, msg, 5, 0, nullptr, 0) == 5);
  char buf[100];
  const long n = co_await stack::sys_recvfrom(k, fd, buf, sizeof buf, 0, nullptr, nullptr);
  if (n > 0) echoed->assign(buf, static_cast<size_t>(n));
  CHECK(stack::sys_close(k, fd) == 0);
}

}  // namespace

TEST_CASE("TCP echo over a 1 ms link: handshake, data, close") {
  testing_world::TwoHosts w;
  int accepted = -1;
  std::string got, echoed;
  sim::Time connected_at;
  w.tasks.spawn(echo_server(w.server.get(), &accepted, &got));
  w.tasks.spawn(client(w.client.get(), &connected_at, &echoed));
  w.sim.run_until(sim::seconds(5));
  w.tasks.rethrow_errors();
  CHECK(accepted >= 0);
  CHECK(got == "hello");
  CHECK(echoed == "hello");
  // SYN (1 ms + 60 B at 1 Gbps) then SYN-ACK back: connected after one RTT.
  CHECK(connected_at > 2_ms);
  CHECK(connected_at < 3_ms);
  CHECK(w.client->mib[stack::TCP_MIB_ACTIVEOPENS] == 1);
  CHECK(w.server->mib[stack::TCP_MIB_PASSIVEOPENS] == 1);
  CHECK(w.server->mib[stack::TCP_MIB_OUTRSTS] == 0);
  CHECK(w.client->mib[stack::TCP_MIB_OUTRSTS] == 0);
  CHECK(w.tasks.done() == 2);
}
