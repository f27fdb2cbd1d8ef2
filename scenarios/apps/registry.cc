// The applications a scenario can name in "app". To add one, write a file
// that defines its AppDef (see server.cc for the shape) and list it here.
#include "scenarios/apps/app.h"

namespace scenario::apps {

extern const AppDef server_app;
extern const AppDef client_app;
extern const AppDef syn_flood_app;

namespace {
constexpr const AppDef* kApps[] = {&server_app, &client_app, &syn_flood_app};
}  // namespace

const AppDef* find_app(std::string_view type) {
  for (const AppDef* a : kApps)
    if (a->type == type) return a;
  return nullptr;
}

std::vector<std::string_view> app_types() {
  std::vector<std::string_view> out;
  for (const AppDef* a : kApps) out.push_back(a->type);
  return out;
}

}  // namespace scenario::apps
