// After a crash, the engine removes the masquerade rules the bridge plugin tagged with a torn-down container's
// CNI id, and only those: a rule of another container and an untagged chain stay. Uses rules of its own only.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, it } from 'node:test';
import { sweepNatLeftovers } from '../../src/network/index.js';

const tag = randomBytes(4).toString('hex');
const gone = `bhtest${tag}gone`;
const kept = `bhtest${tag}kept`;
const chainGone = `CNI-bht${tag}a`;
const chainKept = `CNI-bht${tag}b`;
const ipt = (...args: string[]) => execFileSync('iptables', ['-w', '-t', 'nat', ...args]);
const comment = (id: string) => ['-m', 'comment', '--comment', `name: "bh-test" id: "${id}"`];

after(() => {
  for (const [ip, chain, id] of [['10.211.7.2', chainGone, gone], ['10.211.7.3', chainKept, kept]] as const) {
    spawnSync('iptables', ['-w', '-t', 'nat', '-D', 'POSTROUTING', '-s', `${ip}/32`, ...comment(id), '-j', chain]);
    spawnSync('iptables', ['-w', '-t', 'nat', '-F', chain]);
    spawnSync('iptables', ['-w', '-t', 'nat', '-X', chain]);
  }
});

it('removes exactly the tagged container\'s jump and chain', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
  for (const [ip, chain, id] of [['10.211.7.2', chainGone, gone], ['10.211.7.3', chainKept, kept]] as const) {
    ipt('-N', chain);
    ipt('-A', chain, '-d', '10.211.7.0/24', ...comment(id), '-j', 'ACCEPT');
    ipt('-A', chain, '!', '-d', '224.0.0.0/4', ...comment(id), '-j', 'MASQUERADE');
    ipt('-A', 'POSTROUTING', '-s', `${ip}/32`, ...comment(id), '-j', chain);
  }
  await sweepNatLeftovers([gone]);
  const rules = execFileSync('iptables', ['-w', '-t', 'nat', '-S']).toString();
  assert.ok(!rules.includes(chainGone), 'the torn-down container\'s chain and jump are gone');
  assert.ok(!rules.includes(gone));
  assert.equal(rules.split('\n').filter((l) => l.includes(chainKept)).length, 4, 'the other container\'s chain, rules and jump stay');
});
