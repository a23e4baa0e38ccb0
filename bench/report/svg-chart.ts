// The latency-against-load chart as a hand-written SVG (no chart dependency): send→ack percentiles
// (log scale) against offered sends/s, one line per series, the goal as a dashed line.

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** horizontal reference lines, e.g. the p99 goal */
  rules?: { y: number; label: string; color: string }[];
  /** vertical reference lines, e.g. the measured peak */
  vrules?: { x: number; label: string; color: string }[];
}

const W = 820;
const H = 440;
const M = { left: 70, right: 210, top: 60, bottom: 55 };

export function renderChart(spec: ChartSpec): string {
  const pts = spec.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.y > 0);
  const ys = [...pts.map((p) => p.y), ...(spec.rules ?? []).map((r) => r.y)];
  const xMax = niceCeil(Math.max(1, ...pts.map((p) => p.x), ...(spec.vrules ?? []).map((r) => r.x)));
  const yMin = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(1, ...ys))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(10, ...ys)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (x / xMax) * pw;
  const sy = (y: number) => M.top + ph - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${M.left}" y="24" font-size="16" font-weight="bold">${esc(spec.title)}</text>`);
  out.push(`<text x="${M.left}" y="42" fill="#555">${esc(spec.subtitle)}</text>`);
  // Grid and axes.
  for (let d = yMin; d <= yMax * 1.0001; d *= 10) {
    for (const m of [1, 2, 5]) {
      const y = d * m;
      if (y > yMax * 1.0001) break;
      out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${f(sy(y))}" y2="${f(sy(y))}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`);
      out.push(`<text x="${M.left - 6}" y="${f(sy(y) + 4)}" text-anchor="end" fill="#333">${fmt(y)}</text>`);
    }
  }
  for (let i = 0; i <= 5; i++) {
    const x = (xMax / 5) * i;
    out.push(`<line x1="${f(sx(x))}" x2="${f(sx(x))}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${f(sx(x))}" y="${M.top + ph + 18}" text-anchor="middle" fill="#333">${fmt(x)}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  for (const r of spec.rules ?? []) {
    if (r.y < yMin || r.y > yMax) continue;
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${f(sy(r.y))}" y2="${f(sy(r.y))}" stroke="${r.color}" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${M.left + pw - 4}" y="${f(sy(r.y) - 5)}" text-anchor="end" fill="${r.color}">${esc(r.label)}</text>`);
  }
  for (const r of spec.vrules ?? []) {
    if (!Number.isFinite(r.x) || r.x <= 0) continue;
    out.push(`<line x1="${f(sx(r.x))}" x2="${f(sx(r.x))}" y1="${M.top}" y2="${M.top + ph}" stroke="${r.color}" stroke-dasharray="6 4"/>`);
    out.push(
      `<text transform="translate(${f(sx(r.x) - 5)} ${M.top + 8}) rotate(-90)" text-anchor="end" fill="${r.color}">${esc(r.label)}</text>`,
    );
  }
  // Series and legend.
  spec.series.forEach((s, i) => {
    const p = s.points.filter((q) => Number.isFinite(q.x) && Number.isFinite(q.y) && q.y > 0).sort((a, b) => a.x - b.x);
    if (p.length) {
      const d = p.map((q, k) => `${k ? 'L' : 'M'}${f(sx(q.x))} ${f(sy(q.y))}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
      for (const q of p)
        out.push(
          `<circle cx="${f(sx(q.x))}" cy="${f(sy(q.y))}" r="3" fill="${s.color}"><title>${esc(`${s.name}: ${fmt(q.y)} ms at ${fmt(q.x)}/s`)}</title></circle>`,
        );
    }
    const ly = M.top + 10 + i * 20;
    out.push(
      `<line x1="${W - M.right + 14}" x2="${W - M.right + 38}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    out.push(`<text x="${W - M.right + 44}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}
const f = (v: number) => v.toFixed(1);
function fmt(v: number): string {
  if (v >= 1000) return `${+(v / 1000).toFixed(1)}k`;
  return v >= 1 ? `${+v.toFixed(1)}` : `${+v.toPrecision(2)}`;
}
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
