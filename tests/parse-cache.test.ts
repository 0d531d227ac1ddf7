// Parsed content is cached across starts: an unchanged file is not parsed
// again, an edited one is, the cached result is the same as a fresh parse,
// and a cache that cannot be read or written never stops a start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cachedParse, withParseCache } from '../src/content/parse-cache.ts';
import { loadCatalog } from '../src/content/catalog.ts';
import { ROOT, tempDir } from './helpers.ts';

function counting() {
  let parses = 0;
  const parse = (source: string) => () => {
    parses++;
    return { text: source, list: [1, 2, { nested: true }] };
  };
  return { parse, count: () => parses };
}

test('a source parsed on one start is read from the cache on the next; an edited source is parsed again', () => {
  const root = tempDir();
  try {
    writeFileSync(path.join(root, 'package.json'), '{}');
    const first = counting();
    withParseCache(root, () => cachedParse('yaml', 'a: 1', first.parse('a: 1')));
    assert.equal(first.count(), 1);
    const second = counting();
    const again = withParseCache(root, () => [cachedParse('yaml', 'a: 1', second.parse('a: 1')), cachedParse('yaml', 'a: 2', second.parse('a: 2'))]);
    assert.equal(second.count(), 1, 'only the edited source is parsed');
    assert.deepEqual(again[0], { text: 'a: 1', list: [1, 2, { nested: true }] });
    // The same source under another kind of parse is another entry.
    const third = counting();
    withParseCache(root, () => cachedParse('markdown', 'a: 1', third.parse('a: 1')));
    assert.equal(third.count(), 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('results JSON would change (a Date) are never cached; outside a start nothing is cached', () => {
  const root = tempDir();
  try {
    writeFileSync(path.join(root, 'package.json'), '{}');
    let parses = 0;
    const dated = () => {
      parses++;
      return { when: new Date(0) };
    };
    withParseCache(root, () => cachedParse('front-matter', 'x', dated));
    const value = withParseCache(root, () => cachedParse('front-matter', 'x', dated));
    assert.equal(parses, 2);
    assert.ok(value.when instanceof Date);
    let plain = 0;
    cachedParse('yaml', 'y', () => ++plain);
    cachedParse('yaml', 'y', () => ++plain);
    assert.equal(plain, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a damaged cache file is ignored and replaced; an unwritable one does not stop loading', () => {
  const root = tempDir();
  try {
    writeFileSync(path.join(root, 'package.json'), '{}');
    mkdirSync(path.join(root, '.build'));
    writeFileSync(path.join(root, '.build', 'content-cache.json'), '{"version": "x", "entr');
    assert.equal(withParseCache(root, () => cachedParse('yaml', 'a', () => 'parsed')), 'parsed');
    assert.match(readFileSync(path.join(root, '.build', 'content-cache.json'), 'utf8'), /"entries"/);
    rmSync(path.join(root, '.build'), { recursive: true });
    writeFileSync(path.join(root, '.build'), 'a file where the folder should be');
    assert.equal(withParseCache(root, () => cachedParse('yaml', 'a', () => 'parsed')), 'parsed');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the course loaded through the cache is the course loaded without it, and an edited lesson shows its edit', () => {
  const root = tempDir();
  try {
    for (const folder of ['lessons', 'quizzes', 'assessments', 'scenarios', 'boosters', 'content']) cpSync(path.join(ROOT, folder), path.join(root, folder), { recursive: true });
    writeFileSync(path.join(root, 'package.json'), '{}');
    const plain = loadCatalog(root);
    const cold = withParseCache(root, () => loadCatalog(root));
    const warm = withParseCache(root, () => loadCatalog(root));
    const shape = (catalog: ReturnType<typeof loadCatalog>) => JSON.stringify({ lessons: catalog.lessons, quizzes: catalog.lessons.map((lesson) => catalog.quiz(lesson.id)), bank: catalog.bank });
    assert.equal(shape(cold), shape(plain));
    assert.equal(shape(warm), shape(plain));
    const file = path.join(root, plain.lessons[0].file.replace(/^lessons[\\/]/, 'lessons/'));
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n\n([A-Z])/, '\n\nEdited paragraph here.\n\n$1'));
    const edited = withParseCache(root, () => loadCatalog(root));
    assert.match(edited.lessons[0].html, /Edited paragraph here\./);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
