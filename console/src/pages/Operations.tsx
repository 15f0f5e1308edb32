// Operations: the dead-letter queues with their depths (GET /v1/admin/dlqs), the messages parked in one
// (GET /v1/admin/dlqs/{name}/messages) and a redrive back to the source queue after a confirmation
// (POST /v1/admin/dlqs/{name}/redrive).
import { useState } from 'react';
import { ApiError } from '../api';
import { ConfirmDialog, Empty, ErrorState, Loading, PageHeader, TableRegion } from '../components';
import { formatCount, formatDateTime, plural } from '../format';
import { useResource, useSessionManager, useTitle } from '../hooks';
import { Link } from '../router';
import type { Dlq, DlqMessage, RedriveResult } from '../types';

const KIND_LABEL: Record<Dlq['kind'], string> = {
  queue: 'Queue consumer',
  'rule-targets': 'Event rule targets',
  publisher: 'Stream publisher',
};

const dlqPath = (name: string) => `/v1/admin/dlqs/${encodeURIComponent(name)}`;

/** The Redrive button, its confirmation and its result. */
const Redrive = ({ dlq, onDone }: { dlq: Dlq; onDone: () => void }) => {
  const session = useSessionManager();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [result, setResult] = useState<RedriveResult | undefined>();

  if (dlq.kind === 'publisher') {
    return <span className="hint">Replay with <code>npm run dlq</code></span>;
  }
  const redrive = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const moved = await session.request<RedriveResult>('POST', `${dlqPath(dlq.name)}/redrive`);
      setResult(moved);
      setConfirming(false);
      onDone();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="redrive">
      <button
        type="button"
        className={dlq.messages > 0 ? 'button button-primary' : 'button'}
        onClick={() => {
          setError(undefined);
          setResult(undefined);
          setConfirming(true);
        }}
        disabled={dlq.messages === 0}
        aria-label={`Redrive ${dlq.name}`}
      >
        Redrive
      </button>
      <span aria-live="polite" className="redrive-result">
        {result && (
          <span data-testid="redrive-result">
            Moved {plural(result.moved, 'message')} back to {dlq.redrivesTo}
            {result.kept > 0 ? `; ${formatCount(result.kept)} kept` : ''}.
          </span>
        )}
      </span>
      <ConfirmDialog
        open={confirming}
        title={`Redrive ${dlq.name}?`}
        confirmLabel={`Redrive ${plural(dlq.messages, 'message')}`}
        busy={busy}
        error={error}
        onConfirm={redrive}
        onCancel={() => setConfirming(false)}
      >
        <p>
          The {plural(dlq.messages, 'message')} parked in <strong>{dlq.name}</strong> will be moved back to <strong>{dlq.redrivesTo}</strong> and
          processed again. Fix what made them fail first, or they will come back here.
        </p>
      </ConfirmDialog>
    </div>
  );
};

export default function Operations() {
  useTitle('Operations');
  const session = useSessionManager();
  const dlqs = useResource((signal) => session.request<{ items: Dlq[] }>('GET', '/v1/admin/dlqs', undefined, signal), []);
  const items = dlqs.data?.items;

  return (
    <>
      <PageHeader title="Operations">
        <button type="button" className="button" onClick={dlqs.reload} disabled={dlqs.status === 'loading'}>
          Refresh
        </button>
      </PageHeader>
      <h2 className="section-title">Dead-letter queues</h2>
      <p className="muted">Messages that failed every retry wait here until they are redriven (14 days at most).</p>
      {dlqs.status === 'loading' && !items && <Loading label="Loading the dead-letter queues…" />}
      {dlqs.status === 'error' && <ErrorState title="Could not load the dead-letter queues." error={dlqs.error} onRetry={dlqs.reload} />}
      {items && items.length === 0 && (
        <Empty>
          <p>No dead-letter queues are configured.</p>
        </Empty>
      )}
      {items && items.length > 0 && (
        <TableRegion label="Dead-letter queues">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Messages
                </th>
                <th scope="col">Redrives to</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((dlq) => (
                <tr key={dlq.name} data-dlq={dlq.name}>
                  <td data-label="Queue">
                    <Link to={`operations/${encodeURIComponent(dlq.name)}`} className="queue-name">
                      {dlq.name}
                    </Link>
                  </td>
                  <td data-label="Kind">{KIND_LABEL[dlq.kind] ?? dlq.kind}</td>
                  <td className="num" data-label="Messages" data-testid="dlq-messages">
                    <span className={dlq.messages > 0 ? 'badge badge-off' : 'badge'}>{formatCount(dlq.messages)}</span>
                  </td>
                  <td data-label="Redrives to">{dlq.redrivesTo}</td>
                  <td data-label="">
                    <Redrive dlq={dlq} onDone={dlqs.reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </>
  );
}

export function DlqMessages({ name }: { name: string }) {
  useTitle(name);
  const session = useSessionManager();
  const dlqs = useResource((signal) => session.request<{ items: Dlq[] }>('GET', '/v1/admin/dlqs', undefined, signal), []);
  const messages = useResource((signal) => session.request<{ items: DlqMessage[] }>('GET', `${dlqPath(name)}/messages?max=50`, undefined, signal), [name]);
  const dlq = dlqs.data?.items.find((q) => q.name === name);
  const reload = () => {
    dlqs.reload();
    messages.reload();
  };
  const missing = messages.error instanceof ApiError && messages.error.status === 404;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="operations">Operations</Link> <span aria-hidden="true">›</span> <span aria-current="page">{name}</span>
      </nav>
      <PageHeader title={name}>
        <button type="button" className="button" onClick={reload} disabled={messages.status === 'loading'}>
          Refresh
        </button>
        {dlq && <Redrive dlq={dlq} onDone={reload} />}
      </PageHeader>
      {dlq && (
        <p className="muted">
          {KIND_LABEL[dlq.kind] ?? dlq.kind} · {plural(dlq.messages, 'message')} · redrives to {dlq.redrivesTo}
        </p>
      )}
      {messages.status === 'loading' && !messages.data && <Loading label="Loading the messages…" />}
      {messages.status === 'error' && (
        <ErrorState title={missing ? 'There is no dead-letter queue with this name.' : 'Could not load the messages.'} error={missing ? undefined : messages.error} onRetry={missing ? undefined : messages.reload} />
      )}
      {messages.data && messages.data.items.length === 0 && (
        <Empty>
          <p>This queue is empty: nothing is waiting for a redrive.</p>
        </Empty>
      )}
      {messages.data && messages.data.items.length > 0 && (
        <>
          <p className="muted">
            {plural(messages.data.items.length, 'message')} shown (up to 50; peeking does not remove them).
          </p>
          <ul className="messages" aria-label="Messages">
            {messages.data.items.map((m) => (
              <li key={m.messageId} className="card message">
                <div className="message-head">
                  <strong>{m.eventType ?? 'Message'}</strong> <span className="muted">{m.summary}</span>
                </div>
                <dl className="facts facts-inline">
                  <dt>Sent</dt>
                  <dd>{formatDateTime(m.sentAt)}</dd>
                  <dt>Receives</dt>
                  <dd>{m.receiveCount}</dd>
                  <dt>Message id</dt>
                  <dd>
                    <code className="id">{m.messageId}</code>
                  </dd>
                  {m.eventId && (
                    <>
                      <dt>Event id</dt>
                      <dd>
                        <code className="id">{m.eventId}</code>
                      </dd>
                    </>
                  )}
                </dl>
                <details>
                  <summary>Body</summary>
                  <pre className="body">{prettyJson(m.body)}</pre>
                </details>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

const prettyJson = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};
