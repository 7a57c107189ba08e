// The needs chart of a case file: one line per life area (1 = acute need … 5 = no support).
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("needs-chart");
  const source = document.getElementById("needs-data");
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
      scales: { y: { min: 1, max: 5, ticks: { stepSize: 1 } } },
    },
  });
});
