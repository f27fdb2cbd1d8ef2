// netsim report pages: draws every chart described in #netsim-data with
// uPlot. The C++ writer decides what to plot; this only renders it.
// When done, body attributes data-status=ok and data-charts=N tell a headless check
// that all N charts were built; any exception shows in #netsim-error and sets
// data-status="error".
(function () {
  "use strict";

  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
  var HEIGHT = 300;

  function widthFor(el) {
    var w = el.clientWidth || 900;
    return Math.max(360, Math.min(1200, w));
  }

  function fmt(v) {
    if (v == null) return "-";
    var a = Math.abs(v);
    if (a !== 0 && (a < 0.001 || a >= 1e7)) return v.toExponential(2);
    return String(Math.round(v * 1000) / 1000);
  }

  function buildChart(spec, index) {
    var el = document.getElementById(spec.id);
    if (!el) throw new Error("no placeholder for chart " + spec.id);
    var series = [{ label: spec.x_label, value: function (u, v) {
      if (v == null) return "-";
      return spec.x_names.length ? (spec.x_names[v] || "") : fmt(v);
    } }];
    var data = [spec.x];
    spec.series.forEach(function (s, i) {
      var opts = {
        label: s.label,
        stroke: COLORS[i % COLORS.length],
        width: 1.5,
        spanGaps: false,
        value: function (u, v) { return fmt(v); },
        points: { show: spec.points }
      };
      if (s.dashed) opts.dash = [6, 4];
      if (spec.step) opts.paths = uPlot.paths.stepped({ align: 1 });
      series.push(opts);
      data.push(s.values);
    });
    var xAxis = { label: spec.x_label };
    if (spec.x_names.length) {
      xAxis.values = function (u, splits) {
        return splits.map(function (v) { return spec.x_names[v] || ""; });
      };
      xAxis.splits = function () { return spec.x.slice(); };
    }
    var xScale = { time: false };
    if (spec.x_log) { xScale.distr = 3; xScale.log = 10; }
    if (spec.x_names.length) xScale.range = function () { return [-0.5, spec.x.length - 0.5]; };
    var yScale = {};
    if (spec.y_max != null) {
      yScale.range = function () { return [0, spec.y_max]; };
    } else if (spec.y_from_zero) {
      yScale.range = function (u, min, max) {
        var hi = max == null || max <= 0 ? 1 : max * 1.08;
        return [0, hi];
      };
    }
    var opts = {
      title: spec.title,
      width: widthFor(el),
      height: HEIGHT,
      scales: { x: xScale, y: yScale },
      axes: [xAxis, { label: spec.y_label, size: 60 }],
      series: series,
      cursor: { drag: { x: true, y: false } }
    };
    return new uPlot(opts, data, el);
  }

  function showError(e) {
    document.body.setAttribute("data-status", "error");
    var box = document.getElementById("netsim-error");
    if (box) {
      box.hidden = false;
      box.textContent = "This page could not draw its charts: " + (e && e.message ? e.message : e);
    }
  }

  try {
    var payload = JSON.parse(document.getElementById("netsim-data").textContent);
    var plots = payload.charts.map(buildChart);
    window.addEventListener("resize", function () {
      plots.forEach(function (u) {
        u.setSize({ width: widthFor(u.root.parentNode), height: HEIGHT });
      });
    });
    document.body.setAttribute("data-charts", String(plots.length));
    document.body.setAttribute("data-status", "ok");
  } catch (e) {
    showError(e);
  }
})();
