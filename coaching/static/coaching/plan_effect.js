/* Coaching plan page: the before/after effect chart (ECharts), fed by the json_script block. */
(function () {
  var data = JSON.parse(document.getElementById("effect-data").textContent);
  var el = document.getElementById("effect-chart");
  if (!window.echarts || !el) { return; }
  var chart = echarts.init(el);
  var anyRate = data.series.some(function (s) { return s.is_rate; });
  var anyCount = data.series.some(function (s) { return !s.is_rate; });
  var series = data.series.map(function (s, i) {
    var item = {name: s.name, type: s.is_rate ? "line" : "bar", data: s.is_rate ? s.data.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; }) : s.data,
      yAxisIndex: s.is_rate && anyCount ? 1 : 0, connectNulls: true};
    if (i === 0) {
      item.markArea = {silent: true, itemStyle: {color: "rgba(13,110,253,0.06)"}, label: {position: "insideTop", color: "#6c757d"},
        data: [[{name: data.after_label, xAxis: data.labels[data.start_index]}, {xAxis: data.labels[data.labels.length - 1]}]]};
    }
    return item;
  });
  var yAxis = [{type: "value", max: anyCount ? null : 100}];
  if (anyRate && anyCount) { yAxis.push({type: "value", max: 100, axisLabel: {formatter: "{value}%"}}); }
  else if (anyRate) { yAxis[0].axisLabel = {formatter: "{value}%"}; }
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 40, right: 44, top: 44, bottom: 24},
    xAxis: {type: "category", data: data.labels}, yAxis: yAxis, series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
