// The leaders' dashboard: draws the ECharts charts of each panel once htmx has swapped it in.
// Chart data comes from <script type="application/json"> blocks written by Django's json_script; an
// element with data-chart="<id of that block>" becomes the chart. No inline script (CSP).
(function () {
  "use strict";
  var charts = [];

  function total(spec) {
    if (spec.type === "pie") { return spec.data.reduce(function (s, d) { return s + (d.value || 0); }, 0); }
    if (spec.type === "gauge") { return 1; }
    return spec.series.reduce(function (s, serie) {
      return s + serie.data.reduce(function (a, v) { return a + (v || 0); }, 0);
    }, 0);
  }

  function pieOption(spec) {
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: spec.legend === false ? { show: false } : { bottom: 0 },
      series: [{
        type: "pie", name: spec.name, radius: ["38%", "68%"], center: ["50%", spec.legend === false ? "50%" : "45%"],
        label: { formatter: "{c}" },
        data: spec.data.map(function (d) { return { name: d.name, value: d.value, itemStyle: { color: d.color } }; })
      }]
    };
  }

  function gaugeOption(spec) {
    return {
      series: [{
        type: "gauge", min: 0, max: spec.max || 100, startAngle: 200, endAngle: -20, radius: "95%",
        center: ["50%", "60%"], progress: { show: true, width: 12, itemStyle: { color: spec.color } },
        axisLine: { lineStyle: { width: 12 } }, axisTick: { show: false }, splitLine: { show: false },
        axisLabel: { show: false }, pointer: { show: false }, anchor: { show: false },
        title: { show: false },
        detail: { valueAnimation: false, offsetCenter: [0, "10%"], fontSize: 22, formatter: "{value}%" },
        data: [{ value: spec.value, name: spec.name }]
      }]
    };
  }

  function barOption(spec) {
    var category = { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var value = { type: "value" };
    if (spec.integer) { value.minInterval = 1; }
    if (spec.percent) { value.max = 100; }
    var series = spec.series.map(function (s, i) {
      var serie = { type: "bar", name: s.name, data: s.data, itemStyle: { color: s.color }, barMaxWidth: 28 };
      if (spec.stacked) { serie.stack = "total"; }
      if (i === 0 && spec.markLine) {
        var line = {}; line[spec.horizontal ? "xAxis" : "yAxis"] = spec.markLine; line.name = spec.markLineName;
        serie.markLine = {
          symbol: "none", lineStyle: { color: "#d62728" }, data: [line],
          // The category axis is inverted on horizontal charts: "start" is the top of the line there.
          label: { formatter: "{b} {c}", position: spec.horizontal ? "start" : "end" }
        };
      }
      return serie;
    });
    if (spec.horizontal) {
      category.inverse = true;  // the first category on top, as in the tables
      category.axisLabel.width = 90; category.axisLabel.overflow = "truncate";
    }
    if (!spec.horizontal) { category.axisLabel.rotate = spec.categories.length > 8 ? 45 : 0; }
    if (spec.horizontal && spec.markLine) { value.max = function (v) { return Math.max(v.max, spec.markLine); }; }
    var legend = spec.series.length > 1 && spec.legend !== false;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      // A plain legend wraps on a phone; the grid leaves it room at the bottom.
      legend: legend ? { bottom: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 11 } } : { show: false },
      grid: { left: 8, right: 24, top: 16, bottom: legend ? 48 : 8, containLabel: true },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? category : value,
      series: series
    };
  }

  function optionFor(spec) {
    if (spec.type === "pie") { return pieOption(spec); }
    if (spec.type === "gauge") { return gaugeOption(spec); }
    return barOption(spec);
  }

  function prune() {
    charts = charts.filter(function (chart) {
      if (document.body.contains(chart.getDom())) { return true; }
      chart.dispose();
      return false;
    });
  }

  function initCharts(root) {
    if (!window.echarts) { return; }
    prune();
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartBound) { return; }
      // Hidden at this width (e.g. the gauges on a phone): drawn when a resize shows it.
      if (!el.clientWidth) { return; }
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      el.dataset.chartBound = "1";
      var spec = JSON.parse(source.textContent);
      if (!total(spec)) {
        el.classList.add("go-chart-empty");
        el.textContent = el.getAttribute("data-empty") || "—";
        return;
      }
      if (spec.horizontal && spec.categories.length > 6) {
        // One bar row per category (district): the chart grows with them instead of squeezing them.
        el.style.height = Math.min(1600, 60 + spec.categories.length * 24) + "px";
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      var option = optionFor(spec);
      // Someone who asked their system for less motion gets the chart drawn at once.
      if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) { option.animation = false; }
      chart.setOption(option);
      charts.push(chart);
    });
  }

  var resizeTimer = null;
  function resizeAll() {
    initCharts(document);
    charts.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(resizeAll, 150);
  });
  // Printing changes the page width: redraw at the printed width, and back afterwards.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);

  document.addEventListener("DOMContentLoaded", function () {
    initCharts(document);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
  document.addEventListener("htmx:afterSwap", function (e) { initCharts(e.target); });

  // A session that expired gets the log-in page back through a redirect: open it as the page instead
  // of drawing it inside a card.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var panel = e.detail.elt;
    var xhr = e.detail.xhr;
    if (!panel || !panel.hasAttribute("data-panel") || !xhr || !xhr.responseURL) { return; }
    var requested = new URL(panel.getAttribute("hx-get"), window.location.href).pathname;
    if (new URL(xhr.responseURL).pathname !== requested) {
      e.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    }
  });

  // A panel that fails says so in its own card; the others are unaffected.
  function panelFailed(e) {
    var panel = e.detail.elt;
    if (!panel || !panel.hasAttribute("data-panel")) { return; }
    var template = document.getElementById("go-panel-error");
    if (!template) { return; }
    panel.replaceChildren(template.content.cloneNode(true));
    var retry = panel.querySelector("[data-panel-retry]");
    if (retry) {
      retry.addEventListener("click", function () {
        window.htmx.ajax("GET", panel.getAttribute("hx-get"), { target: panel, swap: "innerHTML" });
      });
    }
  }
  document.addEventListener("htmx:responseError", panelFailed);
  document.addEventListener("htmx:sendError", panelFailed);
})();
