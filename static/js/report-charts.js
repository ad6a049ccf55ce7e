// Draws the chart beside a report table from the data the page passes through json_script.
// Without JavaScript the table (the accessible version, with the same numbers) is all there is.
(function () {
  "use strict";
  var canvas = document.getElementById("report-chart");
  if (!canvas || !window.Chart) { return; }
  var source = document.getElementById(canvas.dataset.source);
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var num = function (values) {
    return values.map(function (v) { return v === "" || v === null ? null : parseFloat(v); });
  };
  var rate = num(data.rate), low = num(data.low), high = num(data.high);

  // Interval whiskers on the horizontal bars: a line from the low to the high end of each row.
  var whiskers = {
    id: "whiskers",
    afterDatasetsDraw: function (chart) {
      if (data.kind !== "bar") { return; }
      var ctx = chart.ctx, x = chart.scales.x, meta = chart.getDatasetMeta(0);
      ctx.save();
      ctx.strokeStyle = "#212529";
      ctx.lineWidth = 1.5;
      meta.data.forEach(function (bar, i) {
        if (low[i] === null || high[i] === null) { return; }
        var y = bar.y, x1 = x.getPixelForValue(low[i]), x2 = x.getPixelForValue(high[i]);
        ctx.beginPath();
        ctx.moveTo(x1, y); ctx.lineTo(x2, y);
        ctx.moveTo(x1, y - 5); ctx.lineTo(x1, y + 5);
        ctx.moveTo(x2, y - 5); ctx.lineTo(x2, y + 5);
        ctx.stroke();
      });
      ctx.restore();
    }
  };

  var config;
  if (data.kind === "bar") {
    config = {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: "Failure rate (%)",
          data: rate,
          backgroundColor: data.small.map(function (s) { return s ? "rgba(176,42,55,0.35)" : "rgba(176,42,55,0.8)"; })
        }]
      },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { min: 0, max: 100, title: { display: true, text: "Failure rate, % (line: 95% interval)" } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) {
                var i = item.dataIndex;
                return rate[i] + "% (" + low[i] + "–" + high[i] + "%), " + data.visits[i] + " visits";
              }
            }
          }
        }
      },
      plugins: [whiskers]
    };
  } else {
    config = {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { type: "line", label: "Failure rate (%)", data: rate, yAxisID: "rate", borderColor: "#b02a37", backgroundColor: "#b02a37", spanGaps: false },
          { type: "bar", label: "Visits", data: data.visits, yAxisID: "visits", backgroundColor: "rgba(11,46,89,0.25)" }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          rate: { position: "left", min: 0, max: 100, title: { display: true, text: "Failure rate, %" } },
          visits: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "Visits" } }
        }
      }
    };
  }
  canvas.parentNode.style.height = canvas.getAttribute("height") + "px";
  new window.Chart(canvas, config);
})();
