// netsim sweep: the grid runner lives in //tools/report (sweep_main.h), next
// to the sweep.csv / sweep.html writers it feeds, so that it can be tested
// against a stand-in for `netsim run`.
#include <string>
#include <vector>

#include "tools/commands.h"
#include "tools/report/sweep_main.h"

namespace netsim {

int cmd_sweep(const std::vector<std::string>& args) { return report::sweep_main(args); }

}  // namespace netsim
