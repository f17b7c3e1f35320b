// Reading the fields of Docker's request bodies: each helper checks one value's type and names the field in its
// one-line error (a 400). Shared by create, resources (create and update), exec and networks.
import { InvalidArgumentError, type ThrottleDevice, type WeightDevice } from '../../core/index.js';

export type Obj = Record<string, unknown>;

/** Whether a field holds something other than Docker's zero value for it. */
export function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

export function throttle(list: unknown, field: string): ThrottleDevice[] {
  return objects(list, field).map((t) => ({ path: str(t.Path, `${field}[].Path`), rate: num(t.Rate, `${field}[].Rate`) }));
}

/** [{Path, Weight}] (BlkioWeightDevice). */
export function weightDevices(list: unknown, field: string): WeightDevice[] {
  return objects(list, field).map((t) => ({ path: str(t.Path, `${field}[].Path`), weight: num(t.Weight, `${field}[].Weight`) }));
}

/** Docker accepts Cmd and Entrypoint as a string too (the shell form of older clients). */
export function stringList(v: unknown, field: string, shellForm = false): string[] {
  if (shellForm && typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InvalidArgumentError(`${field} must be an array of strings`);
  return v;
}

export function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new InvalidArgumentError(`${field} must be an object of strings`);
  }
  return v as Record<string, string>;
}

export function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${field} must be true or false`);
  return v;
}

export function objects(v: unknown, field: string): Obj[] {
  if (!Array.isArray(v) || !v.every((x) => x !== null && typeof x === 'object')) throw new InvalidArgumentError(`${field} must be an array of objects`);
  return v as Obj[];
}

export function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new InvalidArgumentError(`${field} must be a string`);
  return v;
}

export function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`${field} must be a number`);
  return v;
}
