// The practice content checker: the fixtures pass, and each rule fires on a
// fixture broken in one way.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { checkBoosterPool, checkPracticeContent, checkQuizTechniques, checkScenario } from '../src/content/practice-checker.ts';
import { FIXTURES } from './practice-helpers.ts';

const SCENARIO_FILE = 'scenarios/07-fake-volume.yaml';
const POOL_FILE = 'boosters/07-fake-volume.yaml';
const scenarioSource = readFileSync(path.join(FIXTURES, SCENARIO_FILE), 'utf8');
const poolSource = readFileSync(path.join(FIXTURES, POOL_FILE), 'utf8');
const lessonIds = new Set(['fake-volume', 'fear-as-a-weapon']);
const options = { lessonIds, denyHosts: ['pastebin.com'] };

/** The fixture with one change made to its data. */
function scenarioWith(change: (data: any) => void): string {
  const data = parse(scenarioSource);
  change(data);
  return stringify(data);
}
function poolWith(change: (data: any) => void): string {
  const data = parse(poolSource);
  change(data);
  return stringify(data);
}
const scenarioMessages = (source: string, file = SCENARIO_FILE) => checkScenario(file, source, options).problems.map((problem) => problem.message);
const poolMessages = (source: string, extra = {}) => checkBoosterPool(POOL_FILE, source, { ...options, ...extra }).problems.map((problem) => problem.message);

describe('scenario rules', () => {
  test('the fixture passes, with its stats', () => {
    const { problems, stats } = checkScenario(SCENARIO_FILE, scenarioSource, options);
    assert.deepEqual(problems, []);
    assert.equal(stats!.longestPath, 7);
    assert.deepEqual(stats!.endings, { safe: 1, pulledIn: 1 });
    assert.ok(stats!.grade <= 8, `grade ${stats!.grade}`);
  });

  const cases: [string, (data: any) => void, RegExp][] = [
    ['an unreachable node', (d) => { d.nodes.n9 = structuredClone(d.nodes.n7); d.nodes.n9.choices.forEach((c: any, i: number) => (c.id = `x${i}`)); }, /node "n9" cannot be reached from start/],
    ['a cycle', (d) => { d.nodes.n5.choices[0].next = 'n2'; }, /goes round in a circle \(n2 -> n3 -> n4 -> n5 -> n2\)/],
    ['a path that does not end', (d) => { d.nodes.n5.choices[0].next = 'nowhere'; }, /no node or ending has the id "nowhere"/],
    ['a longest path under 6', (d) => { d.nodes.n5.choices.forEach((c: any) => (c.next = 'e2')); }, /has 5 steps; it needs 6 to 10/],
    ['no pulled-in ending', (d) => { d.endings.e2.kind = 'safe'; }, /needs at least one ending of kind "pulled-in"/],
    ['no safe ending', (d) => { d.endings.e1.kind = 'pulled-in'; }, /needs at least one ending of kind "safe"/],
    ['a step without a technique', (d) => { delete d.nodes.n2.technique; }, /nodes\.n2\.technique/],
    ['an unknown technique', (d) => { d.nodes.n2.technique = 'gaslighting'; }, /nodes\.n2\.technique: must be one of/],
    ['a step without an explanation', (d) => { delete d.nodes.n3.explain; }, /nodes\.n3\.explain/],
    ['a choice without spotted', (d) => { delete d.nodes.n1.choices[0].spotted; }, /nodes\.n1\.choices\.0\.spotted/],
    ['a choice without why', (d) => { delete d.nodes.n1.choices[1].why; }, /nodes\.n1\.choices\.1\.why/],
    ['free text instead of choices', (d) => { d.nodes.n1.choices = [d.nodes.n1.choices[0]]; }, /give two or three replies/],
    ['no reply that spots it', (d) => { d.nodes.n4.choices.forEach((c: any) => (c.spotted = false)); }, /node "n4": give at least one reply that spots/],
    ['a message over 40 words', (d) => { d.nodes.n1.messages[0].text = Array.from({ length: 45 }, () => 'word').join(' '); }, /45 words; keep a message under 40/],
    ['a reading level above grade 8', (d) => { for (const node of Object.values<any>(d.nodes)) node.explain = 'Institutional communication strategies systematically operationalise psychological vulnerabilities, manufacturing extraordinary interpersonal dependencies, consequently undermining independent deliberation considerably.'; }, /reading grade [\d.]+ is above 8/],
    ['a link', (d) => { d.nodes.n2.messages[0].text = 'see the poll at www.example.com/poll'; }, /must not contain links or web addresses/],
    ['a deny-listed host', (d) => { d.nodes.n2.messages[0].text = 'read it at https://pastebin.com/abc'; }, /links to "pastebin\.com", a host on the deny-list/],
    ['raw HTML', (d) => { d.endings.e1.text = 'You <b>left</b>.'; }, /raw HTML is not allowed/],
    ['a choice id that gives the answer away', (d) => { d.nodes.n1.choices[0].id = 'c1-safe'; }, /gives the answer away \("safe"\)/],
    ['a lesson id that is not the file name', (d) => { d.lessonId = 'fear-as-a-weapon'; }, /lessonId: must be "fake-volume"/],
  ];
  for (const [what, change, expected] of cases) {
    test(`fires on ${what}`, () => {
      const messages = scenarioMessages(scenarioWith(change));
      assert.ok(messages.some((message) => expected.test(message)), `${expected} not in:\n${messages.join('\n')}`);
    });
  }

  test('problems carry the line of the field at fault', () => {
    const source = scenarioWith((d) => { d.nodes.n3.technique = 'gaslighting'; });
    const problem = checkScenario(SCENARIO_FILE, source, options).problems.find((p) => /technique/.test(p.message))!;
    assert.match(source.split('\n')[problem.line - 1], /technique: gaslighting/);
  });

  test('a broken YAML file and a bad file name are reported, not thrown', () => {
    assert.match(scenarioMessages('nodes: [')[0], /not valid YAML/);
    assert.ok(scenarioMessages(scenarioSource, 'scenarios/fake-volume.yaml').some((m) => /file name must look like NN-slug\.yaml/.test(m)));
    assert.ok(checkScenario(SCENARIO_FILE, scenarioSource, { lessonIds: new Set(['other']) }).problems.some((p) => /no lesson has the id "fake-volume"/.test(p.message)));
  });
});

