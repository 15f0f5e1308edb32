// PLACEHOLDER — to be replaced by the real handler.
import { http } from '#shared/http/handler';
import { HttpProblem } from '#shared/http/problem';

export const handler = http({ auth: 'none' }, async () => {
  throw new HttpProblem(501, 'not-implemented', 'Not implemented');
});
