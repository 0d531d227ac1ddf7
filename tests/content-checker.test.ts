// The content checker (src/content/checker.ts) and its CLI (scripts/check-content.ts).
// Every fault is proved on a course built from a valid template: 12 lessons and
// 12 quizzes that pass, with one file broken per test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkContent,
  deniedHost,
  formatProblem,
  lessonPlainText,
  parseDenyHosts,
  type CheckReport,
  type ContentFile,
  type Problem,
} from '../src/content/checker.ts';
import { parseDenyNames, scanDeniedNames } from '../src/content/deny-names.ts';
import { answerWordIn, rightIsLongest } from '../src/content/quiz-validity.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const denyHosts = parseDenyHosts(readFileSync(path.join(repoRoot, 'content', 'deny-hosts.txt'), 'utf8'));

// ---------------------------------------------------------------- templates

const EASY = [
  'Sam likes to play games with his friends after school.',
  'Rae reads the news on her phone at lunch.',
  'They talk about what they see and ask who made it.',
  'Some posts try to make you feel angry or sad.',
  'It is fine to stop, think and check a post first.',
  'A good friend will not ask you to keep a secret from your family.',
].join(' ');

const HARD =
  'Institutional communication infrastructures systematically exploit psychological vulnerabilities, ' +
  'generating considerable organisational legitimacy, international visibility and ideological ' +
  'radicalisation among inexperienced, impressionable individuals throughout contemporary societies.';

function section(filler: string, paragraphs: number): string {
  return Array.from({ length: paragraphs }, () => filler).join('\n\n');
}

/** A lesson that passes every rule (about 800 words, grade about 3). */
function makeLesson(order: number, filler = EASY, paragraphs = 3): string {
  const id = lessonId(order);
  return `---
id: ${id}
title: Lesson ${order}
summary: A short lesson about a trick that people use online.
minutes: 15
order: ${order}
case: ${order <= 6 ? 'far right' : 'IS'}
parentPrompt: >-
  Ask your teen which posts they trust, and why.
techniques:
  - term: The trick
    definition: A way to pull people in.
sources:
  - "Roozenbeek, J. & van der Linden, S. (2019). Palgrave Communications, 5:65."
---

## A new friend online

${section(filler, paragraphs)}

## The trick: a warning

${section(filler, paragraphs)}

## How it works

${section(filler, paragraphs)}

## A real case

${section(filler, paragraphs)}

## Spot it

\`\`\`post
from: Sunrise Collective
label: Uses the technique
---
Come to our club. We are a family. Leave your old team today.
\`\`\`

\`\`\`post
from: Harbour Hawks FC
label: Neutral twin
---
Open training on Tuesdays. All levels welcome.
\`\`\`

## What you can do

- Ask who made the post.
- Talk to a friend about it.

## Talk about it

- Why do people share posts like this?

## Get help

- Talk to a trusted adult.
- Talk to your school's safeguarding lead or counsellor.
- Use the platform's report button.
- Visit [the help page](/help) for support.
`;
}

function singleQuestion(id: string): string {
  return `  - id: ${id}
    kind: single
    prompt: What should you do when a post makes you angry?
    options:
      - id: stop
        text: Stop and check who made it
        correct: true
      - id: share
        text: Share it with your friends at once
    explanation: >-
      Strong feelings are a sign to slow down. Checking first keeps you in charge.
`;
}

/**
 * A quiz that passes every rule: 8 questions, 2 matched pairs, no answer
 * words in ids, pair halves apart; the manipulative card is first in odd
 * quizzes and second in even ones, so the course is balanced.
 */
function makeQuiz(order: number): string {
  const manipulativeCard = `      - type: post
        label: Post ${order % 2 ? 'A' : 'B'}
        manipulative: true
        text: Come to our club. We are a family. Leave your old team today.
`;
  const neutralCard = `      - type: post
        label: Post ${order % 2 ? 'B' : 'A'}
        text: Open training on Tuesdays. All levels welcome.
`;
  return `lessonId: ${lessonId(order)}
passPercent: 70
questions:
  - id: twins-club
    kind: single
    pair: club
    cards:
${order % 2 ? manipulativeCard + neutralCard : neutralCard + manipulativeCard}    prompt: Which post uses the trick?
    options:
      - id: a
        text: Post A
${order % 2 ? '        correct: true\n' : ''}      - id: b
        text: Post B
${order % 2 ? '' : '        correct: true\n'}    explanation: The post that says "leave your old team" uses the trick. The other does not.
  - id: hawks-1
    kind: single
    pair: hawks
    cards:
      - type: post
        text: We win every week. Quit your old team today.
    prompt: Does this post use the trick?
    options:
      - id: a
        text: "Yes, it asks you to cut ties."
        correct: true
      - id: b
        text: "No, it is just a club."
    explanation: It promises a perfect club and asks you to cut ties.
  - id: signs
    kind: multiple
    prompt: Which of these are warning signs? Choose all that apply.
    options:
      - id: secret
        text: Asking you to keep the chat secret
        correct: true
      - id: cut-ties
        text: Telling you to drop your old friends
        correct: true
      - id: rules
        text: Posting the club rules in public
    explanation: Secrets and cutting ties are warning signs. Public rules are not.
  - id: hawks-2
    kind: single
    pair: hawks
    cards:
      - type: post
        text: Open training on Tuesdays. We lose sometimes, but we have fun.
    prompt: Does this post use the trick?
    options:
      - id: a
        text: "No, it is honest about losing."
        correct: true
      - id: b
        text: "Yes, every club post is a trick."
    explanation: This is the neutral twin. It is friendly and honest.
${['check-1', 'check-2', 'check-3', 'check-4'].map(singleQuestion).join('')}`;
}

