import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkItemBank } from '../src/content/bank-checker.ts';
import { ROOT } from './helpers.ts';

const FILE = 'assessments/items.yaml';
const real = readFileSync(path.join(ROOT, FILE), 'utf8');

test('the real item bank passes', () => {
  const { problems, stats } = checkItemBank(FILE, real, ['pastebin.com']);
  assert.deepEqual(problems, []);
  assert.equal(stats!.pairs, 24);
});

test('a link in an item is refused with its line', () => {
  const broken = real.replace(/(manipulative:\n\s+type: \w+\n(?:\s+from: .*\n)?\s+text: \|\n\s+)/, '$1Read more at www.example.com today. ');
  const { problems } = checkItemBank(FILE, broken);
  const problem = problems.find((p) => /links or web addresses/.test(p.message));
  assert.ok(problem, JSON.stringify(problems));
  assert.ok(problem.line > 20);
});

test('a deny-listed host is named', () => {
  const broken = real.replace(/(neutral:\n\s+type: \w+\n(?:\s+from: .*\n)?\s+text: \|\n\s+)/, '$1See https://pastebin.com/abc now. ');
  const { problems } = checkItemBank(FILE, broken, ['pastebin.com']);
  assert.ok(problems.some((p) => /deny-listed host "pastebin.com"/.test(p.message)), JSON.stringify(problems));
});

test('raw HTML, unbalanced forms and too few pairs are refused', () => {
  const html = checkItemBank(FILE, real.replace(/explanation: >-\n(\s+)/, 'explanation: >-\n$1<b>Bold</b> '));
  assert.ok(html.problems.some((p) => /raw HTML/.test(p.message)));
  const unbalanced = checkItemBank(FILE, real.replace('form: A', 'form: C'));
  assert.ok(unbalanced.problems.some((p) => /form A needs 8 pairs, found 7/.test(p.message)));
  const cut = real.slice(0, real.indexOf('# ---------------------------------------------------------------- Form B'));
  const few = checkItemBank(FILE, cut);
  assert.ok(few.problems.some((p) => /at least 20 matched pairs/.test(p.message)), JSON.stringify(few.problems));
});

test('hard-to-read items are refused', () => {
  const hard = real.replace(/text: \|\n(\s+)/g, 'text: |\n$1Notwithstanding considerable institutional interdependencies, organisational communications professionals systematically misrepresent extraordinarily complicated sociopolitical circumstances. ');
  const { problems } = checkItemBank(FILE, hard);
  assert.ok(problems.some((p) => /reading grade/.test(p.message)), JSON.stringify(problems.slice(0, 3)));
});
