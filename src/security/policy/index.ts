// security/policy: the engine-wide security policy. An administrator writes a JSON policy ({"profile":
// "baseline"|"restricted", "rules": {…}}; see types.ts for every rule and profiles.ts for the presets and how
// they map to the Kubernetes Pod Security Standards); parsePolicy/loadPolicyFile check it strictly at load
// (one-line InvalidArgument naming the file and key path). The engine then judges every container it is about
// to create — whichever API asked — with enforcePolicy, which throws a PolicyDeniedError naming the first rule
// that refused; evaluatePolicy lists every violation without throwing (`policy check` over existing
// containers), describePolicy renders `policy show`. Pure domain code: no engine, API or CLI imports; the only
// I/O is reading the policy file and resolving bind sources. The subject must be a validated config (defaults
// applied), so a rule judges what the container would really get.
export * from './types.js';
export { builtinProfile, isProfileName, SAFE_SYSCTLS } from './profiles.js';
export { loadPolicyFile, parsePolicy } from './parse.js';
export { evaluatePolicy, evaluateUserPolicy, ruleOrigin } from './evaluate.js';
export { PolicyDeniedError, enforcePolicy, enforceUserPolicy, formatViolation } from './enforce.js';
export { describePolicy, policyRuleViews, type RuleView } from './describe.js';
export { resolveBindSources } from './bind-sources.js';
export { parsePortRange, type PortRange } from './ports.js';