function lessonId(order: number): string {
  return `lesson-${String(order).padStart(2, '0')}`;
}
function lessonFile(order: number): string {
  return `lessons/${String(order).padStart(2, '0')}-${lessonId(order)}.md`;
}
function quizFile(order: number): string {
  return `quizzes/${String(order).padStart(2, '0')}-${lessonId(order)}.yaml`;
}

interface Course {
  lessons: ContentFile[];
  quizzes: ContentFile[];
}

function validCourse(): Course {
  const orders = Array.from({ length: 12 }, (_, index) => index + 1);
  return {
    lessons: orders.map((order) => ({ file: lessonFile(order), source: makeLesson(order) })),
    quizzes: orders.map((order) => ({ file: quizFile(order), source: makeQuiz(order) })),
  };
}

/** The valid course with lesson 3's source changed. */
function withLesson(change: (source: string) => string, order = 3): Course {
  const course = validCourse();
  const file = course.lessons[order - 1];
  file.source = change(file.source);
  return course;
}

/** The valid course with quiz 3's source changed. */
function withQuiz(change: (source: string) => string, order = 3): Course {
  const course = validCourse();
  const file = course.quizzes[order - 1];
  file.source = change(file.source);
  return course;
}

function check(course: Course): CheckReport {
  return checkContent({ ...course, denyHosts });
}

/** Replaces exactly one occurrence, so a template change can't silently miss. */
function replaceOnce(source: string, find: string, replacement: string): string {
  const at = source.indexOf(find);
  assert.ok(at >= 0, `template has no ${JSON.stringify(find)}`);
  assert.equal(source.indexOf(find, at + 1), -1, `template has more than one ${JSON.stringify(find)}`);
  return source.slice(0, at) + replacement + source.slice(at + find.length);
}

/** 1-based line of the first line containing `needle` (after `from`, when given). */
function lineOf(source: string, needle: string, from = ''): number {
  const start = from ? source.indexOf(from) : 0;
  const at = source.indexOf(needle, start);
  assert.ok(at >= 0, `no ${JSON.stringify(needle)} in source`);
  return source.slice(0, at).split('\n').length;
}

function show(problems: readonly Problem[]): string {
  return problems.map(formatProblem).join('\n') || '(no problems)';
}

function assertProblem(report: CheckReport, file: string, line: number, message: RegExp): void {
  const found = report.problems.some((problem) => problem.file === file && problem.line === line && message.test(problem.message));
  assert.ok(found, `expected ${file}:${line}: ${message}\ngot:\n${show(report.problems)}`);
}

function readFolder(root: string, folder: string, pattern: RegExp): ContentFile[] {
  const full = path.join(root, folder);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => ({ file: `${folder}/${name}`, source: readFileSync(path.join(full, name), 'utf8') }));
}

// ---------------------------------------------------------------- the baseline

test('the valid template course passes with its stats', () => {
  const report = check(validCourse());
  assert.deepEqual(report.problems, [], show(report.problems));
  assert.equal(report.stats.length, 12);
  const first = report.stats[0];
  assert.equal(first.id, 'lesson-01');
  assert.equal(first.minutes, 15);
  assert.equal(first.questions, 8);
  assert.equal(first.pairs, 2);
  assert.ok(first.words >= 700, `words ${first.words}`);
  assert.ok(first.grade <= 8, `grade ${first.grade}`);
  assert.equal(first.grade, Math.round(first.grade * 10) / 10);
});

test('the real lessons and quizzes pass', () => {
  const lessons = readFolder(repoRoot, 'lessons', /\.md$/);
  const quizzes = readFolder(repoRoot, 'quizzes', /\.ya?ml$/);
  assert.ok(lessons.length >= 12);
  const report = check({ lessons, quizzes });
  assert.deepEqual(report.problems, [], show(report.problems));
  for (const row of report.stats) {
    assert.ok(row.questions >= 8 && row.pairs >= 2, JSON.stringify(row));
  }
});

