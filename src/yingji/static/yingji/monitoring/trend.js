/* A point's trend: ECharts line (average) with a min–max band and the thresholds as markLines.
 * The x axis always spans the last year, so dataZoom can go from a year to a minute; whenever the
 * zoom window changes, the window is fetched again from the series endpoint, which picks raw
 * readings, 1-minute or 1-hour rollups by its length. */
(function () {
  "use strict";
  var element = document.getElementById("trend-chart");
  if (!element || !window.echarts) { return; }
  var YEAR = 365 * 24 * 3600 * 1000;
  var COLOURS = { high1: "#f59f00", low1: "#f59f00", high2: "#d63939", low2: "#d63939",
                  blue: "#206bc4", yellow: "#f5c400", orange: "#f76707", red: "#d63939" };
  var chart = echarts.init(element);
  var now = Date.now();
  var axisMin = now - YEAR;
  var request = 0;
  var timer = null;

  function thresholdLines(thresholds) {
    return thresholds.map(function (t) {
      return { yAxis: t.value, name: t.name, lineStyle: { color: COLOURS[t.name] || "#d63939", type: "dashed" },
               label: { formatter: t.name + " " + t.value, position: "insideEndTop", color: COLOURS[t.name] } };
    });
  }

  /* Axis bounds that show the data and every threshold, rounded to a tenth of the span's magnitude. */
  function niceBounds(values) {
    if (!values.length) { return { min: null, max: null }; }
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    var span = high - low || Math.abs(high) || 1;
    var step = Math.pow(10, Math.floor(Math.log10(span))) / 10;
    return { min: Math.floor((low - span * 0.05) / step) * step, max: Math.ceil((high + span * 0.05) / step) * step };
  }

  function render(payload) {
    var data = payload.data;
    var lows = data.map(function (b) { return [b[0], b[1]]; });
    var spans = data.map(function (b) { return [b[0], b[3] - b[1]]; });
    var avgs = data.map(function (b) { return [b[0], b[2]]; });
    var values = payload.thresholds.map(function (t) { return t.value; });
    data.forEach(function (b) { values.push(b[1], b[3]); });
    chart.setOption({
      yAxis: niceBounds(values),
      series: [
        { id: "low", data: lows },
        { id: "band", data: spans },
        { id: "avg", data: avgs, markLine: { symbol: "none", silent: true, data: thresholdLines(payload.thresholds) } }
      ],
      graphic: data.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: element.dataset.labelEmpty, fill: "#888" } }]
    });
    element.dataset.points = String(data.length);
    element.dataset.resolution = payload.resolution;
    const label = document.getElementById("trend-resolution");
    label.textContent = label.dataset[payload.resolution] || payload.resolution;
  }

  function load(start, end) {
    var mine = ++request;
    var url = element.dataset.seriesUrl + "?start=" + encodeURIComponent(new Date(start).toISOString()) +
      "&end=" + encodeURIComponent(new Date(end).toISOString());
    element.dataset.loading = "1";
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (payload) { if (mine === request) { render(payload); } })
      .catch(function () { if (mine === request) { element.dataset.points = "0"; } })
      .finally(function () { if (mine === request) { element.dataset.loading = "0"; } });
  }

  function zoomTo(span) {
    var end = Date.now();
    chart.dispatchAction({ type: "dataZoom", startValue: end - span, endValue: end });
  }

  chart.setOption({
    animation: false,
    grid: { left: 50, right: 24, top: 36, bottom: 70 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time", min: axisMin, max: now },
    yAxis: { type: "value", scale: true, name: element.dataset.unit,
             axisLabel: { formatter: function (v) { return String(Number(v.toPrecision(6))); } } },
    dataZoom: [
      { type: "inside", filterMode: "none", startValue: now - 24 * 3600 * 1000, endValue: now, minValueSpan: 60 * 1000 },
      { type: "slider", filterMode: "none", bottom: 15, minValueSpan: 60 * 1000 }
    ],
    series: [
      { id: "low", type: "line", stack: "band", symbol: "none", lineStyle: { opacity: 0 }, data: [], tooltip: { show: false } },
      { id: "band", name: element.dataset.labelBand, type: "line", stack: "band", symbol: "none", lineStyle: { opacity: 0 },
        areaStyle: { color: "rgba(32,107,196,0.2)" }, data: [], tooltip: { show: false } },
      { id: "avg", name: element.dataset.labelAvg, type: "line", symbol: "none", showSymbol: false, color: "#206bc4", data: [] }
    ]
  });

  chart.on("datazoom", function () {
    var zoom = chart.getOption().dataZoom[0];
    clearTimeout(timer);
    timer = setTimeout(function () { load(zoom.startValue, zoom.endValue); }, 250);
  });
  document.querySelectorAll("#trend-spans [data-span]").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll("#trend-spans .active").forEach(function (b) { b.classList.remove("active"); });
      button.classList.add("active");
      zoomTo(Number(button.dataset.span) * 1000);
    });
  });
  window.addEventListener("resize", function () { chart.resize(); });
  load(now - 24 * 3600 * 1000, now);
})();
