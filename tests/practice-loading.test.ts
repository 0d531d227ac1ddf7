// Start-up loading of scenarios/ and boosters/: a broken file stops start-up
// with a message naming the file and the field.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadPracticeContent } from '../src/practice/content.ts';
import { FIXTURES } from './practice-helpers.ts';
import { tempDir } from './helpers.ts';

const LESSONS = new Set(['fake-volume', 'fear-as-a-weapon']);

function withFiles(change: (root: string) => void): () => unknown {
  return () => {
    const root = tempDir('framecheck-practice-');
    try {
      cpSync(FIXTURES, root, { recursive: true });
      change(root);
      return loadPracticeContent(root, LESSONS);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

describe('loading practice content', () => {
  test('the fixtures load; folders that do not exist mean nothing to practise', () => {
    const content = loadPracticeContent(FIXTURES, LESSONS);
    assert.equal(content.scenario('fake-volume')!.title, 'The poll that everyone loves');
    assert.equal(content.pool('fake-volume')!.set(2).length, 6);
    assert.equal(content.scenario('fear-as-a-weapon'), undefined);
    const empty = loadPracticeContent(path.join(FIXTURES, 'no-such-folder'), LESSONS);
    assert.equal(empty.scenario('fake-volume'), undefined);
  });

  test('a broken scenario names the file and the field', () => {
    const file = 'scenarios/07-fake-volume.yaml';
    assert.throws(withFiles((root) => writeFileSync(path.join(root, file), readFileSync(path.join(root, file), 'utf8').replace('technique: fear', 'technique: dread'))), /scenarios\/07-fake-volume\.yaml: nodes\.n6\.technique: must be one of/);
    assert.throws(withFiles((root) => writeFileSync(path.join(root, file), readFileSync(path.join(root, file), 'utf8').replace('next: e2', 'next: e9'))), /scenarios\/07-fake-volume\.yaml: nodes\.n7\.choices\.1\.next: no node or ending has the id "e9"/);
    assert.throws(withFiles((root) => writeFileSync(path.join(root, file), 'lessonId: [')), /scenarios\/07-fake-volume\.yaml: not valid YAML/);
  });

  test('a booster pool of the wrong size, for an unknown lesson, or a second file for one lesson, is refused', () => {
    const file = 'boosters/07-fake-volume.yaml';
    assert.throws(withFiles((root) => writeFileSync(path.join(root, file), readFileSync(path.join(root, file), 'utf8').split('  - id: q12')[0])), /boosters\/07-fake-volume\.yaml: questions: a booster pool holds 12 questions/);
    assert.throws(withFiles((root) => writeFileSync(path.join(root, 'boosters/13-no-such-lesson.yaml'), readFileSync(path.join(root, file), 'utf8').replace('lessonId: fake-volume', 'lessonId: no-such-lesson'))), /13-no-such-lesson\.yaml: lessonId: no lesson has the id "no-such-lesson"/);
    assert.throws(
      withFiles((root) => {
        mkdirSync(path.join(root, 'boosters'), { recursive: true });
        writeFileSync(path.join(root, 'boosters/09-fear-as-a-weapon.yaml'), readFileSync(path.join(root, file), 'utf8'));
      }),
      /09-fear-as-a-weapon\.yaml: lessonId: must be "fear-as-a-weapon", the name of the file/,
    );
  });
});