// ---------------------------------------------------------------- front matter

test('fails a lesson with no front matter, at line 1', () => {
  const report = check(withLesson((source) => source.replace(/^---[\s\S]*?\n---\n/, '')));
  assertProblem(report, lessonFile(3), 1, /no front matter/);
});

test('fails a front matter field that is missing, at line 1', () => {
  const report = check(withLesson((source) => replaceOnce(source, 'title: Lesson 3\n', '')));
  assertProblem(report, lessonFile(3), 1, /^title: missing/);
});

test('fails an invalid front matter field, at the line of the field', () => {
  const source = replaceOnce(makeLesson(3), 'minutes: 15', 'minutes: ten');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, 'minutes:'), /^minutes: /);
});

test('fails front matter that is not valid YAML, at its line', () => {
  const source = replaceOnce(makeLesson(3), 'summary: A short', 'summary: [A short');
  const report = check(withLesson(() => source));
  assert.ok(report.problems.some((problem) => problem.file === lessonFile(3) && /not valid YAML/.test(problem.message)), show(report.problems));
});

test('fails an empty parentPrompt, at its line', () => {
  const source = replaceOnce(makeLesson(3), 'parentPrompt: >-\n  Ask your teen which posts they trust, and why.\n', 'parentPrompt: "  "\n');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, 'parentPrompt:'), /^parentPrompt: must not be empty/);
});

test('fails a missing parentPrompt, at line 1', () => {
  const report = check(withLesson((source) => replaceOnce(source, 'parentPrompt: >-\n  Ask your teen which posts they trust, and why.\n', '')));
  assertProblem(report, lessonFile(3), 1, /^parentPrompt: missing/);
});

test('fails a lesson with an empty sources list, at its line', () => {
  const source = replaceOnce(
    makeLesson(3),
    'sources:\n  - "Roozenbeek, J. & van der Linden, S. (2019). Palgrave Communications, 5:65."\n',
    'sources: []\n',
  );
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, 'sources:'), /^sources: list at least one source/);
});

test('fails a lesson with no sources field, at line 1', () => {
  const report = check(
    withLesson((source) =>
      replaceOnce(source, 'sources:\n  - "Roozenbeek, J. & van der Linden, S. (2019). Palgrave Communications, 5:65."\n', ''),
    ),
  );
  assertProblem(report, lessonFile(3), 1, /^sources: missing/);
});

test('fails an unknown front matter field, at its line', () => {
  const source = replaceOnce(makeLesson(3), 'minutes: 15\n', 'minutes: 15\nauthor: Someone\n');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, 'author:'), /^author: unknown field/);
});

test('fails a lesson id that is not the file name', () => {
  const source = replaceOnce(makeLesson(3), 'id: lesson-03', 'id: lesson-three');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), 2, /^id: must be "lesson-03"/);
});

// ---------------------------------------------------------------- across files

test('fails duplicate lesson ids, at the id line of the second lesson', () => {
  const course = validCourse();
  course.lessons[3].source = replaceOnce(course.lessons[3].source, 'id: lesson-04', 'id: lesson-03');
  const report = check(course);
  assertProblem(report, lessonFile(4), 2, /id: "lesson-03" is also used by lessons\/03-lesson-03\.md/);
});

test('fails a quiz whose lessonId has no lesson, at the lessonId line', () => {
  const report = check(withQuiz((source) => replaceOnce(source, 'lessonId: lesson-03', 'lessonId: no-such-lesson')));
  assertProblem(report, quizFile(3), 1, /lessonId: no lesson has the id "no-such-lesson"/);
});

test('fails a lesson without a quiz', () => {
  const course = validCourse();
  course.quizzes.splice(4, 1);
  const report = check(course);
  assertProblem(report, lessonFile(5), 1, /no quiz/);
});

test('fails fewer than 12 lessons', () => {
  const course = validCourse();
  course.lessons.splice(11, 1);
  course.quizzes.splice(11, 1);
  const report = check(course);
  assertProblem(report, 'lessons', 1, /11 lessons: the course needs at least 12/);
});

test('fails a link to a lesson that does not exist', () => {
  const source = replaceOnce(makeLesson(3), '- Talk to a friend about it.', '- Read [another lesson](/lessons/no-such-lesson).');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, '/lessons/no-such-lesson'), /no lesson has the id "no-such-lesson"/);
});

test('fails a quiz file not named like its lesson', () => {
  const course = validCourse();
  course.quizzes[2].file = 'quizzes/03-other-name.yaml';
  const report = check(course);
  assertProblem(report, 'quizzes/03-other-name.yaml', 1, /must be 03-lesson-03\.yaml/);
});

// ---------------------------------------------------------------- quiz questions

