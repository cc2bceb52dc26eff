// Draws each <canvas class="report-chart" data-chart='{"type", "labels", "datasets"}'>
// with Chart.js. The table beside every chart carries the same numbers as text.
(function () {
  var colors = ["#c2410c", "#1f3b73", "#16824a", "#a35f00", "#7c3aed", "#0e7490"];
  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    canvas.dataset.drawn = "1";
    var spec = JSON.parse(canvas.dataset.chart);
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          return Object.assign({ borderColor: colors[i % colors.length],
                                 backgroundColor: colors[i % colors.length], tension: 0.2 }, d);
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  function drawAll(root) { root.querySelectorAll("canvas.report-chart").forEach(draw); }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
