// Golden tests of the static interference analysis: fixed container sets on fixed topologies must give exactly
// the committed JSON and table. Regenerate after an intended change with BH_UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { analyzeInterference, renderDot, renderTable } from '../../src/analysis/index.js';
import { GOLDEN_CASES } from './fixtures.js';

// Tests run from dist/test/analysis; the fixtures live in the source tree.
const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'analysis', 'golden');
const UPDATE = process.env.BH_UPDATE_GOLDEN === '1';

function golden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    assert.fail(`golden file ${path} is missing; run with BH_UPDATE_GOLDEN=1 to create it`);
  }
  assert.equal(actual, expected, `${file} differs from the golden file; if intended, regenerate with BH_UPDATE_GOLDEN=1`);
}

const hasDot = spawnSync('dot', ['-V']).status === 0;

describe('static interference analysis: golden files', () => {
  for (const c of GOLDEN_CASES) {
    it(`${c.name}: JSON report`, () => {
      golden(`${c.name}.json`, JSON.stringify(analyzeInterference(c.host, c.containers), null, 2) + '\n');
    });
    it(`${c.name}: table`, () => {
      golden(`${c.name}.txt`, renderTable(analyzeInterference(c.host, c.containers)));
    });
    it(`${c.name}: DOT renders with graphviz`, { skip: hasDot ? false : 'graphviz `dot` is not installed' }, () => {
      const dot = renderDot(analyzeInterference(c.host, c.containers));
      const out = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stdout, /<svg/);
      assert.equal(out.stderr, '', 'dot printed warnings');
      // Every resource on a kept path is drawn (graphviz writes '-' as &#45; in SVG text).
      const svg = out.stdout.replace(/&#45;/g, '-');
      for (const p of analyzeInterference(c.host, c.containers).subset.paths) assert.ok(svg.includes(`<title>r:${p.resource}</title>`), p.resource);
    });
  }
});
