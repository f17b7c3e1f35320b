// Refusing a request: the first broken rule becomes a one-line typed error naming the rule and where it came
// from, e.g. `refused by policy rule "allowPrivileged": privileged containers are not allowed (profile restricted)`.
import { PermissionDeniedError } from '../../core/index.js';
import { evaluatePolicy, evaluateUserPolicy } from './evaluate.js';
import type { Policy, PolicySubject, RuleName, Violation } from './types.js';

/**
 * A request the policy refuses. Its kind is PermissionDenied, not InvalidArgument: the request is well formed,
 * the administrator forbids it, so the API answers 403 as Docker does for a request its authorization plugins
 * refuse, and a client can tell "fix your flags" from "not allowed on this engine".
 */
export class PolicyDeniedError extends PermissionDeniedError {
  readonly rule: RuleName;
  readonly violations: readonly Violation[];
  constructor(violations: readonly Violation[]) {
    super(denialMessage(violations));
    this.name = 'PolicyDeniedError';
    this.rule = violations[0]!.rule;
    this.violations = violations;
  }
}

/** Throws PolicyDeniedError when the policy refuses the container. */
export function enforcePolicy(policy: Policy, subject: PolicySubject): void {
  const violations = evaluatePolicy(policy, subject);
  if (violations.length) throw new PolicyDeniedError(violations);
}

/** Throws PolicyDeniedError when the policy refuses the user of an exec, or of a container as it starts. */
export function enforceUserPolicy(policy: Policy, proc: { user: string; uid?: number }, what: 'exec' | 'start'): void {
  const violations = evaluateUserPolicy(policy, proc, what);
  if (violations.length) throw new PolicyDeniedError(violations);
}

/** One line for one violation, as `policy check` prints it too. */
export function formatViolation(v: Violation): string {
  return `refused by policy rule "${v.rule}": ${v.message} (${v.origin})`;
}

function denialMessage(violations: readonly Violation[]): string {
  const rest = violations.slice(1).map((v) => v.rule);
  return formatViolation(violations[0]!) + (rest.length ? `; also refused by ${rest.map((r) => `"${r}"`).join(', ')}` : '');
}