test('fails duplicate question ids, at the second question', () => {
  const source = replaceOnce(makeQuiz(3), '  - id: check-2', '  - id: check-1');
  const report = check(withQuiz(() => source));
  const second = source.indexOf('  - id: check-1', source.indexOf('  - id: check-1') + 1);
  assertProblem(report, quizFile(3), source.slice(0, second).split('\n').length, /duplicate question id "check-1"/);
});

test('fails duplicate question ids even when another field of the quiz is broken', () => {
  let source = replaceOnce(makeQuiz(3), '  - id: check-2', '  - id: check-1');
  source = replaceOnce(source, 'passPercent: 70', 'passPercent: 700');
  const report = check(withQuiz(() => source));
  assert.ok(report.problems.some((problem) => /duplicate question id "check-1"/.test(problem.message)), show(report.problems));
  assert.ok(report.problems.some((problem) => /^passPercent: /.test(problem.message)), show(report.problems));
});

test('fails a single-choice question with no right option, at the question', () => {
  const source = replaceOnce(makeQuiz(3), '      - id: a\n        text: Post A\n        correct: true\n', '      - id: a\n        text: Post A\n');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '  - id: twins-club'), /question "twins-club".*exactly one correct option, found 0/);
});

test('fails a single-choice question with two right options, at the question', () => {
  const source = replaceOnce(makeQuiz(3), '      - id: b\n        text: Post B\n', '      - id: b\n        text: Post B\n        correct: true\n');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '  - id: twins-club'), /exactly one correct option, found 2/);
});

test('fails a multiple-choice question with no right option, at the question', () => {
  const source = makeQuiz(3).replace(/(      - id: (?:secret|cut-ties)\n        text: [^\n]*\n)        correct: true\n/g, '$1');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '  - id: signs'), /question "signs".*at least one correct option/);
});

test('fails a right-option count even when the question has another fault', () => {
  let source = replaceOnce(makeQuiz(3), '      - id: b\n        text: Post B\n', '      - id: b\n        text: Post B\n        correct: true\n');
  source = replaceOnce(source, '    explanation: The post that says "leave your old team" uses the trick. The other does not.\n', '');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '  - id: twins-club'), /exactly one correct option, found 2/);
  assertProblem(report, quizFile(3), lineOf(source, '  - id: twins-club'), /explanation: missing/);
});

test('fails a question without text, at its line', () => {
  const source = replaceOnce(makeQuiz(3), '    prompt: Which post uses the trick?', '    prompt: ""');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '    prompt: ""'), /question "twins-club", prompt: must not be empty/);
});

test('fails a question with no prompt at all, at the question', () => {
  const source = replaceOnce(makeQuiz(3), '    prompt: Which post uses the trick?\n', '');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '  - id: twins-club'), /question "twins-club", prompt: missing/);
});

test('fails an option without text, at the option', () => {
  const source = replaceOnce(makeQuiz(3), '        text: Posting the club rules in public', '        text: ""');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '        text: ""'), /question "signs", option "rules", text: must not be empty/);
});

test('fails an option with no text field, at the option', () => {
  const source = replaceOnce(makeQuiz(3), '      - id: rules\n        text: Posting the club rules in public\n', '      - id: rules\n');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '      - id: rules'), /option "rules", text: missing/);
});

test('fails a missing explanation, at the question', () => {
  const source = replaceOnce(makeQuiz(3), '    explanation: This is the neutral twin. It is friendly and honest.\n', '');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '  - id: hawks-2'), /question "hawks-2", explanation: missing/);
});

test('fails an empty explanation, at its line', () => {
  const source = replaceOnce(makeQuiz(3), '    explanation: This is the neutral twin. It is friendly and honest.', '    explanation: ""');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '    explanation: ""'), /explanation: must not be empty/);
});

test('fails a quiz with fewer than 8 questions', () => {
  const source = replaceOnce(makeQuiz(3), singleQuestion('check-4'), '');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, 'questions:'), /7 questions: a quiz needs at least 8/);
});

test('fails a quiz with fewer than 2 matched pairs', () => {
  const source = makeQuiz(3).replace(/    pair: hawks\n/g, '');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, 'questions:'), /1 matched pair: a quiz needs at least 2/);
  assert.equal(report.stats[2].pairs, 1);
});

test('fails a pair id whose questions hold other than two cards', () => {
  const source = replaceOnce(
    makeQuiz(3),
    '        text: Open training on Tuesdays. We lose sometimes, but we have fun.\n',
    '        text: Open training on Tuesdays. We lose sometimes, but we have fun.\n      - type: post\n        text: A third card.\n',
  );
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '    pair: hawks'), /pair "hawks": its questions hold 3 cards in all/);
  assertProblem(report, quizFile(3), lineOf(source, 'questions:'), /1 matched pair/);
});

