// Chart.js (tree-shaken: only the pieces the dashboard draws) through react-chartjs-2. Each chart has a
// text alternative: an aria-label summary on the canvas and its numbers in a table behind "Show data".
import { BarElement, CategoryScale, Chart as ChartJS, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip, type ChartOptions } from 'chart.js';
import { Bar, Line } from 'react-chartjs-2';
import type { ReactNode } from 'react';

ChartJS.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip, Legend, Filler);
// A dashboard is read, not watched: no animation (and nothing for prefers-reduced-motion to stop).
ChartJS.defaults.animation = false;
ChartJS.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font').trim() || 'system-ui, sans-serif';
ChartJS.defaults.color = '#334155';

export { COLORS } from './palette';

const integerAxis = { beginAtZero: true, ticks: { precision: 0 } } as const;

export interface Series {
  label: string;
  color: string;
  values: number[];
}

interface ChartCardProps {
  title: string;
  /** One sentence for screen readers: what the chart shows, with its headline numbers. */
  summary: string;
  labels: string[];
  series: Series[];
  kind: 'line' | 'bar';
  /** Per-bar colours for a single series (bar charts). */
  barColors?: string[];
  horizontal?: boolean;
  className?: string;
  testId: string;
  footer?: ReactNode;
}

export const ChartCard = ({ title, summary, labels, series, kind, barColors, horizontal, className, testId, footer }: ChartCardProps) => {
  const total = series.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
  const headingId = `${testId}-title`;
  const common = {
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { display: series.length > 1, position: 'bottom' as const }, tooltip: { intersect: false, mode: 'index' as const } },
  };
  let chart: ReactNode;
  if (kind === 'line') {
    const options: ChartOptions<'line'> = { ...common, scales: { y: integerAxis, x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } } }, elements: { point: { radius: 2 } } };
    const data = {
      labels,
      datasets: series.map((s) => ({ label: s.label, data: s.values, borderColor: s.color, backgroundColor: `${s.color}22`, fill: true, tension: 0.25, borderWidth: 2 })),
    };
    chart = <Line options={options} data={data} role="img" aria-label={summary} />;
  } else {
    const options: ChartOptions<'bar'> = {
      ...common,
      indexAxis: horizontal ? 'y' : 'x',
      scales: horizontal ? { x: integerAxis } : { y: integerAxis },
    };
    const data = {
      labels,
      datasets: series.map((s) => ({ label: s.label, data: s.values, backgroundColor: barColors ?? s.color, borderRadius: 3, maxBarThickness: 48 })),
    };
    chart = <Bar options={options} data={data} role="img" aria-label={summary} />;
  }
  return (
    <section className={`card chart-card ${className ?? ''}`} aria-labelledby={headingId} data-testid={testId} data-total={total}>
      <h2 id={headingId}>{title}</h2>
      <div className="chart-box">{chart}</div>
      {footer}
      <details className="chart-data">
        <summary>Show data</summary>
        <div className="table-region" role="region" aria-label={`${title} (data)`} tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{kind === 'line' ? 'Day' : 'Name'}</th>
                {series.map((s) => (
                  <th scope="col" key={s.label} className="num">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((label, i) => (
                <tr key={label + i}>
                  <th scope="row">{label}</th>
                  {series.map((s) => (
                    <td key={s.label} className="num" data-series={s.label}>
                      {s.values[i] ?? 0}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
};
