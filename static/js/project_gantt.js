/* Gantt-style view of a project's control points (Apache ECharts from static/vendor).
   Data: the json_script block "project-gantt-data": base date, today's offset, the axis span in
   days (at least a week), one localised date label per day of the axis, and one row per point
   with day offsets from/to, status and overdue flag. Ticks fall on whole days only. */
(function () {
  "use strict";
  var el = document.querySelector("[data-project-gantt]");
  var source = document.getElementById("project-gantt-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels || [];
  var day = function (offset) {
    var i = Math.round(offset);
    return i >= 0 && i < labels.length ? labels[i] : "";
  };
  var colour = { done: "#12b76a", in_progress: "#2e90fa", blocked: "#f79009", not_started: "#98a2b3" };
  var rows = data.rows.slice().reverse();
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
    tooltip: { formatter: function (p) { var r = rows[p.dataIndex]; return r.name + ": " + day(r.from) + " - " + day(r.to - 1); } },
    xAxis: { type: "value", min: 0, max: data.span, minInterval: 1, axisLabel: { formatter: day, hideOverlap: true } },
    yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      { type: "bar", stack: "g", silent: true, itemStyle: { color: "transparent" }, data: rows.map(function (r) { return r.from; }) },
      { type: "bar", stack: "g", data: rows.map(function (r) {
          return { value: Math.max(r.to - r.from, 1), itemStyle: { color: r.overdue ? "#f04438" : colour[r.status] } };
        }),
        markLine: { silent: true, symbol: "none", data: [{ xAxis: data.today }], lineStyle: { color: "#f04438", type: "dashed" }, label: { formatter: el.getAttribute("data-today-label") || "" } } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
