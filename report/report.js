// Draws report.html's charts with uPlot from the JSON in #data. Every
// chart is full width, hover shows values in the legend below it, and
// dragging across a chart zooms all of them on time (double-click resets).
(function () {
  "use strict";
  var d = JSON.parse(document.getElementById("data").textContent);
  var pos = function (a) { return (a || []).map(function (v) { return v > 0 ? v : null; }); };
  var nul = function (a) { return (a || []).map(function (v) { return v < 0 ? null : v; }); };
  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a"];
  var sync = uPlot.sync("time");
  var charts = [];
  var drawn = 0;

  function width(el) { return Math.max(320, el.clientWidth || document.body.clientWidth - 40); }

  // markers: vertical lines for rate changes, pauses and stages.
  function markersPlugin() {
    return { hooks: { draw: function (u) {
      var ctx = u.ctx;
      (d.markers || []).forEach(function (m) {
        var x = u.valToPos(m.at, "x", true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) { return; }
        ctx.save();
        ctx.strokeStyle = m.kind === "pause" ? "#d62728" : (m.kind === "stage" ? "#555" : "#ff7f0e");
        ctx.setLineDash([4, 4]);
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.fillStyle = ctx.strokeStyle;
        ctx.font = (12 * devicePixelRatio) + "px system-ui, sans-serif";
        ctx.fillText(m.label, x + 4, u.bbox.top + 14 * devicePixelRatio);
        ctx.restore();
      });
    } } };
  }

  function chart(id, title, yLabel, series, data, extra) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var opts = {
      title: title, width: width(el), height: 320,
      cursor: { sync: { key: sync.key }, drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [{ label: "seconds since start" }, { label: yLabel, size: 70 }],
      series: [{ label: "s" }].concat(series),
      plugins: [markersPlugin()],
      hooks: { draw: [function () { el.dataset.drawn = "1"; }] }
    };
    if (extra) { extra(opts); }
    var u = new uPlot(opts, data, el);
    el.dataset.points = String(data[0].length);
    charts.push({ u: u, el: el });
    drawn++;
  }

  var secs = d.secs || [];
  var lat = [secs], latSeries = [];
  ["p50", "p90", "p99", "p999"].forEach(function (q, i) {
    var name = q === "p999" ? "p99.9" : q;
    lat.push(nul(d.raw[q])); latSeries.push({ label: name + " raw", stroke: palette[i], width: 2, value: fmtMs });
    lat.push(nul(d.corrected[q])); latSeries.push({ label: name + " corrected", stroke: palette[i], dash: [6, 4], width: 1.5, value: fmtMs });
  });
  function fmtMs(u, v) { return v == null ? "–" : v.toFixed(3) + " ms"; }
  chart("chart-latency", "Latency of load requests per second (solid raw, dashed corrected)", "ms", latSeries, lat, function (o) {
    o.scales.y = { distr: 3 };
  });

  chart("chart-rate", "Requested vs achieved refreshes/s (shortfall shaded)", "refreshes/s", [
    { label: "requested", stroke: "#7f7f7f", width: 2, dash: [6, 4] },
    { label: "achieved", stroke: "#1f77b4", width: 2 }
  ], [secs, d.requested, d.achieved], function (o) {
    o.bands = [{ series: [1, 2], fill: "rgba(214,39,40,0.25)", dir: 1 }];
  });

  var names = Object.keys(d.outcomes || {}).sort(function (a, b) {
    return (d.failure_outcomes[a] ? 1 : 0) - (d.failure_outcomes[b] ? 1 : 0) || a.localeCompare(b);
  });
  var acc = secs.map(function () { return 0; });
  var stacked = [secs], outSeries = [], bands = [];
  names.forEach(function (n, i) {
    var v = d.outcomes[n];
    acc = acc.map(function (a, j) { return a + (v[j] || 0); });
    stacked.push(acc.slice());
    var bad = d.failure_outcomes[n];
    var col = bad ? "#d62728" : palette[i % palette.length];
    outSeries.push({ label: n, stroke: col, fill: bad ? "rgba(214,39,40,0.6)" : col + "55", width: bad ? 2 : 1,
      value: (function (src) { return function (u, x, s, idx) { return idx == null ? "–" : String(src[idx] || 0); }; })(v) });
    if (i > 0) { bands.push({ series: [i + 1, i], fill: bad ? "rgba(214,39,40,0.6)" : col + "55" }); }
  });
  if (names.length) {
    chart("chart-outcomes", "Outcomes per second, stacked (failures red, on top)", "requests/s", outSeries, stacked, function (o) {
      o.bands = bands;
      outSeries.forEach(function (s, i) { if (i > 0) { s.fill = undefined; } });
    });
  }

  chart("chart-failures", "Failures (fail_*) per second", "requests/s", [
    { label: "failures", stroke: "#d62728", fill: "rgba(214,39,40,0.3)", width: 2 }
  ], [secs, d.failures]);

  var racePer = d.race_per_1000_per_second || [], raceN = d.race_logouts_per_second || [];
  chart("chart-race", "Race logouts per 1,000 refreshes, per second", "per 1,000", [
    { label: "race logouts per 1,000", stroke: "#9467bd", fill: "rgba(148,103,189,0.25)", width: 2,
      value: function (u, v, s, idx) { return idx == null ? "–" : v.toFixed(2) + " (" + (raceN[idx] || 0) + ")"; } }
  ], [secs, racePer]);

  // The knee: x is the requested rate, not time, so these charts are
  // neither synced nor marked.
  function knee(id, title, yLabel, series, ys, logY) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var k = d.knee;
    var opts = {
      title: title, width: width(el), height: 320,
      scales: { x: { time: false } },
      axes: [{ label: "requested refreshes/s" }, { label: yLabel, size: 70 }],
      series: [{ label: "requested/s" }].concat(series.map(function (s) {
        return Object.assign({ width: 2, points: { show: true, size: 7 } }, s);
      })),
      hooks: { draw: [function () { el.dataset.drawn = "1"; }] }
    };
    if (logY) { opts.scales.y = { distr: 3 }; }
    var u = new uPlot(opts, [k.requested].concat(ys), el);
    el.dataset.points = String(k.requested.length);
    charts.push({ u: u, el: el });
    drawn++;
  }
  if (d.knee) {
    var k = d.knee;
    knee("chart-knee-rate", "Achieved vs requested (steady rate per step)", "refreshes/s", [
      { label: "requested", stroke: "#7f7f7f", dash: [6, 4] },
      { label: "achieved", stroke: "#1f77b4" }
    ], [k.requested, k.achieved]);
    knee("chart-knee-latency", "p99 latency vs requested", "ms", [
      { label: "p99 raw", stroke: "#ff7f0e", value: fmtMs },
      { label: "p99 corrected", stroke: "#ff7f0e", dash: [6, 4], value: fmtMs }
    ], [pos(k.p99), pos(k.p99_corrected)], true);
    knee("chart-knee-race", "Race logouts per 1,000 refreshes vs requested", "per 1,000", [
      { label: "race logouts per 1,000", stroke: "#9467bd" }
    ], [k.race_per_1000]);
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.u.setSize({ width: width(c.el), height: 320 }); });
  });
  document.body.dataset.charts = String(drawn);
})();