test('fails quiz YAML that does not parse, at its line', () => {
  const source = replaceOnce(makeQuiz(3), '    kind: multiple\n', '    kind: multiple\n   bad: [\n');
  const report = check(withQuiz(() => source));
  assert.ok(report.problems.some((problem) => problem.file === quizFile(3) && /not valid YAML/.test(problem.message)), show(report.problems));
});

// ---------------------------------------------------------------- cases and names (issue 12)

test('fails a lesson without a case: field, at line 1', () => {
  const report = check(withLesson((source) => replaceOnce(source, 'case: far right\n', '')));
  assertProblem(report, lessonFile(3), 1, /case: missing/);
});

test('fails a course where fewer than six lessons have a main case other than IS', () => {
  const report = check(withLesson((source) => replaceOnce(source, 'case: far right\n', 'case: Islamic State\n')));
  assertProblem(report, 'lessons', 1, /5 lessons have a main case \(case:\) other than IS: at least 6 must/);
  assert.equal(report.stats[2].case, 'Islamic State');
});

test('fails an attacker\'s name or a notoriety-seeking group in a lesson or a quiz, at its line', () => {
  const names = parseDenyNames(readFileSync(path.join(repoRoot, 'content', 'deny-names.txt'), 'utf8'));
  const lesson = replaceOnce(makeLesson(3), '## A real case\n', '## A real case\n\nIn 2019 Brenton\nTarrant filmed his attack.\n');
  const quiz = replaceOnce(makeQuiz(3), 'It promises a perfect club', 'Like Atomwaffen, it promises a perfect club');
  const course = withLesson(() => lesson);
  course.quizzes[2].source = quiz;
  const report = checkContent({ ...course, denyHosts, denyNames: names });
  assertProblem(report, lessonFile(3), lineOf(lesson, 'In 2019 Brenton'), /names "Brenton Tarrant", on the list of attackers and notoriety-seeking groups/);
  assertProblem(report, quizFile(3), lineOf(quiz, 'Like Atomwaffen'), /names "Atomwaffen"/);
  assert.equal(report.problems.filter((problem) => /names "/.test(problem.message)).length, 2, 'one problem per place, not per list entry');
  assert.deepEqual(checkContent({ ...validCourse(), denyHosts, denyNames: names }).problems, [], 'the template names nobody');
});

test('the name deny-list holds the required names and matches whole words only', () => {
  const names = parseDenyNames(readFileSync(path.join(repoRoot, 'content', 'deny-names.txt'), 'utf8'));
  for (const name of ['Brenton Tarrant', 'Breivik', 'Terrorgram', 'Feuerkrieg Division', '764']) assert.ok(names.includes(name), name);
  assert.ok(!names.includes('National Action'), 'the shared docs name National Action as an object of study');
  assert.equal(scanDeniedNames('x', 'In 2024 there were 1,764 posts, and Tarrantino is a film maker.', names).length, 0);
  assert.equal(scanDeniedNames('x', 'a group called 764 and another', names).length, 1);
});

// ---------------------------------------------------------------- quiz validity (issue 11)

/** Four single-answer questions with three options each; `longestRight` of them have the right option longest. */
function threeOptionQuestions(longestRight: number): string {
  return Array.from({ length: 4 }, (_, index) => {
    const rightLong = index < longestRight;
    return `  - id: sort-${index + 1}
    kind: single
    prompt: Which is a sign of the trick?
    options:
      - id: a
        text: ${rightLong ? 'Being asked to keep a long chat secret from your family' : 'A secret'}
        correct: true
      - id: b
        text: Posting club rules in public
      - id: c
        text: Training times on a poster
    explanation: Secrets are the warning sign. Public rules and posters are not.
`;
  }).join('');
}

test('fails a quiz whose right option is the longest in more than 45% of 3+ option questions, naming the figure', () => {
  const failing = makeQuiz(3) + threeOptionQuestions(2); // 2 of 4 = 50%
  const report = check(withQuiz(() => failing));
  assertProblem(report, quizFile(3), lineOf(failing, 'questions:'), /the right option is the longest in 2 of 4 single-answer questions with 3\+ options \(50%, limit 45%; questions at lines \d+, \d+\)/);
  assert.deepEqual(report.stats[2].longest, { right: 2, of: 4 });
  const passing = check(withQuiz(() => makeQuiz(3) + threeOptionQuestions(1))); // 25%
  assert.deepEqual(passing.problems, [], show(passing.problems));
});

test('ties count as longest', () => {
  const tie = makeQuiz(3) + threeOptionQuestions(0).replace(/text: A secret/g, 'text: Posting club rules in public');
  const report = check(withQuiz(() => tie));
  assertProblem(report, quizFile(3), lineOf(tie, 'questions:'), /longest in 4 of 4/);
});

/** Two-card questions, `first` of them with the manipulative card first. */
function twoCardQuestions(count: number, first: number): string {
  return Array.from({ length: count }, (_, index) => {
    const cards = [
      '      - type: post\n        label: Post A\n        text: Leave your old team today.\n',
      '      - type: post\n        label: Post B\n        text: Training is on Tuesdays.\n',
    ];
    if (index < first) cards[0] = cards[0].replace('        text: Leave', '        manipulative: true\n        text: Leave');
    else {
      cards[0] = cards[0].replace('text: Leave your old team today.', 'text: Training is on Mondays.');
      cards[1] = cards[1].replace('        text: Training is on Tuesdays.', '        manipulative: true\n        text: Leave your old team today.');
    }
    return `  - id: cards-${index + 1}
    kind: single
    cards:
${cards.join('')}    prompt: Which post uses the trick?
    options:
      - id: a
        text: Post A
${index < first ? '        correct: true\n' : ''}      - id: b
        text: Post B
${index < first ? '' : '        correct: true\n'}    explanation: The one that says "leave your old team" uses the trick.
`;
  }).join('');
}

test('fails a quiz where one card position holds the manipulative card in more than 65% of two-card questions', () => {
  // With the template's own two-card question (first): 4 of 5 first = 80%.
  const failing = makeQuiz(3) + twoCardQuestions(4, 3);
  const report = check(withQuiz(() => failing));
  assertProblem(report, quizFile(3), lineOf(failing, 'questions:'), /the manipulative card is first in 4 of 5 two-card questions \(80%, limit 65%/);
  // 3 of 5 first = 60%: passes (and 2 of 3 passes too: nothing more even is possible with three).
  assert.deepEqual(check(withQuiz(() => makeQuiz(3) + twoCardQuestions(4, 2))).problems, []);
  assert.deepEqual(check(withQuiz(() => makeQuiz(3) + twoCardQuestions(2, 1))).problems, []);
});

test('fails a course where the manipulative card is mostly in one place, even when each quiz is balanced on its own', () => {
  const course = validCourse();
  // Every even quiz now also puts it first: 12 of 12.
  for (const quiz of course.quizzes) quiz.source = makeQuiz(3).replace('lessonId: lesson-03', `lessonId: ${quiz.file.slice(11, 20)}`);
  const report = check(course);
  assertProblem(report, 'quizzes', 1, /across the course the manipulative card is first in 12 of 12 two-card questions/);
});

test('fails a matched pair shown as two cards without a manipulative: true card', () => {
  const source = replaceOnce(makeQuiz(3), '        manipulative: true\n', '');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '    cards:'), /a matched pair shown as two cards: mark the card that uses the technique/);
});

test('fails the two halves of a pair next to each other, at the second', () => {
  const signs = makeQuiz(3).slice(makeQuiz(3).indexOf('  - id: signs'), makeQuiz(3).indexOf('  - id: hawks-2'));
  const source = replaceOnce(makeQuiz(3), signs, '').replace('  - id: check-1', `${signs}  - id: check-1`);
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '    pair: hawks', '  - id: hawks-2'), /pair "hawks": its two questions are next to each other/);
});

