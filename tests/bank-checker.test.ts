// The item-bank checker (src/content/bank-checker.ts): the real bank passes,
// and each rule fires on a bank broken in one way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { checkItemBank, type BankCheckOptions } from '../src/content/bank-checker.ts';
import { parseDenyNames } from '../src/content/deny-names.ts';
import { cueFigure, capitalisedWords } from '../src/content/surface-cues.ts';
import { ROOT } from './helpers.ts';

const FILE = 'assessments/items.yaml';
const real = readFileSync(path.join(ROOT, FILE), 'utf8');
const denyNames = parseDenyNames(readFileSync(path.join(ROOT, 'content', 'deny-names.txt'), 'utf8'));
const course = ['lessons', 'quizzes'].flatMap((folder) =>
  readdirSync(path.join(ROOT, folder))
    .filter((name) => /\.(md|ya?ml)$/.test(name))
    .map((name) => ({ file: `${folder}/${name}`, source: readFileSync(path.join(ROOT, folder, name), 'utf8') })),
);

function check(source: string, options: BankCheckOptions = {}) {
  return checkItemBank(FILE, source, options);
}

function fires(source: string, pattern: RegExp, options: BankCheckOptions = {}) {
  const { problems } = check(source, options);
  const problem = problems.find((p) => pattern.test(p.message));
  assert.ok(problem, `expected ${pattern} in ${JSON.stringify(problems.slice(0, 5), null, 1)}`);
  return problem;
}

/** The line of the first occurrence of `text` in the real bank. */
function lineOf(source: string, text: string): number {
  return source.slice(0, source.indexOf(text)).split('\n').length;
}

test('the real item bank passes every rule against the real lessons and quizzes', () => {
  const { problems, stats } = check(real, { denyHosts: ['pastebin.com'], denyNames, compareWith: course });
  assert.deepEqual(problems, []);
  assert.equal(stats!.pairs, 30);
  assert.deepEqual(stats!.forms, { A: 10, B: 10, C: 10 });
  assert.ok(stats!.grade <= 8);
  for (const figure of stats!.cues) {
    assert.ok(figure.itemAccuracy <= 0.65 && figure.pairAccuracy <= 0.65, `${figure.cue}: ${figure.itemAccuracy} ${figure.pairAccuracy}`);
  }
});

test('a link in an item is refused with its line', () => {
  const broken = real.replace(/(manipulative:\n\s+type: \w+\n(?:\s+from: .*\n)?\s+text: \|\n\s+)/, '$1Read more at www.example.com today. ');
  const problem = fires(broken, /links or web addresses/);
  assert.ok(problem.line > 20);
});

test('a deny-listed host is named', () => {
  const broken = real.replace(/(neutral:\n\s+type: \w+\n(?:\s+from: .*\n)?\s+text: \|\n\s+)/, '$1See https://pastebin.com/abc now. ');
  fires(broken, /deny-listed host "pastebin.com"/, { denyHosts: ['pastebin.com'] });
});

test('a deny-listed name (an attacker, a notoriety-seeking group) is refused at its line', () => {
  const target = 'Tonight the streets of Palmer Cross are not safe';
  const broken = real.replace(target, `${target}, just like the Terrorgram posts said,`);
  const problem = fires(broken, /names "Terrorgram"/, { denyNames });
  assert.equal(problem.line, lineOf(broken, target));
});

test('raw HTML and hard-to-read items are refused', () => {
  fires(real.replace(/explanation: >-\n(\s+)/, 'explanation: >-\n$1<b>Bold</b> '), /raw HTML/);
  const hard = real.replace(/text: \|\n(\s+)/g, 'text: |\n$1Notwithstanding considerable institutional interdependencies, organisational communications professionals systematically misrepresent extraordinarily complicated sociopolitical circumstances. ');
  fires(hard, /reading grade/);
});

test('a form that misses a technique, or is not parallel, is refused', () => {
  // The first pair (utopia, form A) moves to form B: A misses utopia, and A and B differ.
  const moved = real.replace(/technique: utopia\n(\s+)form: A/, 'technique: utopia\n$1form: B');
  fires(moved, /form A misses a technique: utopia/);
  fires(moved, /form B is not parallel to form A/);
  fires(moved, /form A has 9 pairs: it needs at least 10/);
  // A chat in form A turned into a post: the forms no longer hold the same kinds of card.
  const retyped = real.replace(/type: chat\n(\s+)from: Replies under a post about park rules/g, 'type: post\n$1from: Replies under a post about park rules');
  fires(retyped, /form B is not parallel to form A in its kinds of card \(A: chat 1, message 1, post 8; B: chat 2, message 1, post 7\)/);
});

