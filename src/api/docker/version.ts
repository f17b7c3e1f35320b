// Docker Engine API versions: which ones this server speaks and how a request names one. Clients negotiate by
// reading API-Version from /_ping and then prefix every path with /vX.Y; a path without a prefix means the newest.
import { InvalidArgumentError } from '../../core/index.js';

/** The oldest API version served (docker 20.10) and the newest (what docker CLI 28.2 asks for). */
export const MIN_DOCKER_API = '1.41';
export const MAX_DOCKER_API = '1.50';

function compare(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am - bm || an - bn;
}

/**
 * Splits "/v1.45/containers/json" into the version and the rest; an unprefixed path gets the newest version.
 * A version outside the range is a 400, with docker's wording so clients show the familiar hint.
 */
export function splitVersionPrefix(path: string): { version: string; path: string } {
  const m = /^\/v(\d+\.\d+)(\/.*)?$/.exec(path);
  if (!m) return { version: MAX_DOCKER_API, path };
  const version = m[1]!;
  if (compare(version, MAX_DOCKER_API) > 0) {
    throw new InvalidArgumentError(`client version ${version} is too new. Maximum supported API version is ${MAX_DOCKER_API}`);
  }
  if (compare(version, MIN_DOCKER_API) < 0) {
    throw new InvalidArgumentError(`client version ${version} is too old. Minimum supported API version is ${MIN_DOCKER_API}, please upgrade your client to a newer version`);
  }
  return { version, path: m[2] ?? '/' };
}
