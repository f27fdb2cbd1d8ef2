#include "tools/report/chart.h"

#include "tools/report/html.h"

namespace netsim::report {

Chart make_chart(std::string id, std::string title, std::string x_label, std::string y_label) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.x_label = std::move(x_label);
  c.y_label = std::move(y_label);
  return c;
}

nlohmann::json to_json(const Chart& c) {
  nlohmann::json series = nlohmann::json::array();
  for (const ChartSeries& s : c.series) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : s.values) values.push_back(v ? nlohmann::json(*v) : nlohmann::json());
    series.push_back({{"label", s.label}, {"values", std::move(values)}, {"dashed", s.dashed}});
  }
  return {{"id", c.id},           {"title", c.title},   {"x_label", c.x_label},
          {"y_label", c.y_label}, {"x", c.x},           {"series", std::move(series)},
          {"x_log", c.x_log},     {"step", c.step},     {"y_from_zero", c.y_from_zero},
          {"points", c.points},   {"x_names", c.x_names},
          {"y_max", c.y_max ? nlohmann::json(*c.y_max) : nlohmann::json()}};
}

std::string chart_placeholder(const Chart& c) {
  return "<div class=\"chart\" id=\"" + html_escape(c.id) + "\" role=\"img\" aria-label=\"" +
         html_escape(c.title) + "\"></div>\n";
}

}  // namespace netsim::report
