// Optimistic locking at the edge: every update names the version it expects.
import { HttpProblem } from '#shared/http/problem';

/**
 * The version an update expects, from `If-Match` or a `version` field in the body.
 * Neither → 428 (we never apply a blind update); both but different → 400.
 */
export const expectedVersion = (ifMatch: number | undefined, bodyVersion: number | undefined): number => {
  if (ifMatch !== undefined && bodyVersion !== undefined && ifMatch !== bodyVersion) {
    throw new HttpProblem(400, 'validation-failed', 'Validation failed', 'If-Match and body.version disagree.', [
      { field: 'body.version', message: 'Must equal the If-Match version' },
    ]);
  }
  const version = ifMatch ?? bodyVersion;
  if (version === undefined) {
    throw new HttpProblem(428, 'precondition-required', 'Precondition required', 'Send the version you are updating, as If-Match: "<version>" or body.version.');
  }
  return version;
};

/** The ETag of a versioned resource. */
export const etag = (version: number): string => `"${version}"`;