describe('booster pool rules', () => {
  test('the fixture passes', () => {
    const { problems, stats } = checkBoosterPool(POOL_FILE, poolSource, options);
    assert.deepEqual(problems, []);
    assert.deepEqual(stats, { file: POOL_FILE, questions: 12, pairs: 4 });
  });

  const cases: [string, (data: any) => void, RegExp][] = [
    ['11 questions', (d) => { d.questions.pop(); }, /a booster pool holds 12 questions/],
    ['a missing technique', (d) => { delete d.questions[3].technique; }, /questions\.3\.technique/],
    ['an unknown technique key', (d) => { d.questions[3].technique = 'gaslighting'; }, /questions\.3\.technique: must be one of/],
    ['a missing explanation', (d) => { delete d.questions[1].explanation; }, /questions\.1\.explanation/],
    ['a pair with a missing card', (d) => { d.questions[3].cards = []; }, /pair "s1a" in set 1: a matched pair is two questions with one card each/],
    ['a set with one pair', (d) => { delete d.questions[2].pair; delete d.questions[5].pair; }, /set 1 \(questions 1-6\) needs 2 matched pairs and 2 single items; found 1 pair and 4 singles/],
    ['a pair split across sets', (d) => { d.questions[6].pair = 's1a'; }, /pair "s1a" is split across the two sets/],
    ['adjacent pair halves', (d) => { [d.questions[1], d.questions[3]] = [d.questions[3], d.questions[1]]; }, /pair "s1a": its two questions are next to each other/],
    ['the longest-option cue', (d) => { d.questions.forEach((q: any) => { if (!q.pair) q.options[1].text = 'Short'; }); }, /the right option is the longest in 4 of 4 single-answer questions/],
    ['absolutes only in wrong options', (d) => { d.questions.forEach((q: any) => { if (!q.pair) q.options[2].text = 'Whether every post was always shared late at night'; }); }, /wrong options use words like only\/always/],
    ['the manipulative card always first', (d) => {
      for (const index of [1, 4]) d.questions[index].cards = [{ type: 'post', label: 'Post A', manipulative: true, text: 'Many new accounts say one thing.' }, { type: 'post', label: 'Post B', text: 'A friend says what she thinks.' }];
    }, /the manipulative card is first in 2 of 2 two-card questions/],
    ['a question id with an answer word', (d) => { d.questions[1].id = 'tricky-one'; }, /question id "tricky-one" contains the answer word "tricky"/],
    ['an option id with an answer word', (d) => { d.questions[1].options[0].id = 'yes'; }, /option id "yes" contains the answer word "yes"/],
    ['a link in an item', (d) => { d.questions[1].prompt = 'Is the poll at www.example.com real?'; }, /must not contain links/],
  ];
  for (const [what, change, expected] of cases) {
    test(`fires on ${what}`, () => {
      const messages = poolMessages(poolWith(change));
      assert.ok(messages.some((message) => expected.test(message)), `${expected} not in:\n${messages.join('\n')}`);
    });
  }

  test('fires on text copied from the lesson, its quiz or the check-up bank (a run of 8 words)', () => {
    const lesson = { name: 'lessons/07-fake-volume.md', text: 'Remember: fifty new accounts all wrote the same line in one minute, which is a sign.' };
    const messages = poolMessages(poolSource, { notCopiedFrom: [lesson] });
    assert.ok(messages.some((m) => /question 1 shares the words "fifty new accounts all wrote the same line" with lessons\/07-fake-volume\.md/.test(m)), messages.join('\n'));
    assert.deepEqual(poolMessages(poolSource, { notCopiedFrom: [{ name: 'x', text: 'fifty new accounts all wrote the same' }] }), [], 'seven words in common is fine');
  });
});

