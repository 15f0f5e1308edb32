// Audit log: filter by entity, actor and time range (GET /v1/admin/audit), page with "Load more", and open one
// record to see each changed field before and after. The filters live in the URL, so a search can be shared.
import { useEffect, useState, type FormEvent } from 'react';
import { query } from '../api';
import { Dialog, Empty, ErrorState, Loading, LoadMore, PageHeader, TableRegion } from '../components';
import { formatDateTime, formatValue, fromLocalInput, toLocalInput, utcOffset } from '../format';
import { usePagedList, useSessionManager, useTitle } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import { ENTITY_TYPES, type AuditRecord, type Page } from '../types';

const PAGE_SIZE = 25;
const FILTERS = ['entityType', 'entityId', 'actorId', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const filtersFrom = (search: URLSearchParams): Filters => ({
  entityType: search.get('entityType') ?? '',
  entityId: search.get('entityId') ?? '',
  actorId: search.get('actorId') ?? '',
  from: search.get('from') ?? '',
  to: search.get('to') ?? '',
});

export default function Audit() {
  useTitle('Audit log');
  const session = useSessionManager();
  const { search } = useLocation();
  const applied = filtersFrom(search);
  const key = FILTERS.map((f) => applied[f]).join('\u0000');
  const [draft, setDraft] = useState(() => ({ ...applied, from: toLocalInput(applied.from), to: toLocalInput(applied.to) }));
  const [formError, setFormError] = useState<string | undefined>();
  const [selected, setSelected] = useState<AuditRecord | undefined>();
  useEffect(() => setDraft({ ...applied, from: toLocalInput(applied.from), to: toLocalInput(applied.to) }), [key]);

  const list = usePagedList<AuditRecord>(
    (cursor, signal) => session.request<Page<AuditRecord>>('GET', `/v1/admin/audit${query({ ...applied, limit: PAGE_SIZE, cursor })}`, undefined, signal),
    [key],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const from = fromLocalInput(draft.from);
    const to = fromLocalInput(draft.to);
    if (draft.entityId.trim() && !draft.entityType) return setFormError('Choose the entity type of the entity id.');
    if (from && to && from > to) return setFormError('“From” must be before “To”.');
    setFormError(undefined);
    const next: Filters = { entityType: draft.entityType, entityId: draft.entityId.trim(), actorId: draft.actorId.trim(), from: from ?? '', to: to ?? '' };
    navigate(`audit${query(next)}`);
    // The same search again: navigating changes nothing, so search again explicitly.
    if (FILTERS.map((f) => next[f]).join('\u0000') === key) list.reload();
  };

  const reset = () => {
    setFormError(undefined);
    navigate('audit');
  };

  const set = (name: keyof Filters) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: event.target.value }));
  const filtered = FILTERS.some((f) => applied[f]);

  return (
    <>
      <PageHeader title="Audit log" />
      <form className="filters" aria-label="Audit log filters" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="audit-entity-type">Entity type</label>
          <select id="audit-entity-type" value={draft.entityType} onChange={set('entityType')}>
            <option value="">Any</option>
            {ENTITY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-entity-id">Entity id</label>
          <input id="audit-entity-id" value={draft.entityId} onChange={set('entityId')} maxLength={200} autoComplete="off" spellCheck={false} aria-describedby="audit-entity-id-hint" />
          <span id="audit-entity-id-hint" className="hint">
            A membership is <code>projectId:userId</code>
          </span>
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Actor (user id)</label>
          <input id="audit-actor" value={draft.actorId} onChange={set('actorId')} maxLength={64} autoComplete="off" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onChange={set('from')} aria-describedby="audit-tz" />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" type="datetime-local" value={draft.to} onChange={set('to')} aria-describedby="audit-tz" />
        </div>
        <div className="filter-actions">
          <button type="submit" className="button button-primary">
            Search
          </button>
          <button type="button" className="button" onClick={reset} disabled={!filtered}>
            Clear filters
          </button>
        </div>
        <p id="audit-tz" className="hint filter-note">
          Times are in your time zone ({utcOffset()}). Without a range the last year is searched.
        </p>
        {formError && (
          <p className="inline-error" role="alert">
            {formError}
          </p>
        )}
      </form>

      {list.status === 'loading' && <Loading label="Searching the audit log…" />}
      {list.status === 'error' && <ErrorState title="Could not search the audit log." error={list.error} onRetry={list.reload} />}
      {list.status === 'ready' && list.items.length === 0 && (
        <Empty>
          <p>{filtered ? 'No audit records match these filters.' : 'The audit log is empty.'}</p>
          <p className="muted">Changes reach the audit log a few seconds after they are made.</p>
        </Empty>
      )}
      {list.status === 'ready' && list.items.length > 0 && (
        <>
          <p className="muted" role="status">
            {list.items.length} {list.items.length === 1 ? 'record' : 'records'}
            {list.hasMore ? ' shown so far' : ''}, newest first
          </p>
          <TableRegion label="Audit records">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Entity</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Changes</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((record) => (
                  <tr key={record.id}>
                    <td data-label="When">{formatDateTime(record.occurredAt)}</td>
                    <td data-label="Event">
                      <button type="button" className="link-button" onClick={() => setSelected(record)} aria-haspopup="dialog">
                        {record.type}
                      </button>
                    </td>
                    <td data-label="Entity">
                      <span>
                        {record.entity.type} <code className="id">{record.entity.id}</code>
                      </span>
                    </td>
                    <td data-label="Actor">
                      <code className="id">{record.actor.userId}</code>
                    </td>
                    <td className="num" data-label="Changes">{record.changes.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <LoadMore hasMore={list.hasMore} loading={list.loadingMore} error={list.moreError} onMore={list.loadMore} what="records" />
        </>
      )}

      <Dialog open={selected !== undefined} title={selected ? `${selected.type} · ${selected.entity.type}` : ''} onClose={() => setSelected(undefined)} wide>
        {selected && <AuditRecordView record={selected} onNavigate={() => setSelected(undefined)} />}
      </Dialog>
    </>
  );
}

const AuditRecordView = ({ record, onNavigate }: { record: AuditRecord; onNavigate: () => void }) => (
  <>
    <dl className="facts">
      <dt>When</dt>
      <dd>{formatDateTime(record.occurredAt)}</dd>
      <dt>Entity</dt>
      <dd>
        {record.entity.type} <code>{record.entity.id}</code>
      </dd>
      <dt>Actor</dt>
      <dd>
        <Link to={`users/${encodeURIComponent(record.actor.userId)}`} onClick={onNavigate}>
          {record.actor.userId}
        </Link>
      </dd>
      {record.projectId && (
        <>
          <dt>Project</dt>
          <dd>
            <code>{record.projectId}</code>
          </dd>
        </>
      )}
      <dt>Request</dt>
      <dd>
        <code>{record.requestId}</code>
      </dd>
      <dt>Event id</dt>
      <dd>
        <code className="id">{record.id}</code>
      </dd>
      <dt>Recorded</dt>
      <dd>{formatDateTime(record.recordedAt)}</dd>
    </dl>
    <h3>Changed fields</h3>
    {record.changes.length === 0 ? (
      <p className="muted">This event changed no field.</p>
    ) : (
      <TableRegion label="Changed fields">
        <table className="table changes" data-testid="audit-changes">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {record.changes.map((change) => (
              <tr key={change.field}>
                <th scope="row">{change.field}</th>
                <td className="value value-before">{formatValue(change.before)}</td>
                <td className="value value-after">{formatValue(change.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    )}
  </>
);
