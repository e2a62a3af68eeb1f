// Draws the overview's sales charts with uPlot (served from /assets/vendor/uplot, so the CSP stays 'self' only).
// Each <div data-chart="{…}"> carries its bars' labels and values; the page's table holds the same figures.
// A chart of several series (the owner figures' cohorts, sources, renewals) gives each a colour and shows a legend.
(() => {
  const charts = [];
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];
  const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

  function axisValue(data) {
    const scale = data.minorDigits ? 10 ** data.minorDigits : 1;
    const format = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: data.minorDigits || 0 });
    return (value) => format.format(value / scale);
  }

  function draw(element) {
    const data = JSON.parse(element.getAttribute('data-chart'));
    const xs = data.labels.map((_, i) => i);
    const accent = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() || '#2563eb';
    const several = data.series.length > 1;
    const colorOf = (i) => (several ? PALETTE[i % PALETTE.length] : accent);
    const value = axisValue(data);
    const paths = data.kind === 'bars' ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined;
    const options = {
      width: Math.max(240, element.clientWidth),
      height: 200,
      legend: { show: several, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        { values: (_u, splits) => splits.map((i) => data.labels[Math.round(i)] ?? ''), space: 60 },
        // Counts step by whole numbers; money by whatever fits.
        data.minorDigits === undefined
          ? { values: (_u, splits) => splits.map(value), size: 60, incrs: WHOLE_STEPS }
          : { values: (_u, splits) => splits.map(value), size: 60 },
      ],
      series: [
        // No label of its own for the bars' positions: uPlot's default ("Value") is English on every page.
        { label: '' },
        ...data.series.map((s, i) => ({
          label: s.label,
          stroke: colorOf(i),
          fill: data.kind === 'bars' ? colorOf(i) : undefined,
          width: 2,
          paths,
          points: { show: data.kind === 'line' && xs.length <= 31 },
        })),
      ],
    };
    const plot = new uPlot(options, [xs, ...data.series.map((s) => s.values)], element);
    element.setAttribute('data-drawn', 'true');
    charts.push({ element, plot });
  }

  // A page with two sections that each load this script draws each chart once.
  for (const element of document.querySelectorAll('[data-chart]:not([data-drawn])')) draw(element);
  window.addEventListener('resize', () => {
    for (const { element, plot } of charts) plot.setSize({ width: Math.max(240, element.clientWidth), height: 200 });
  });
})();
