// The engine-wide security policy in the engine: loaded once at daemon start (a built-in profile or a policy
// file), then applied to every container the engine is asked for, whichever API asked: create judges the
// validated config before anything is written (a user name by the image's passwd), update judges the config it
// would leave, exec judges the user the process would run as (a name by the container's own passwd), start judges
// the uid the container's user name resolves to in its own filesystem. `policy show` and `policy check` (which
// existing containers a policy would refuse) read it too. The rules and their judgement live in security/policy;
// this file only builds what they judge.
import { InvalidArgumentError, type ContainerConfig, type ImageRecord } from '../core/index.js';
import { findInLayers, formatReference, parseReference, type ImageReference } from '../image/index.js';
import { isShortName } from '../image/reference.js';
import {
  describePolicy, enforcePolicy, enforceUserPolicy, evaluatePolicy, formatViolation, isProfileName, loadPolicyFile, parsePolicy,
  policyRuleViews, resolveBindSources, PolicyDeniedError, PROFILE_NAMES, type ImageRefSubject, type Policy, type PolicySubject, type RuleView,
} from '../security/policy/index.js';
import { uidOfName } from '../specgen/index.js';
import { mountRootfs, type EngineContext } from './context.js';

/** What `policy check` judges with: a built-in profile, a policy document (read by the client), or the engine's own. */
export type PolicyInput = { profile: string } | { document: unknown; source: string };

export interface PolicyShow {
  enabled: boolean;
  source?: string;
  profile?: string;
  rules: RuleView[];
  text: string;           // the table `policy show` prints
}

export interface PolicyCheckReport {
  source: string;
  profile?: string;
  checked: number;
  violations: Array<{ id: string; name: string; rule: string; message: string; origin: string; text: string }>;
}

/** The daemon config's "policy": a built-in profile name, or the path of a policy file (checked strictly). */
export function loadEnginePolicy(spec: string): Promise<Policy> {
  return isProfileName(spec) ? Promise.resolve(profilePolicy(spec)) : loadPolicyFile(spec);
}

/** Refuses a container the engine's policy forbids; `config` is validated and complete, nothing is written yet. */
export async function enforceCreatePolicy(ctx: EngineContext, config: ContainerConfig, image: ImageRecord): Promise<void> {
  const policy = ctx.opts.policy;
  if (policy) enforcePolicy(policy, await policySubject(ctx, config, image));
}

/**
 * Refuses an update whose resulting config breaks a rule the container did not already break. A container made
 * before the policy was switched on keeps its old problems (`policy check` lists them), but no update may add
 * one, and an update that fixes one is never refused for the others.
 */
export async function enforceUpdatePolicy(ctx: EngineContext, before: ContainerConfig, after: ContainerConfig): Promise<void> {
  const policy = ctx.opts.policy;
  if (!policy) return;
  const image = imageOf(ctx, after);
  const known = new Set(evaluatePolicy(policy, await policySubject(ctx, before, image)).map((v) => v.rule));
  const added = evaluatePolicy(policy, await policySubject(ctx, after, image)).filter((v) => !known.has(v.rule));
  if (added.length) throw new PolicyDeniedError(added);
}

/**
 * Refuses an exec that would run as root under requireNonRoot, when it is created (Docker clients show a hijacked
 * start's status only). A numeric uid is believed; a name is looked up in the running container's own
 * /etc/passwd, as start does for the container's user: a name that is uid 0 there is root, one it lacks is
 * unverified. Start re-checks the uid the process really gets (enforceExecStartPolicy).
 */
export async function enforceExecUserPolicy(ctx: EngineContext, config: ContainerConfig, user: string | undefined): Promise<void> {
  const policy = ctx.opts.policy;
  if (!policy) return;
  const effective = user || config.user;
  const name = userName(effective);
  const uid = name === undefined ? undefined : await containerUid(ctx, config, name);
  enforceUserPolicy(policy, { user: effective, ...(uid === undefined ? {} : { uid }) }, 'exec');
}

/** An exec whose user resolves to root as it starts: the container's /etc/passwd may have changed since create. */
export function enforceExecStartPolicy(ctx: EngineContext, user: string, uid: number): void {
  const policy = ctx.opts.policy;
  if (policy && uid === 0) enforceUserPolicy(policy, { user, uid }, 'exec');
}

/**
 * Refuses a start whose user, named at create and found non-root in the image then, resolves to root in the
 * container's own filesystem now (its /etc/passwd is the image's plus whatever the container or `cp` wrote).
 * A numeric user cannot change, and a root one was judged at create (or predates the policy).
 */
export function enforceStartUserPolicy(ctx: EngineContext, config: ContainerConfig, uid: number): void {
  const policy = ctx.opts.policy;
  if (policy && uid === 0 && userName(config.user) !== undefined) enforceUserPolicy(policy, { user: config.user, uid }, 'start');
}