test('fails an answer word in a question or option id, at its line', () => {
  let source = replaceOnce(makeQuiz(3), '  - id: hawks-2\n', '  - id: hawks-neutral\n');
  source = replaceOnce(source, '      - id: rules\n', '      - id: rules-ok\n');
  const report = check(withQuiz(() => source));
  assertProblem(report, quizFile(3), lineOf(source, '  - id: hawks-neutral'), /question id "hawks-neutral" contains the answer word "neutral"/);
  assertProblem(report, quizFile(3), lineOf(source, '      - id: rules-ok'), /option id "rules-ok" contains the answer word "ok"/);
  // Only whole dash-separated parts count: "twins" and "notice" are fine.
  assert.equal(answerWordIn('twins-club'), undefined);
  assert.equal(answerWordIn('notice-board'), undefined);
  assert.equal(answerWordIn('yes'), 'yes');
});

test('the longest-option rule by hand', () => {
  assert.equal(rightIsLongest([{ text: 'abc', correct: true }, { text: 'ab', correct: false }]), true);
  assert.equal(rightIsLongest([{ text: ' abc ', correct: true }, { text: 'abc', correct: false }]), true, 'trimmed; ties count');
  assert.equal(rightIsLongest([{ text: 'ab', correct: true }, { text: 'abc', correct: false }]), false);
});

// ---------------------------------------------------------------- length and reading level

test('fails a lesson above Flesch-Kincaid grade 8', () => {
  const report = check(withLesson(() => makeLesson(3, HARD, 12)));
  assertProblem(report, lessonFile(3), 1, /Flesch-Kincaid grade \d+\.\d is above 8/);
  assert.ok(report.stats[2].grade > 8);
  assert.ok(report.stats[2].words >= 700, `words ${report.stats[2].words}`);
});

