// The technique map rule (docs/mastery.md), by worked examples.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classLevel, masteryMap, techniqueMastery, toRevisit, weightOf, type Evidence } from '../src/practice/mastery.ts';
import { techniqueOfQuestion } from '../src/practice/techniques.ts';

const NOW = new Date('2027-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 24 * 60 * 60 * 1000).toISOString();
const answers = (n: number, correct: boolean, age: number, technique = 'fear', source: Evidence['source'] = 'quiz'): Evidence[] =>
  Array.from({ length: n }, () => ({ technique, correct, at: daysAgo(age), source }));

describe('mastery: worked examples from docs/mastery.md', () => {
  test('weights: new evidence counts 1, three weeks old 0.5, six weeks old 0.25; future times count as new', () => {
    assert.equal(weightOf(daysAgo(0), NOW), 1);
    assert.equal(weightOf(daysAgo(21), NOW), 0.5);
    assert.equal(weightOf(daysAgo(42), NOW), 0.25);
    assert.equal(weightOf(daysAgo(-3), NOW), 1);
  });

  test('no evidence: level 0', () => {
    assert.deepEqual(techniqueMastery([], NOW), { level: 0, evidence: 0, weight: 0, accuracy: null });
  });

  test('example 1: six right answers today -> level 3 (Strong)', () => {
    assert.deepEqual(techniqueMastery(answers(6, true, 0), NOW), { level: 3, evidence: 6, weight: 6, accuracy: 1 });
  });

  test('example 2: the same six answers three weeks later -> level 2; six weeks later -> level 1', () => {
    assert.equal(techniqueMastery(answers(6, true, 21), NOW).level, 2);
    assert.equal(techniqueMastery(answers(6, true, 21), NOW).weight, 3);
    assert.equal(techniqueMastery(answers(6, true, 42), NOW).level, 1);
    assert.equal(techniqueMastery(answers(6, true, 42), NOW).weight, 1.5);
  });

  test('example 3: six weeks old, then a booster of six right answers today -> back to level 3', () => {
    const evidence = [...answers(6, true, 42), ...answers(6, true, 0, 'fear', 'booster')];
    assert.deepEqual(techniqueMastery(evidence, NOW), { level: 3, evidence: 12, weight: 7.5, accuracy: 1 });
  });

  test('example 4: 3 of 5 right today (60%) -> level 1; 4 of 5 (80%) -> level 3 needs weight 4: 5 is enough', () => {
    assert.equal(techniqueMastery([...answers(3, true, 0), ...answers(2, false, 0)], NOW).level, 1);
    assert.equal(techniqueMastery([...answers(4, true, 0), ...answers(1, false, 0)], NOW).level, 3);
  });

  test('example 5: recent answers outweigh old ones: 4 wrong six weeks ago, 4 right today -> 80% -> level 3', () => {
    const result = techniqueMastery([...answers(4, false, 42), ...answers(4, true, 0)], NOW);
    assert.equal(result.accuracy, 0.8);
    assert.equal(result.level, 3);
  });

  test('example 6: mostly wrong -> level 0; one right answer months ago is too faint -> level 0', () => {
    assert.equal(techniqueMastery([...answers(1, true, 0), ...answers(3, false, 0)], NOW).level, 0);
    assert.equal(techniqueMastery(answers(1, true, 90), NOW).level, 0);
  });

  test('the map covers every technique asked for and ignores unknown keys', () => {
    const map = masteryMap(['fear', 'urgency'], [...answers(6, true, 0), ...answers(6, true, 0, 'not-a-technique')], NOW);
    assert.deepEqual([...map.keys()], ['fear', 'urgency']);
    assert.equal(map.get('fear')!.level, 3);
    assert.equal(map.get('urgency')!.level, 0);
  });

  test('class level is the mean to one decimal; revisit when below 2 or a third at level 0', () => {
    assert.equal(classLevel([3, 2, 2, 1]), 2);
    assert.equal(classLevel([3, 3, 0]), 2);
    assert.equal(classLevel([]), null);
    assert.deepEqual(
      toRevisit([
        { id: 'fear', classLevel: 2, levels: [3, 2, 2, 1] },
        { id: 'urgency', classLevel: 2, levels: [3, 3, 0] },
        { id: 'humour', classLevel: 1.3, levels: [1, 1, 2] },
        { id: 'utopia', classLevel: null, levels: [] },
      ]),
      ['humour', 'urgency'],
    );
  });

  test('a quiz question counts for its own technique, else its lesson\'s main one; mixed lessons need one named', () => {
    assert.equal(techniqueOfQuestion('fake-volume', {}), 'fake-volume');
    assert.equal(techniqueOfQuestion('fake-volume', { technique: 'fear' }), 'fear');
    assert.equal(techniqueOfQuestion('your-toolkit', {}), null);
    assert.equal(techniqueOfQuestion('your-toolkit', { technique: 'urgency' }), 'urgency');
  });
});
