// The dashboard's charts (Apache ECharts with its built-in ZH and EN locales): drawn from the rows the page
// embeds as JSON, the same rows its tables show. Each chart follows its box when the window resizes.
(function () {
  "use strict";

  function rate(value) { return value === null || value === undefined ? null : value; }

  function percent(value) { return value === null || value === undefined ? "—" : value.toFixed(2) + "%"; }

  function narrow() { return window.matchMedia("(max-width: 575.98px)").matches; }

  function monthChart(data) {
    var L = data.labels, rows = data.month;
    return {
      tooltip: {trigger: "axis"},
      legend: {bottom: 0, data: [L.received, L.resolved, L.resolution_rate]},
      grid: {left: 8, right: 8, top: 32, bottom: 32, containLabel: true},
      xAxis: {type: "category", data: rows.map(function (r) { return r.key; })},
      yAxis: [{type: "value", name: L.cases, minInterval: 1},
              {type: "value", name: "%", min: 0, max: 100, splitLine: {show: false}}],
      series: [
        {name: L.received, type: "bar", data: rows.map(function (r) { return r.received; })},
        {name: L.resolved, type: "bar", data: rows.map(function (r) { return r.resolved; })},
        {name: L.resolution_rate, type: "line", yAxisIndex: 1, connectNulls: true,
         data: rows.map(function (r) { return rate(r.resolution_rate); }),
         tooltip: {valueFormatter: percent}}
      ]
    };
  }

  function tierChart(data) {
    var L = data.labels, order = ["grid", "village", "town", "county"];
    var rows = data.tier.slice().sort(function (a, b) { return order.indexOf(a.key) - order.indexOf(b.key); });
    return {
      tooltip: {trigger: "axis"},
      grid: {left: 8, right: 8, top: 36, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: rows.map(function (r) { return data.tier_names[r.key] || r.key; })},
      yAxis: {type: "value", minInterval: 1},
      series: [{
        name: L.resolved, type: "bar", label: {show: true, position: "top"},
        data: rows.map(function (r) {
          var grassroots = r.key === "grid" || r.key === "village";
          return {value: r.resolved, itemStyle: {color: grassroots ? "#198754" : "#6c757d"}};
        })
      }]
    };
  }

  function unitChart(data) {
    var L = data.labels, rows = data.unit.slice().reverse();
    return {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, valueFormatter: percent},
      grid: {left: 8, right: 60, top: 8, bottom: 8, containLabel: true},
      xAxis: {type: "value", min: 0, max: 100, splitNumber: narrow() ? 2 : 5, axisLabel: {formatter: "{value}%"}},
      yAxis: {type: "category", data: rows.map(function (r) { return r.label || r.key; }),
              axisLabel: {width: narrow() ? 96 : 180, overflow: "truncate"}},
      series: [{name: L.on_time_rate, type: "bar", data: rows.map(function (r) { return rate(r.on_time_rate); }),
                label: {show: true, position: "right", formatter: function (p) { return percent(p.value); }}}]
    };
  }

  function typeChart(data) {
    var rows = data.dispute_type;
    return {
      tooltip: {trigger: "item", formatter: "{b}: {c} ({d}%)"},
      legend: {type: "scroll", bottom: 0},
      series: [{
        name: data.labels.received, type: "pie", radius: narrow() ? ["30%", "60%"] : ["35%", "65%"],
        center: ["50%", "45%"], avoidLabelOverlap: true, label: {show: !narrow()},
        data: rows.map(function (r) { return {name: r.key || data.not_recorded, value: r.received}; })
      }]
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var charts = {"chart-month": [monthChart, data.month], "chart-tier": [tierChart, data.tier],
                  "chart-unit": [unitChart, data.unit], "chart-type": [typeChart, data.dispute_type]};
    var drawn = [];
    Object.keys(charts).forEach(function (id) {
      var el = document.getElementById(id), make = charts[id][0], rows = charts[id][1];
      if (!el) return;
      if (!rows.length) {
        el.classList.add("chart-empty");
        el.textContent = data.labels.empty;
        return;
      }
      if (id === "chart-unit") el.style.height = Math.max(240, rows.length * 28 + 40) + "px";
      var chart = window.echarts.init(el, null, {locale: data.locale, renderer: "canvas"});
      chart.setOption(make(data));
      drawn.push([chart, make]);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        drawn.forEach(function (pair) { pair[0].setOption(pair[1](data)); pair[0].resize(); });
      }, 100);
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
