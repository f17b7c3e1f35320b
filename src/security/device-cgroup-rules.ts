// --device-cgroup-rule (docker's HostConfig.DeviceCgroupRules): extra allow rules for the devices cgroup, in the
// kernel's own devices.allow syntax "TYPE MAJOR:MINOR ACCESS" (type a, b or c; numbers or * for any; access some
// of r, w and m). They open access to device numbers without creating nodes: the container makes those itself
// (mknod, which CAP_MKNOD in the default set allows) or gets them from a bind mount.
import { InvalidArgumentError } from '../core/index.js';
import type { DeviceRule } from './defaults.js';

const RULE_RE = /^([abc]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/;
const MAX_DEVICE_NUMBER = 2 ** 32 - 1;

/** One rule as the devices cgroup takes it; InvalidArgument naming the rule when it is not in that syntax. */
export function parseDeviceCgroupRule(text: string): DeviceRule {
  const m = RULE_RE.exec(text.trim());
  const bad = (why: string) => new InvalidArgumentError(`invalid --device-cgroup-rule "${text}": ${why}`);
  if (!m) throw bad('expected TYPE MAJOR:MINOR ACCESS such as "c 1:3 mr" (type a, b or c; * for any number; access of r, w and m)');
  const access = m[4]!;
  if (new Set(access).size !== access.length) throw bad(`access "${access}" repeats a letter`);
  const num = (s: string) => {
    if (s === '*') return undefined;
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n > MAX_DEVICE_NUMBER) throw bad(`device number ${s} is out of range`);
    return n;
  };
  const rule: DeviceRule = { allow: true, type: m[1] as DeviceRule['type'], access };
  const major = num(m[2]!);
  const minor = num(m[3]!);
  if (major !== undefined) rule.major = major;
  if (minor !== undefined) rule.minor = minor;
  return rule;
}

/** The rule written back in the one spelling the record keeps (surrounding blanks dropped). */
export function formatDeviceCgroupRule(rule: DeviceRule): string {
  return `${rule.type ?? 'a'} ${rule.major ?? '*'}:${rule.minor ?? '*'} ${rule.access}`;
}