test('a pair whose texts differ in length by more than 25% is refused at the pair', () => {
  const target = 'Out here, you finally belong.';
  const broken = real.replace(target, `${target} We have waited a long time for someone like you, and we knew it the moment we saw you.`);
  const problem = fires(broken, /pair "rangers-night": the texts differ in length by \d+%/);
  assert.equal(problem.line, lineOf(broken, '- id: rangers-night'));
});

test('a pair whose texts differ in numbers, exclamation marks or capitalised words is refused', () => {
  fires(real.replace('We ride out at night on secret missions', 'We ride out at 9 on secret missions'), /pair "rangers-night": the texts differ in the count of dates and numbers \(1 manipulative, 0 neutral\)/);
  fires(real.replace('Out here, you finally belong.', 'Out here, you finally belong!'), /pair "rangers-night": the texts differ in the count of '!'/);
  fires(real.replace('The ones at home never saw you', 'The ones at Hollow Farm never saw you'), /pair "rangers-night": the texts differ in the count of capitalised words \(2 manipulative, 0 neutral\)/);
});

test('the two items of a pair must come from the same speaker', () => {
  const broken = real.replace(/(neutral:\n\s+type: post\n\s+from: )Hollow Oak Rangers/, '$1Someone Else');
  fires(broken, /pair "rangers-night": the two items must be the same kind of card from the same speaker/);
});

test('an item that shares 8 words in a row with a lesson or a quiz is refused, naming the file', () => {
  const lesson = { file: 'lessons/05-fixture.md', source: 'Some lesson text. Every minute you wait, the queue grows. Stop and think. More text.' };
  const problem = fires(real, /residents-petition \(neutral\) text shares 8 words in a row with lessons\/05-fixture\.md: "every minute you wait the queue grows stop"/, { compareWith: [lesson] });
  assert.equal(problem.line, lineOf(real, 'Every minute you wait, the queue grows.') - 1, 'the line of its text field');
  const seven = { file: 'quizzes/05-fixture.yaml', source: 'text: every minute you wait the queue grows' };
  assert.deepEqual(check(real, { compareWith: [seven] }).problems, [], 'seven words in a row are allowed');
});

test('a speaker from a lesson or quiz card is refused in the bank', () => {
  const quiz = { file: 'quizzes/03-fixture.yaml', source: 'cards:\n  - type: post\n    from: Hollow Oak Rangers\n    text: hi\n' };
  fires(real, /rangers-night \(manipulative\) from: "Hollow Oak Rangers" is a speaker in quizzes\/03-fixture\.yaml/, { compareWith: [quiz] });
});

test('a surface cue that sorts the items better than 65% is refused, and its figure is in the stats', () => {
  // "Truly" added to every manipulative item: the "real/true" cue now sorts every item.
  let broken = real;
  broken = broken.replace(/(manipulative:\n\s+type: \w+\n\s+from: .*\n\s+text: \|\n\s+)/g, '$1Truly, ');
  const problem = fires(broken, /the surface cue ""real", "true" and kin" sorts 100% of items correctly \(in 30 manipulative and 2 neutral items/);
  assert.equal(problem.line, lineOf(broken, '- id: allotment-plots'), 'at the start of the pairs');
  const { stats } = check(broken);
  const figure = stats!.cues.find((cue) => cue.cue === 'real-true')!;
  assert.ok(figure.pairAccuracy > 0.95);
});

test('cue figures by hand: an item rule and a within-pair rule', () => {
  const items = [
    { pairId: 'p1', manipulative: true, text: 'Act now!' },
    { pairId: 'p1', manipulative: false, text: 'Act soon.' },
    { pairId: 'p2', manipulative: true, text: 'Come along!' },
    { pairId: 'p2', manipulative: false, text: 'Come along!' },
  ];
  const figure = cueFigure('exclamation', 'exclamation marks', items, (text) => (text.match(/!/g) ?? []).length);
  // Item rule "has ! -> manipulative": 3 of 4 right. Pair rule: p1 right (1), p2 tie (0.5): 75%.
  assert.equal(figure.itemAccuracy, 0.75);
  assert.equal(figure.pairAccuracy, 0.75);
  assert.equal(capitalisedWords('Go to Hill Street now. Then home.\nZed: we met Ana'), 3);
});
