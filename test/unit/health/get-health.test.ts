// GET /v1/health: ready (200) unless its host registered a readiness check that still names something.
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '#functions/health/get-health';
import { setReadinessCheck } from '#shared/health/readiness';
import { apiEvent, invoke } from '#test/support/apigw-event';

afterEach(() => setReadinessCheck(undefined));

describe('GET /v1/health', () => {
  it('answers 200 ok when nothing registered a readiness check (as in AWS)', async () => {
    const res = await invoke(handler, apiEvent('GET', '/v1/health'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', service: 'taskwell' });
  });

  it('answers 503 starting, with what it waits for and Retry-After, until the host is ready', async () => {
    let waiting = ['the demo accounts'];
    setReadinessCheck(() => waiting);
    const starting = await invoke(handler, apiEvent('GET', '/v1/health'));
    expect(starting.status).toBe(503);
    expect(starting.body).toMatchObject({ status: 'starting', waitingFor: ['the demo accounts'] });
    expect(starting.headers['retry-after']).toBe('1');
    waiting = [];
    expect((await invoke(handler, apiEvent('GET', '/v1/health'))).status).toBe(200);
  });
});
