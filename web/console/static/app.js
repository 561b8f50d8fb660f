// daihou console: draws every chart on the page from its JSON block and
// keeps it sized to its box. No inline script: the CSP forbids it.
(function () {
  "use strict";
  function draw() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("div.chart[data-chart]").forEach(function (el) {
      var data = document.getElementById("chart-data-" + el.dataset.chart);
      if (!data) return;
      var h = parseInt(el.dataset.height, 10);
      el.style.height = (h > 0 ? h : 300) + "px";
      var chart = echarts.init(el, null, { renderer: "canvas" });
      var option = JSON.parse(data.textContent);
      if (!option.color) option.color = ["#2f6fde", "#e8833a", "#3aa675", "#d9453d", "#8a5cc2", "#7f8a99", "#c9a227", "#1f9bbd"];
      chart.setOption(option);
      el.dataset.drawn = "1";
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  // Elements that ask before a form goes (a refusal is worse than a pause).
  document.addEventListener("submit", function (e) {
    var msg = e.target.dataset && e.target.dataset.confirm;
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
