// Lessons and quizzes are loaded once at start-up; a broken file stops the
// server with a message naming the file and the field. Markdown is rendered safely.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadCatalog, parseLesson, parseQuiz } from '../src/content/catalog.ts';
import { renderMarkdown } from '../src/content/markdown.ts';
import { startServer } from './server-process.ts';
import { ROOT, startApp, tempDir, Client } from './helpers.ts';

const lesson = readFileSync(path.join(ROOT, 'lessons', '01-recruitment-funnel.md'), 'utf8');
const quiz = readFileSync(path.join(ROOT, 'quizzes', '01-recruitment-funnel.yaml'), 'utf8');

test('a lesson without a required field is rejected with the file and the field named', () => {
  const broken = lesson.replace(/^summary:.*\n/m, '');
  assert.throws(() => parseLesson('lessons/01-recruitment-funnel.md', broken), /lessons\/01-recruitment-funnel\.md: summary: /);
  assert.throws(() => parseLesson('lessons/01-recruitment-funnel.md', lesson.replace(/^minutes: .*$/m, 'minutes: soon')), /minutes/);
});

test('a quiz with a bad question is rejected with the file and the field path', () => {
  const noRight = quiz.replace(/correct: true/, 'correct: false');
  assert.throws(() => parseQuiz('quizzes/01-x.yaml', noRight), /quizzes\/01-x\.yaml: questions\.0\.options: a single-choice question needs exactly one correct option/);
  assert.throws(() => parseQuiz('quizzes/01-x.yaml', quiz.replace(/explanation: /, 'explained: ')), /quizzes\/01-x\.yaml: questions\.0/);
});

test('a quiz for an unknown lesson stops the load', () => {
  const root = tempDir();
  mkdirSync(path.join(root, 'lessons'));
  mkdirSync(path.join(root, 'quizzes'));
  writeFileSync(path.join(root, 'lessons', '01-recruitment-funnel.md'), lesson);
  writeFileSync(path.join(root, 'quizzes', '01-recruitment-funnel.yaml'), quiz.replace(/^lessonId: .*$/m, 'lessonId: no-such-lesson'));
  assert.throws(() => loadCatalog(root), /quizzes\/01-recruitment-funnel\.yaml: lessonId: no lesson has the id "no-such-lesson"/);
  rmSync(root, { recursive: true });
});

test('Markdown: raw HTML is shown as text, unsafe links are dropped, cards are announced as examples', () => {
  const html = renderMarkdown('<script>alert(1)</script>\n\nHi <b>there</b> [bad](javascript:alert(1)) [ok](/help) [web](https://example.org)\n\n```post\nfrom: Sunrise Collective\n---\nCome <home>\n```\n');
  assert.doesNotMatch(html, /<script>|<b>/);
  assert.match(html, /&lt;script&gt;/);
  assert.doesNotMatch(html, /javascript:/);
  assert.match(html, /<a href="\/help">ok<\/a>/);
  assert.match(html, /<a href="https:\/\/example.org" rel="noopener noreferrer">web<\/a>/);
  assert.match(html, /<figure class="card card-post"><figcaption><span class="card-kind">Example post<\/span>/);
  assert.match(html, /Come &lt;home&gt;/);
});

test('the help page shows the contacts a school puts in DATA_DIR/help.yaml, read again when it changes', async () => {
  const t = await startApp();
  try {
    const client = new Client(t.app);
    const before = await client.page('/help');
    assert.match(before.text, /free national services in the UK/);
    writeFileSync(path.join(t.dataDir, 'help.yaml'), 'school: Hillside <High>\ncontacts:\n  - name: Safeguarding lead\n    details: Mr Obi, room 3\nhelplines:\n  - name: Teen Line\n    phone: 0800 123 456\n');
    const after = await client.page('/help');
    assert.match(after.text, /Mr Obi, room 3/);
    assert.match(after.text, /Hillside &lt;High&gt;/);
    assert.match(after.text, /href="tel:0800123456"/);
    assert.doesNotMatch(after.text, /Childline/);
    const json = await client.get('/help');
    assert.equal(json.body.help.helplines[0].name, 'Teen Line');
  } finally {
    await t.close();
  }
});

test('a broken help.yaml stops the server at start-up, naming the file and field', async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'help.yaml'), 'helplines:\n  - phone: 123\n');
  await assert.rejects(startServer(dir), /help\.yaml: helplines\.0\.name/);
  rmSync(dir, { recursive: true });
});
