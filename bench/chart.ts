// A small horizontal bar chart as standalone SVG (no dependency): one row per bar, an optional budget line,
// bars over the budget in a warning colour. Used for the images docs/benchmarks.md embeds.

export interface Bar {
  label: string;
  value: number;
  /** Drawn muted (e.g. the floor, a reference). */
  muted?: boolean;
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  bars: Bar[];
  format: (value: number) => string;
  budget?: { value: number; label: string };
  /** Also draw this reference line (e.g. 1.0× = the floor). */
  reference?: { value: number; label: string };
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS = { ok: '#2e7d32', over: '#c62828', muted: '#90a4ae', budget: '#ef6c00', reference: '#546e7a', text: '#263238', grid: '#eceff1' };

export const barChart = (options: ChartOptions): string => {
  const width = 920;
  const labelWidth = 300;
  const valueWidth = 90;
  const plotWidth = width - labelWidth - valueWidth - 20;
  const rowHeight = 20;
  const top = options.subtitle ? 62 : 44;
  const height = top + options.bars.length * rowHeight + 34;
  const finite = options.bars.map((b) => b.value).filter(Number.isFinite);
  const max = Math.max(...finite, options.budget?.value ?? 0, options.reference?.value ?? 0) * 1.08 || 1;
  const x = (value: number) => labelWidth + (Math.max(0, value) / max) * plotWidth;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="16" font-weight="600" fill="${COLORS.text}">${escape(options.title)}</text>`,
  ];
  if (options.subtitle) parts.push(`<text x="12" y="44" fill="${COLORS.reference}">${escape(options.subtitle)}</text>`);

  options.bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    if (i % 2 === 0) parts.push(`<rect x="0" y="${y}" width="${width}" height="${rowHeight}" fill="${COLORS.grid}" opacity="0.5"/>`);
    const over = options.budget !== undefined && bar.value > options.budget.value;
    const color = bar.muted ? COLORS.muted : over ? COLORS.over : COLORS.ok;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end" fill="${COLORS.text}">${escape(bar.label)}</text>`);
    if (Number.isFinite(bar.value)) {
      parts.push(`<rect x="${labelWidth}" y="${y + 4}" width="${(x(bar.value) - labelWidth).toFixed(1)}" height="${rowHeight - 8}" fill="${color}" rx="2"/>`);
    }
    parts.push(`<text x="${(Number.isFinite(bar.value) ? x(bar.value) : labelWidth) + 6}" y="${y + 14}" fill="${COLORS.text}">${escape(Number.isFinite(bar.value) ? options.format(bar.value) : 'n/a')}</text>`);
  });

  const bottom = top + options.bars.length * rowHeight;
  const line = (value: number, label: string, color: string, dash: string) => {
    const lx = x(value).toFixed(1);
    parts.push(`<line x1="${lx}" y1="${top - 4}" x2="${lx}" y2="${bottom + 4}" stroke="${color}" stroke-width="1.5" stroke-dasharray="${dash}"/>`);
    parts.push(`<text x="${lx}" y="${bottom + 18}" text-anchor="middle" fill="${color}">${escape(label)}</text>`);
  };
  if (options.reference) line(options.reference.value, options.reference.label, COLORS.reference, '2 3');
  if (options.budget) line(options.budget.value, options.budget.label, COLORS.budget, '6 4');
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
};
