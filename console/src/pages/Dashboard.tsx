// Dashboard: the service at a glance, from GET /v1/admin/stats (precomputed counters, no scans).
import { ChartCard, COLORS } from '../charts';
import { ErrorState, Loading, PageHeader } from '../components';
import { formatCount, formatDateTime, formatDay } from '../format';
import { useResource, useSessionManager, useTitle } from '../hooks';
import { Link } from '../router';
import { PRIORITIES, type Stats } from '../types';

const Counter = ({ label, value, hint, tone, testId }: { label: string; value: number; hint: string; tone?: 'warn'; testId: string }) => (
  <div className={`card counter${tone === 'warn' && value > 0 ? ' counter-warn' : ''}`} data-testid={testId}>
    <p className="counter-label">{label}</p>
    <p className="counter-value">{formatCount(value)}</p>
    <p className="counter-hint">{hint}</p>
  </div>
);

export default function Dashboard() {
  useTitle('Dashboard');
  const session = useSessionManager();
  const stats = useResource((signal) => session.request<Stats>('GET', '/v1/admin/stats', undefined, signal), []);
  const data = stats.data;

  return (
    <>
      <PageHeader title="Dashboard">
        <button type="button" className="button" onClick={stats.reload} disabled={stats.status === 'loading'} aria-busy={stats.status === 'loading'}>
          {stats.status === 'loading' && data ? 'Refreshing…' : 'Refresh'}
        </button>
      </PageHeader>
      {stats.status === 'loading' && !data && <Loading label="Loading the statistics…" />}
      {stats.status === 'error' && <ErrorState title="Could not load the statistics." error={stats.error} onRetry={stats.reload} />}
      {data && <DashboardView stats={data} />}
    </>
  );
}

const DashboardView = ({ stats }: { stats: Stats }) => {
  const openTotal = PRIORITIES.reduce((sum, p) => sum + (stats.openByPriority[p] ?? 0), 0);
  const created = stats.days.map((d) => d.created);
  const completed = stats.days.map((d) => d.completed);
  const createdTotal = created.reduce((a, b) => a + b, 0);
  const completedTotal = completed.reduce((a, b) => a + b, 0);
  const parked = stats.dlqs.reduce((sum, q) => sum + q.messages, 0);
  const first = stats.days[0]?.date;
  const last = stats.days[stats.days.length - 1]?.date;

  return (
    <div className="dashboard">
      <p className="muted">
        As of {formatDateTime(stats.generatedAt)}
        {first && last ? ` · days in UTC, ${formatDay(first)} – ${formatDay(last)}` : ''}
      </p>
      <div className="counters">
        <Counter label="Open tasks" value={openTotal} hint="not done, across all users" testId="counter-open" />
        <Counter label="Overdue" value={stats.overdue} hint="open and past their due date" tone="warn" testId="counter-overdue" />
        <Counter label="Notifications sent" value={stats.notificationsSent} hint="in-app, all time" testId="counter-notifications" />
        <Counter label="Emails sent" value={stats.emailsSent} hint="through SES, all time" testId="counter-emails" />
      </div>
      <div className="charts">
        <ChartCard
          className="chart-wide"
          testId="chart-activity"
          title="Tasks created and completed per day"
          summary={`Over the last ${stats.days.length} days, ${createdTotal} tasks were created and ${completedTotal} completed.`}
          kind="line"
          labels={stats.days.map((d) => formatDay(d.date))}
          series={[
            { label: 'Created', color: COLORS.created, values: created },
            { label: 'Completed', color: COLORS.completed, values: completed },
          ]}
        />
        <ChartCard
          testId="chart-priority"
          title="Open tasks by priority"
          summary={`Open tasks: ${PRIORITIES.map((p) => `${stats.openByPriority[p] ?? 0} ${p}`).join(', ')}.`}
          kind="bar"
          labels={PRIORITIES.map((p) => p[0]!.toUpperCase() + p.slice(1))}
          series={[{ label: 'Open tasks', color: COLORS.medium, values: PRIORITIES.map((p) => stats.openByPriority[p] ?? 0) }]}
          barColors={PRIORITIES.map((p) => COLORS[p])}
        />
        <ChartCard
          testId="chart-dlqs"
          title="Messages in dead-letter queues"
          summary={parked === 0 ? `All ${stats.dlqs.length} dead-letter queues are empty.` : `${parked} messages are parked: ${stats.dlqs.filter((q) => q.messages > 0).map((q) => `${q.messages} in ${q.name}`).join(', ')}.`}
          kind="bar"
          horizontal
          labels={stats.dlqs.map((q) => q.name)}
          series={[{ label: 'Messages', color: COLORS.dlqEmpty, values: stats.dlqs.map((q) => q.messages) }]}
          barColors={stats.dlqs.map((q) => (q.messages > 0 ? COLORS.dlqFull : COLORS.dlqEmpty))}
          footer={
            <p className="chart-note">
              {parked === 0 ? 'Nothing is parked.' : `${formatCount(parked)} parked. `}
              {parked > 0 && <Link to="operations">Review and redrive in Operations</Link>}
            </p>
          }
        />
      </div>
    </div>
  );
};
