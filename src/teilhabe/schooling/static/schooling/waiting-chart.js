// The waiting-time chart: median and 90th percentile of days to school start, pupils waiting.
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("waiting-chart");
  const source = document.getElementById("waiting-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: data.series.map((s) => ({ label: s.label, data: s.values, spanGaps: true })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { min: 0 } },
    },
  });
});
