/* KPI dashboard charts (Apache ECharts from static/vendor) and the period picker.
   Data come from the json_script block "kpi-charts"; null values are gaps, never NaN. */
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=filters]");
  if (form) {
    var kind = form.querySelector("[data-kpi-kind]");
    var monthBox = form.querySelector("[data-kpi-month]");
    var weekBox = form.querySelector("[data-kpi-week]");
    var weekInput = weekBox && weekBox.querySelector("input");
    var weekDates = weekBox && weekBox.querySelector("[data-kpi-week-dates]");
    var showDates = function () {
      if (!weekInput || !weekDates) { return; }
      var m = /^(\d{4})-W(\d{2})$/.exec(weekInput.value || "");
      if (!m) { weekDates.textContent = ""; return; }
      var year = +m[1], week = +m[2];
      var jan4 = new Date(Date.UTC(year, 0, 4));
      var monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000 + (week - 1) * 7 * 86400000);
      var sunday = new Date(monday.getTime() + 6 * 86400000);
      var iso = function (d) { return d.toISOString().slice(0, 10); };
      weekDates.textContent = iso(monday) + " – " + iso(sunday);
    };
    if (kind) {
      kind.addEventListener("change", function () {
        var week = kind.value === "week";
        monthBox.hidden = week; weekBox.hidden = !week;
      });
    }
    if (weekInput) { weekInput.addEventListener("input", showDates); showDates(); }
  }
  var source = document.getElementById("kpi-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var mount = function (name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) { return; }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  };
  var pct = function (v) { return v === null || v === undefined ? "-" : (v * 100).toFixed(1) + "%"; };
  var narrow = window.innerWidth < 576;
  mount("funnel", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", sort: "none", minSize: "10%", left: narrow ? "5%" : "10%", width: narrow ? "90%" : "60%",
      label: { position: narrow ? "inside" : "right", formatter: narrow ? "{c}" : "{b}: {c}" },
      data: data.funnel.map(function (d) { return { name: d.name, value: d.value === null ? 0 : d.value }; }) }]
  });
  var counts = data.trend.series.filter(function (s) { return s.kind === "count"; });
  var money = data.trend.series.filter(function (s) { return s.kind === "money"; });
  var rates = data.trend.series.filter(function (s) { return s.kind === "rate"; });
  mount("trend-counts", {
    tooltip: { trigger: "axis" }, legend: { type: "scroll", top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.trend.labels },
    yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
    series: counts.map(function (s) { return { name: s.name, type: "line", connectNulls: false, data: s.data }; })
      .concat(money.map(function (s) { return { name: s.name, type: "bar", yAxisIndex: 1, data: s.data, itemStyle: { opacity: 0.4 } }; }))
  });
  mount("trend-rates", {
    tooltip: { trigger: "axis", valueFormatter: pct }, legend: { type: "scroll", top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.trend.labels },
    yAxis: { type: "value", axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } },
    series: rates.map(function (s) { return { name: s.name, type: "line", connectNulls: false, data: s.data }; })
  });
  data.composite.forEach(function (g) {
    mount("composite-" + g.key, {
      tooltip: { trigger: "item", valueFormatter: pct },
      series: [{ type: "pie", radius: ["35%", "70%"], label: { show: false }, data: g.data }]
    });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