export function showPolicy(ctx: EngineContext): PolicyShow {
  const policy = ctx.opts.policy;
  if (!policy) return { enabled: false, rules: [], text: 'no policy: the engine refuses no container on policy grounds ("policy" in the daemon config)' };
  return { enabled: true, source: policy.source, ...(policy.profile ? { profile: policy.profile } : {}), rules: policyRuleViews(policy),
    text: describePolicy(policy) };
}

/** Every rule each existing container breaks under `input` (the engine's own policy without it). Changes nothing. */
export async function checkPolicy(ctx: EngineContext, input?: PolicyInput): Promise<PolicyCheckReport> {
  const policy = input === undefined ? ctx.opts.policy : 'profile' in input ? profilePolicy(input.profile)
    : parsePolicy(input.document, input.source);
  const containers = ctx.state.listContainers();
  const report: PolicyCheckReport = { source: policy?.source ?? 'none', ...(policy?.profile ? { profile: policy.profile } : {}),
    checked: containers.length, violations: [] };
  if (!policy) return report;
  for (const c of containers) {
    for (const v of evaluatePolicy(policy, await policySubject(ctx, c.config, imageOf(ctx, c.config)))) {
      report.violations.push({ id: c.config.id, name: c.name, rule: v.rule, message: v.message, origin: v.origin, text: formatViolation(v) });
    }
  }
  return report;
}

/** A profile named by an API client; never read as a path (the CLI reads a file itself and sends its document). */
function profilePolicy(name: string): Policy {
  if (!isProfileName(name)) throw new InvalidArgumentError(`unknown policy profile "${name}" (known: ${PROFILE_NAMES.join(', ')})`);
  return parsePolicy({ profile: name }, 'builtin');
}

async function policySubject(ctx: EngineContext, config: ContainerConfig, image: ImageRecord | undefined): Promise<PolicySubject> {
  const uid = image ? await imageUid(ctx, image, config.user) : undefined;
  return { config, imageRef: imageRefSubject(config, image, ctx.opts.registries?.search ?? []),
    realBindSources: await resolveBindSources(config.mounts), ...(uid === undefined ? {} : { uid }) };
}

/** The user part of `--user` when it is a name other than root (the only kind that needs the image to judge). */
function userName(user: string): string | undefined {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || /^\d+$/.test(name) ? undefined : name;
}

/**
 * The uid the image's /etc/passwd gives a user name, read from its layers (no container filesystem exists yet);
 * undefined when it cannot tell, which leaves the name unverified.
 */
async function imageUid(ctx: EngineContext, image: ImageRecord, user: string): Promise<number | undefined> {
  const name = userName(user);
  if (name === undefined) return undefined;
  try {
    const found = await findInLayers(ctx.images.layerDirs(image), '/etc/passwd');
    return found.kind === 'file' ? await uidOfName(found.layerDir, name) : undefined;
  } catch {
    return undefined; // a passwd file the reader refuses (too large, not regular) proves nothing
  }
}

/** The uid a running container's /etc/passwd gives a name; undefined when it has none (or a file the reader refuses). */
async function containerUid(ctx: EngineContext, config: ContainerConfig, name: string): Promise<number | undefined> {
  try {
    return await uidOfName(await mountRootfs(ctx, config), name);
  } catch {
    return undefined;
  }
}

/** The container's image record, when it still exists (`rmi -f` can remove the image of a stopped container). */
function imageOf(ctx: EngineContext, config: ContainerConfig): ImageRecord | undefined {
  try {
    return ctx.images.resolve(config.imageId);
  } catch {
    return undefined;
  }
}

/**
 * Where the image came from, judged by the name the user gave: "busybox" is docker.io/library/busybox, a short
 * name found through the search list is that registry's, and an image named by id or id prefix has no registry
 * but is pinned by its id. A name is believed only when the image carries that repository: `repo@sha256:<id>`
 * finds any local image by its id, and must not let an image pulled from elsewhere pass for one of `repo`'s.
 */
function imageRefSubject(config: ContainerConfig, image: ImageRecord | undefined, search: readonly string[]): ImageRefSubject {
  const ref = config.image;
  if (!ref.startsWith('sha256:')) {
    const carried = new Set(image?.names.map((n) => repositoryKey(tryParse(n))));
    const candidates = [ref, ...(isShortName(ref) ? search.map((host) => `${host}/${ref}`) : [])];
    for (const text of candidates) {
      const parsed = tryParse(text);
      if (parsed && carried.has(repositoryKey(parsed))) return fromReference(parsed);
    }
    // The image is gone (`rmi -f` of a stopped container's image): only `policy check` and update get here.
    const parsed = tryParse(ref);
    if (!image && parsed && !/^[a-f0-9]{1,64}$/.test(ref)) return fromReference(parsed);
  }
  return { registry: '', repository: '', digest: config.imageId };
}

const repositoryKey = (r: ImageReference | undefined) => (r ? `${r.domain}/${r.path}` : '');

function tryParse(text: string): ImageReference | undefined {
  try {
    return parseReference(text);
  } catch {
    return undefined;
  }
}

function fromReference(r: ImageReference): ImageRefSubject {
  return { registry: r.domain, repository: r.path, ...(r.digest ? { digest: r.digest } : {}) };
}