describe('quizzes and the whole folder', () => {
  test('a quiz question may name its technique, but only one of the ten keys', () => {
    const quiz = 'lessonId: your-toolkit\nquestions:\n  - id: q1\n    technique: urgency\n  - id: q2\n    technique: panic\n';
    assert.deepEqual(checkQuizTechniques('quizzes/12-your-toolkit.yaml', quiz).map((p) => [p.line, p.message.slice(0, 40)]), [[6, 'question 2: technique "panic" is not one']]);
  });

  test('the course folder check: boosters must not copy their own lesson; other lessons do not count', () => {
    const lessons = [{ file: 'lessons/07-fake-volume.md', source: 'Fifty new accounts all wrote the same line in one minute.' }];
    const report = checkPracticeContent({ scenarios: [{ file: SCENARIO_FILE, source: scenarioSource }], boosters: [{ file: POOL_FILE, source: poolSource }], lessons, quizzes: [] });
    assert.ok(report.problems.some((p) => /shares the words/.test(p.message)));
    const other = checkPracticeContent({ scenarios: [], boosters: [{ file: POOL_FILE, source: poolSource }], lessons: [{ file: 'lessons/07-fake-volume.md', source: 'x' }, { file: 'lessons/09-fear-as-a-weapon.md', source: lessons[0].source }], quizzes: [] });
    assert.deepEqual(other.problems, []);
    assert.match(report.summary, /1 chat scenario \(longest paths 7\), 1 booster pool/);
  });

  test("a scenario whose lesson has no help section to show after the ending is a problem", () => {
    const scenarios = [{ file: SCENARIO_FILE, source: scenarioSource }];
    const without = checkPracticeContent({ scenarios, boosters: [], lessons: [{ file: 'lessons/07-fake-volume.md', source: '## Spot it\n\nText.\n' }], quizzes: [] });
    assert.deepEqual(without.problems.map((p) => p.message), ['its lesson (lessons/07-fake-volume.md) has no "## Get help" section to show after the ending']);
    const withHelp = checkPracticeContent({ scenarios, boosters: [], lessons: [{ file: 'lessons/07-fake-volume.md', source: '## Spot it\n\nText.\n\n## Get help\n\nTalk to an adult.\n' }], quizzes: [] });
    assert.deepEqual(withHelp.problems, []);
  });
});
