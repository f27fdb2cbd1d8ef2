// Connection-oriented socket support shared by TCP: port allocation, the
// listen/accept queues and the request-sock timer.
// mirrors include/net/inet_connection_sock.h and net/ipv4/inet_connection_sock.c
#pragma once

#include <cstdint>

#include "stack/request_sock.h"
#include "stack/sock.h"
#include "stack/socket.h"

namespace stack {

struct net;

// mirrors inet_csk_get_port(): bind `snum` (0: pick an ephemeral port).
// Returns 0 or -EADDRINUSE.
int inet_csk_get_port(sock* sk, uint16_t snum);
// mirrors inet_csk_listen_start(): CLOSE -> LISTEN, (re)validate the port.
int inet_csk_listen_start(sock* sk);
// mirrors inet_csk_listen_stop(): reset queued children; requests stay.
void inet_csk_listen_stop(sock* sk);
// mirrors inet_csk_accept() without the wait: returns the oldest child, or
// null with *err = -EINVAL (not listening) / -EAGAIN (queue empty).
sock* inet_csk_accept(sock* sk, int flags, int* err);
// mirrors inet_csk_reqsk_queue_hash_add(): hash the request, arm its timer
// and count it in qlen/young.
void inet_csk_reqsk_queue_hash_add(sock* sk, request_sock* req, sim::Time timeout);
// mirrors inet_csk_reqsk_queue_drop(): unhash the request and stop its timer.
bool inet_csk_reqsk_queue_drop(sock* sk, request_sock* req);
void inet_csk_reqsk_queue_drop_and_put(sock* sk, request_sock* req);
// mirrors inet_csk_complete_hashdance(): the request turns into `child`.
sock* inet_csk_complete_hashdance(sock* sk, sock* child, request_sock* req, bool own_req);
// mirrors inet_csk_reqsk_queue_add(): append child to the accept FIFO; false
// if the listener stopped listening meanwhile.
bool inet_csk_reqsk_queue_add(sock* sk, request_sock* req, sock* child);
// mirrors inet_csk_clone_lock(): a child sock copied from the listener.
sock* inet_csk_clone_lock(const sock* sk, const request_sock* req);
void inet_csk_destroy_sock(sock* sk);
// mirrors inet_csk_prepare_forced_close()
void inet_csk_prepare_forced_close(sock* sk);

// Queue predicates (include/net/sock.h, include/net/inet_connection_sock.h).
// Both use '>' on 6.18: backlog N admits N+1.
inline bool sk_acceptq_is_full(const sock* sk) { return sk->sk_ack_backlog > sk->sk_max_ack_backlog; }
uint32_t inet_csk_reqsk_queue_len(const sock* sk);
uint32_t inet_csk_reqsk_queue_young(const sock* sk);
bool inet_csk_reqsk_queue_is_full(const sock* sk);

// mirrors reqsk_alloc() / reqsk_free() / reqsk_put()
request_sock* reqsk_alloc(const request_sock_ops* ops, sock* sk_listener, bool attach_listener);
void reqsk_free(request_sock* req);
void reqsk_put(request_sock* req);

// Request timer entry point (reqsk_timer_handler); exposed for tests of the
// pruning arithmetic: returns the effective max_retries for a listener with
// the given queue state.
int reqsk_timer_max_retries(int max_syn_ack_retries, uint32_t qlen, uint32_t young, uint32_t backlog);

}  // namespace stack
