// Draws each <canvas class="price-chart" data-series='{"series": [...]}'> as a line chart.
(function () {
  const colors = ["#ff690f", "#1f3b73", "#16824a", "#a35f00", "#7c3aed"];
  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    canvas.dataset.drawn = "1";
    const data = JSON.parse(canvas.dataset.series);
    new Chart(canvas, {
      type: "line",
      data: {
        datasets: data.series.map((s, i) => ({
          label: s.label,
          data: s.points,
          borderColor: colors[i % colors.length],
          backgroundColor: colors[i % colors.length],
          stepped: true,
          pointRadius: 3,
        })),
      },
      options: {
        parsing: { xAxisKey: "x", yAxisKey: "y" },
        scales: {
          x: { type: "category", labels: [...new Set(data.series.flatMap((s) => s.points.map((p) => p.x)))].sort(), ticks: { maxTicksLimit: 8 } },
          y: { ticks: { callback: (v) => "$" + v.toLocaleString() } },
        },
        plugins: { legend: { position: "bottom" } },
        animation: false,
      },
    });
  }
  function drawAll() { document.querySelectorAll("canvas.price-chart").forEach(draw); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSwap", drawAll);
})();
