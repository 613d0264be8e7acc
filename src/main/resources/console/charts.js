// Tiny SVG line charts for the console: no library, no build step.
// lineChart(element, { series: [{ name, color, points: [[tMs, value], ...] }], from, to, gapMs, format })
// draws the series over [from, to] (shorter than an hour while the history is young, so a fresh
// node's first minutes are not a sliver at the right edge) with a y axis from 0 to a round
// maximum, breaks lines where
// samples are missing (gaps longer than gapMs), and writes a legend with each series' last value.
// For tests and tools, the <svg> carries data-max and each <path> data-series, data-max, data-last.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const W = 640, H = 170, LEFT = 52, RIGHT = 8, TOP = 8, BOTTOM = 20;
const PALETTE = ['#1a73e8', '#e8710a', '#188038', '#d93025', '#9334e6', '#12b5cb', '#f9ab00', '#5f6368'];

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function svgEl(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Axis labels with as many decimals as the step needs (0.025 steps: 3, 250 steps: 0). */
function axisFormat(step) {
  const digits = step >= 1 && Number.isInteger(step) ? 0 : Math.min(3, Math.max(0, Math.ceil(-Math.log10(step)) + 1));
  return (v) => String(Number(v.toFixed(digits)));
}

const MIN_SPAN = 5 * 60 * 1000;

function lineChart(container, opts) {
  const { series, to, gapMs } = opts;
  const format = opts.format || ((v) => String(Math.round(v * 100) / 100));
  let max = 0;
  let first = to;
  for (const s of series) {
    for (const [t, v] of s.points) {
      if (v > max) max = v;
      if (t >= opts.from && t < first) first = t;
    }
  }
  const from = Math.max(opts.from, Math.min(first, to - MIN_SPAN));
  const top = niceMax(max);
  const label = axisFormat(top / 4);
  const x = (t) => LEFT + ((t - from) / Math.max(1, to - from)) * (W - LEFT - RIGHT);
  const y = (v) => TOP + (1 - v / top) * (H - TOP - BOTTOM);

  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-max': max });
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    svg.append(svgEl('line', { x1: LEFT, x2: W - RIGHT, y1: y(v), y2: y(v), class: 'grid' }),
      svgEl('text', { x: LEFT - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, label(v)));
  }
  const spanMin = (to - from) / 60000;
  const tick = [1, 2, 5, 10, 15].find((m) => spanMin / m <= 6) || 15;
  for (let m = 0; m <= spanMin; m += tick) {
    const t = to - m * 60000;
    svg.append(svgEl('text', { x: x(t), y: H - 5, class: 'axis', 'text-anchor': m === 0 ? 'end' : 'middle' },
      m === 0 ? 'now' : '-' + m + ' min'));
  }
  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    let d = '';
    let prev = null;
    for (const [t, v] of s.points) {
      if (t < from) continue;
      d += (prev === null || t - prev > gapMs ? 'M' : 'L') + x(t).toFixed(1) + ',' + y(v).toFixed(1) + ' ';
      prev = t;
    }
    const last = s.points.length ? s.points[s.points.length - 1][1] : null;
    const smax = s.points.reduce((a, [, v]) => Math.max(a, v), 0);
    // later series dashed: equal values (an upload and its download in one sample) stay visible
    svg.append(svgEl('path', { d: d.trim() || 'M0,0', stroke: color, class: 'line', 'stroke-dasharray': i % 2 ? '5 3' : 'none',
      'data-series': s.name, 'data-max': smax, 'data-last': last === null ? '' : last }));
  });

  const legend = document.createElement('div');
  legend.className = 'legend';
  series.forEach((s, i) => {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = s.color || PALETTE[i % PALETTE.length];
    const last = s.points.length ? format(s.points[s.points.length - 1][1]) : '—';
    const smax = s.points.reduce((a, [, v]) => Math.max(a, v), 0);
    item.append(swatch, document.createTextNode(s.name + ' ' + last + (s.points.length > 1 ? ' (max ' + format(smax) + ')' : '')));
    legend.append(item);
  });
  if (series.length === 0) legend.append(document.createTextNode(opts.empty || 'no data yet'));
  container.replaceChildren(svg, legend);
}

window.lineChart = lineChart;
