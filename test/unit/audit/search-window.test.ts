// The default window of an audit search never reaches before year 0000: the store walks the months between `from`
// and `to` as yyyy-mm strings, and a negative year would never compare below the last month (an endless walk).
import { describe, expect, it } from 'vitest';
import { searchAudit, type AuditStorePort } from '#shared/domain/audit';

const recordingStore = () => {
  const searches: Array<{ from: string; to: string }> = [];
  const store: AuditStorePort = {
    append: async () => true,
    search: async (query) => {
      searches.push({ from: query.from, to: query.to });
      return { items: [] };
    },
  };
  return { store, searches };
};

describe('the default window of an audit search', () => {
  it('is a year before `to`', async () => {
    const { store, searches } = recordingStore();
    await searchAudit(store, { limit: 25, to: '2030-06-01T00:00:00.000Z' }, new Date());
    expect(searches).toEqual([{ from: '2029-06-01T00:00:00.000Z', to: '2030-06-01T00:00:00.000Z' }]);
  });

  it('starts no earlier than year 0000 when `to` is early in year 0000', async () => {
    const { store, searches } = recordingStore();
    await searchAudit(store, { limit: 25, to: '0000-03-01T00:00:00.000Z' }, new Date());
    expect(searches).toEqual([{ from: '0000-01-01T00:00:00.000Z', to: '0000-03-01T00:00:00.000Z' }]);
  });
});
