// Wires one simulated kernel (stack::net) to a host node of the simulated
// network (sim::net::Node): route lookups go to the node's FIB, packets leave
// through dev_queue_xmit(), and frames the node receives for itself go to
// ip_rcv(). This is the only place where the stack meets the device layer.
#pragma once

#include "sim/net/node.h"
#include "stack/net.h"

namespace stack {

// Installs k.link and node.local_rx. Both objects must outlive the traffic.
void attach_to_node(net& k, sim::net::Node& node);

}  // namespace stack