test('fails a lesson shorter than 700 words', () => {
  const report = check(withLesson(() => makeLesson(3, EASY, 1)));
  assertProblem(report, lessonFile(3), 1, /^\d+ words: a lesson needs at least 700/);
  assert.ok(report.stats[2].words < 700);
});

test('plain text keeps card text but not card header lines', () => {
  const text = lessonPlainText('## Spot it\n\n```post\nfrom: Secret Sender\nlabel: Uses the technique\n---\nCome to our club today\n```\n');
  assert.match(text, /Come to our club today/);
  assert.doesNotMatch(text, /Secret Sender|Uses the technique|from:|label:/);
});

// ---------------------------------------------------------------- body structure

test('fails a lesson with no "## Get help" heading', () => {
  const report = check(withLesson((source) => replaceOnce(source, '## Get help\n', '## More\n')));
  assert.ok(
    report.problems.some((problem) => problem.file === lessonFile(3) && /no "## Get help" heading/.test(problem.message)),
    show(report.problems),
  );
});

test('fails a "## Get help" section without a link to /help', () => {
  const source = replaceOnce(makeLesson(3), '- Visit [the help page](/help) for support.\n', '');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, '## Get help'), /must link to the help page/);
});

test('fails required headings out of order', () => {
  const source = replaceOnce(makeLesson(3), '## What you can do', '## Talk about it').replace(
    '## Talk about it\n\n- Why do people',
    '## What you can do\n\n- Why do people',
  );
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, '## Talk about it'), /"## Talk about it" must come after "## What you can do"/);
});

test('fails a level-1 heading in the body, at its line', () => {
  const source = replaceOnce(makeLesson(3), '## How it works', '# How it works');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, '# How it works'), /level-1 heading/);
});

test('fails a "Sources" heading in the body (the page adds it)', () => {
  const source = replaceOnce(makeLesson(3), '## A real case', '## Sources');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, '## Sources'), /front matter field sources/);
});

// ---------------------------------------------------------------- HTML and links

test('fails block HTML, at its line', () => {
  const source = replaceOnce(makeLesson(3), '## A real case\n', '## A real case\n\n<div class="x">Hello</div>\n');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, '<div'), /raw HTML "<div/);
});

test('fails inline HTML, at its line (also inside a list item)', () => {
  const source = replaceOnce(makeLesson(3), '- Talk to a friend about it.', '- Talk to a <b>friend</b> about it.');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, '<b>friend'), /raw HTML "<b>"/);
});

test('fails a javascript: link, at its line', () => {
  const source = replaceOnce(makeLesson(3), '- Ask who made the post.', '- Ask [who made it](javascript:alert(1)).');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, 'javascript:'), /link "javascript:alert\(1\)" must be an https:\/\/ or relative address/);
});

test('fails a mailto: link and a protocol-relative link', () => {
  const source = replaceOnce(
    makeLesson(3),
    '- Ask who made the post.',
    '- Write to [us](mailto:someone@example.com).\n- See [this](//example.com/page).',
  );
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, 'mailto:'), /link "mailto:someone@example\.com" must be/);
  assertProblem(report, lessonFile(3), lineOf(source, '//example.com'), /link "\/\/example\.com\/page" must be/);
});

test('fails an image with a data: address', () => {
  const source = replaceOnce(makeLesson(3), '## A real case\n', '## A real case\n\nSee ![a picture](data:image/png;base64,AAAA) here.\n');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, '![a picture]'), /image "data:image/);
});

test('allows https and relative links', () => {
  const source = replaceOnce(
    makeLesson(3),
    '- Ask who made the post.',
    '- Read [the study](https://doi.org/10.1057/s41599-019-0279-9) and [the brand](/lessons/lesson-05).',
  );
  const report = check(withLesson(() => source));
  assert.deepEqual(report.problems, [], show(report.problems));
});

test('fails a link to a deny-listed host, at its line', () => {
  const source = replaceOnce(makeLesson(3), '- Ask who made the post.', '- Ask [who made it](https://pastebin.com/abc123).');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, 'pastebin.com'), /"pastebin\.com".*deny-list/);
});

test('fails a link to a subdomain of a deny-listed host', () => {
  const source = replaceOnce(makeLesson(3), '- Ask who made the post.', '- See <https://web.archive.org/web/2015/example>.');
  const report = check(withLesson(() => source));
  assertProblem(report, lessonFile(3), lineOf(source, 'web.archive.org'), /"archive\.org".*deny-list/);
});

test('fails a deny-listed address written inside an example card or a quiz', () => {
  const lesson = replaceOnce(makeLesson(3), 'Open training on Tuesdays. All levels welcome.', 'Get the files at https://files.catbox.moe/x.zip');
  const quiz = replaceOnce(makeQuiz(3), 'text: We win every week. Quit your old team today.', 'text: Join us at t.me/example now. Or https://t.me/example');
  const course = withLesson(() => lesson);
  course.quizzes[2].source = quiz;
  const report = check(course);
  assertProblem(report, lessonFile(3), lineOf(lesson, 'files.catbox.moe'), /catbox\.moe.*deny-list/);
  assertProblem(report, quizFile(3), lineOf(quiz, 'https://t.me/example'), /"t\.me".*deny-list/);
});

