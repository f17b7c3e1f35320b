// Identifiers: 64-hex ids, user-chosen names and the names the engine makes up when none is given.
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from './errors.js';

export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

// Docker's rule for container and volume names, so names valid there are valid here.
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function validateName(name: string, what = 'container'): string {
  const n = name.startsWith('/') ? name.slice(1) : name;
  if (!NAME_RE.test(n) || n.length > 128) {
    throw new InvalidArgumentError(`invalid ${what} name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, up to 128 characters`);
  }
  return n;
}

const ADJECTIVES = ['brave', 'calm', 'eager', 'fond', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'sharp', 'steady', 'vivid', 'wise', 'bold', 'crisp', 'gentle'];
const NOUNS = ['anchor', 'beacon', 'cable', 'deck', 'galley', 'hatch', 'hull', 'keel', 'mast', 'rudder', 'sail', 'spar', 'stern', 'tiller', 'winch', 'harbor'];

/** A readable random name such as "steady_keel_3f2a"; the suffix keeps concurrent creates from colliding. */
export function generateName(): string {
  const pick = (a: string[]) => a[randomBytes(1)[0]! % a.length]!;
  return `${pick(ADJECTIVES)}_${pick(NOUNS)}_${randomBytes(2).toString('hex')}`;
}
