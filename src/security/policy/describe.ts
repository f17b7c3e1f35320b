// `policy show`: every rule, its effective value and where the value comes from, one rule per line, so an
// administrator sees what a profile turned on without reading profiles.ts.
import { ruleOrigin } from './evaluate.js';
import { RULES, RULE_NAMES, ruleActive, type Policy, type RuleName } from './types.js';

export interface RuleView {
  rule: RuleName;
  active: boolean;
  value: unknown;       // as in the policy JSON; undefined when not set
  origin: string;       // "profile baseline", "policy <file>" or "" when not set
  about: string;
}

/** The rules as data (for `policy show --format json`). */
export function policyRuleViews(policy: Policy): RuleView[] {
  return RULE_NAMES.map((rule) => {
    const set = policy.rules[rule] !== undefined || policy.explicitRules.includes(rule);
    return { rule, active: ruleActive(policy.rules, rule), value: policy.rules[rule], origin: set ? ruleOrigin(policy, rule) : '', about: RULES[rule].about };
  });
}

/** A text table: a heading naming the source and profile, then one line per rule. */
export function describePolicy(policy: Policy): string {
  const views = policyRuleViews(policy);
  const width = Math.max(...views.map((v) => v.rule.length));
  const lines = views.map((v) => {
    const value = v.value === undefined ? (v.origin ? 'null (no limit)' : '-') : JSON.stringify(v.value);
    const state = v.active ? 'enforced' : 'off';
    return `${v.rule.padEnd(width)}  ${state.padEnd(8)}  ${value}${v.origin ? `  [${v.origin}]` : ''}  # ${v.about}`;
  });
  const head = `policy ${policy.source}${policy.profile ? ` (profile ${policy.profile})` : ' (no profile)'}`;
  return [head, ...lines].join('\n');
}
