// The local stack answers like the deployed API: health, routing, the authorizer's gate, seeded accounts.
import { describe, expect, it } from 'vitest';
import { api, as, claims, demo, login } from '#test/support/api-client';

describe('local stack smoke', () => {
  it('answers the health check without a token', async () => {
    const res = await api.get('/v1/health');
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('answers an unknown route, or a known path with another method, with 404 Not Found', async () => {
    for (const res of [await api.get('/v1/nothing-here'), await api.delete('/v1/health'), await api.get('/v1/health/')]) {
      expect(res).toHaveStatus(404);
      expect(res.body).toEqual({ message: 'Not Found' });
    }
  });

  it('rejects an authenticated route without an Authorization header with 401, like API Gateway', async () => {
    const res = await api.get('/v1/me');
    expect(res).toHaveStatus(401);
    expect(res.body).toEqual({ message: 'Unauthorized' });
  });

  it('rejects a token that is not a valid access token with 403', async () => {
    const res = await as('not-a-jwt').get('/v1/me');
    expect(res).toHaveStatus(403);
    expect(res.body).toEqual({ message: 'Forbidden' });
  });

  it('refuses a body over the API Gateway payload limit with 413', async () => {
    const res = await api.post('/v1/auth/login', 'x'.repeat(10 * 1024 * 1024 + 1));
    expect(res).toHaveStatus(413);
  });

  it('lets the seeded user log in and read their profile', async () => {
    const me = await as(demo.user).get('/v1/me');
    expect(me).toHaveStatus(200);
    expect(me.body).toMatchObject({ email: 'user@example.com', name: 'Demo User' });
  });

  it('seeds the admin in the admins group, and the user outside it', async () => {
    const admin = await login(demo.admin);
    const user = await login(demo.user);
    expect(claims(admin.accessToken)['cognito:groups']).toContain('admins');
    expect(claims(user.accessToken)['cognito:groups'] ?? []).not.toContain('admins');
  });
});
