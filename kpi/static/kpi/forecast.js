/* The forecast's back-test chart (Apache ECharts from static/vendor): forecast made at the
   start of each month against the actual deals. Drawn on page load and after htmx puts the
   panel into a dashboard. Data: the json_script block "forecast-chart-data". */
(function () {
  "use strict";
  var draw = function () {
    var el = document.querySelector("[data-forecast-chart]");
    var source = document.getElementById("forecast-chart-data");
    if (!el || !source || el.getAttribute("data-drawn") || typeof echarts === "undefined") { return; }
    el.setAttribute("data-drawn", "1");
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 36, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: el.getAttribute("data-label-forecast"), type: "line", data: data.forecast },
        { name: el.getAttribute("data-label-actual"), type: "bar", data: data.actual, itemStyle: { opacity: 0.6 } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  };
  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", draw);
  draw();
})();