test('the deny-list file holds the required hosts, and subdomains match', () => {
  for (const host of ['archive.org', 'justpaste.it', 'pastebin.com', 'files.catbox.moe', 'anonfiles.com', 'mega.nz', 'telegra.ph', 't.me']) {
    assert.ok(denyHosts.includes(host), host);
  }
  assert.deepEqual(parseDenyHosts('# comment\n Example.COM  # trailing\n*.files.test\n\n'), ['example.com', 'files.test']);
  assert.equal(deniedHost('https://sub.pastebin.com/x', ['pastebin.com']), 'pastebin.com');
  assert.equal(deniedHost('https://notpastebin.com/x', ['pastebin.com']), undefined);
  assert.equal(deniedHost('https://www.bbc.co.uk/news', denyHosts), undefined);
});

// ---------------------------------------------------------------- the CLI

function writeCourse(course: Course): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'framecheck-content-'));
  mkdirSync(path.join(root, 'lessons'));
  mkdirSync(path.join(root, 'quizzes'));
  for (const file of [...course.lessons, ...course.quizzes]) writeFileSync(path.join(root, file.file), file.source);
  return root;
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'check-content.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('CLI: exits 1 and prints file:line for a broken fixture folder', (t) => {
  const source = replaceOnce(makeLesson(3), '## A real case\n', '## A real case\n\n<script>alert(1)</script>\n');
  const root = writeCourse(withLesson(() => source));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const result = runCli([root]);
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /lesson\s+\| case\s+\| words \| minutes \| grade \| questions \| pairs \| longest right/);
  assert.ok(result.stdout.includes(`lessons/03-lesson-03.md:${lineOf(source, '<script>')}: raw HTML`), result.stdout);
});

test('CLI: exits 1 for a broken quiz and names its line', (t) => {
  const source = replaceOnce(makeQuiz(3), '    explanation: This is the neutral twin. It is friendly and honest.\n', '');
  const root = writeCourse(withQuiz(() => source));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const result = runCli([root]);
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.ok(result.stdout.includes(`quizzes/03-lesson-03.yaml:${lineOf(source, '  - id: hawks-2')}: `), result.stdout);
});

test('CLI: a deny-listed name in a scenario or booster file, and a booster pool that breaks the quiz rules, fail with their lines', (t) => {
  const root = writeCourse(validCourse());
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'scenarios', 'nested'), { recursive: true });
  mkdirSync(path.join(root, 'boosters'));
  writeFileSync(path.join(root, 'scenarios', 'nested', 'chat.yaml'), 'nodes:\n  - text: hello\n  - text: the Feuerkrieg Division wants you\n');
  writeFileSync(path.join(root, 'boosters', 'pool.yaml'), 'items:\n  - text: nothing to see\n');
  // A booster pool in the quiz format whose pair halves sit side by side, with an answer word in an id.
  const booster = makeQuiz(3).replace('  - id: hawks-2\n', '  - id: hawks-calm\n');
  const signs = booster.slice(booster.indexOf('  - id: signs'), booster.indexOf('  - id: hawks-calm'));
  const adjacent = booster.replace(signs, '').replace('      - id: b\n        text: "No, it is just a club."', '      - id: club-true\n        text: "No, it is just a club."');
  writeFileSync(path.join(root, 'boosters', '03-lesson-03.yaml'), adjacent);
  const result = runCli([root]);
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.ok(result.stdout.includes('scenarios/nested/chat.yaml:3: names "Feuerkrieg Division"'), result.stdout);
  assert.ok(!result.stdout.includes('boosters/pool.yaml'), result.stdout);
  assert.ok(result.stdout.includes(`boosters/03-lesson-03.yaml:${lineOf(adjacent, '    pair: hawks', '  - id: hawks-calm')}: pair "hawks": its two questions are next to each other`), result.stdout);
  assert.ok(result.stdout.includes(`boosters/03-lesson-03.yaml:${lineOf(adjacent, '      - id: club-true')}: option id "club-true" contains the answer word "true"`), result.stdout);
});

test('CLI: exits 0 and prints the table for a valid fixture folder', (t) => {
  const root = writeCourse(validCourse());
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const result = runCli([root]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^lesson-01\s+\| far right\s+\|\s+\d+ \|\s+15 \|\s+\d+\.\d \|\s+8 \|\s+2 \|\s+-$/m);
});

test('CLI: exits 0 on the real content', () => {
  const result = runCli([]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /paradise-on-screen/);
});
