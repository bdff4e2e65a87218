// Ledger charts: each [data-ledger-chart] names the json_script element holding its data
// ({months: [...], series: [{name, data}], unit}). No inline scripts (CSP).
(function () {
  "use strict";
  function draw(el) {
    if (!window.echarts || el.dataset.drawn) { return; }
    var source = document.getElementById(el.getAttribute("data-ledger-chart"));
    if (!source) { return; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    el.dataset.drawn = "1";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: ["#1f6b3a", "#9aa5b1", "#d08c2c"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toLocaleString() + " " + data.unit; } },
      legend: { top: 0 },
      grid: { left: 8, right: 12, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: data.unit, nameTextStyle: { align: "left" } },
      series: data.series.map(function (s, i) {
        return { name: s.name, type: i === 0 ? "bar" : "line", data: s.data, connectNulls: false, smooth: false };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init(root) { root.querySelectorAll("[data-ledger-chart]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
