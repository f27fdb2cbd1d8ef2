#include "tools/junit/run_suite.h"

namespace netsim::junit {
namespace {

std::string str(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

}  // namespace

TestSuite run_suite_json(const nlohmann::json& summary) {
  const std::string name = str(summary, "name");
  const std::string classname = "netsim.run." + name;
  TestSuite suite;
  suite.name = name;
  suite.properties = {{"scenario", str(summary, "scenario_file")}, {"seed", str(summary, "seed")}};
  const std::string status = str(summary, "expect_status");
  const auto ex = summary.find("expectations");
  if (ex != summary.end() && ex->is_array() && !ex->empty()) {
    for (const nlohmann::json& e : *ex) {
      TestCase tc;
      const std::string what = str(e, "target") + " " + str(e, "metric");
      const std::string bound = str(e, "op") + " " + str(e, "bound");
      tc.name = what + " " + bound;
      tc.classname = classname;
      if (!e.value("pass", false)) {
        tc.outcome = Outcome::kFailed;
        tc.type = "expectation";
        tc.message = what + ": measured " + str(e, "measured_text") + ", expected " + bound;
        tc.detail = "scenario: " + str(summary, "scenario_file") + "\nexpectation: " +
                    str(e, "pointer") + "\nmeasured: " + str(e, "measured_text") +
                    "\nexpected: " + bound + "\n";
      }
      suite.cases.push_back(std::move(tc));
    }
  } else if (status == "skipped") {
    TestCase tc;
    tc.name = "expectations";
    tc.classname = classname;
    tc.outcome = Outcome::kSkipped;
    tc.message = "not evaluated (--no-expect)";
    suite.cases.push_back(std::move(tc));
  } else {
    TestCase tc;
    tc.name = "run completed";
    tc.classname = classname;
    suite.cases.push_back(std::move(tc));
  }
  return suite;
}

TestSuite run_suite(const scenario::RunSummary& summary) {
  return run_suite_json(scenario::to_json(summary));
}

TestSuite error_suite(const std::string& name, const std::string& classname,
                      const std::string& message) {
  TestSuite suite;
  suite.name = name;
  TestCase tc;
  tc.name = name;
  tc.classname = classname;
  tc.outcome = Outcome::kError;
  tc.type = "error";
  tc.message = message;
  suite.cases.push_back(std::move(tc));
  return suite;
}

}  // namespace netsim::junit
