// Practice tests run against the fixture scenario and booster pool in
// tests/fixtures/practice (the course's own files are checked separately).
import path from 'node:path';
import type { Catalog } from '../src/content/catalog.ts';
import { loadPracticeContent, type BoosterPool } from '../src/practice/content.ts';
import { boosterQuizKey } from '../src/practice/practice.ts';
import { publicOptionId, publicQuestionId } from '../src/learning/public-ids.ts';
import { catalog, ROOT, startApp } from './helpers.ts';

export const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'practice');
export const PRACTICE_LESSON = 'fake-volume';

export function practiceCatalog(): Catalog {
  const base = catalog();
  return { ...base, practice: loadPracticeContent(FIXTURES, new Set(base.lessons.map((lesson) => lesson.id))) };
}

/** An app on the fixture practice content (embedded store, or a schema of its own on PostgreSQL). */
export function startPracticeApp(options: { now?: Date } = {}) {
  return startApp({ ...options, catalog: practiceCatalog() });
}

export const DAY = 24 * 60 * 60 * 1000;

/**
 * A booster set's answers as the JSON API takes them (public ids, as in quizzes):
 * every item right, except the ones `wrong` names by the author's question id.
 */
export function boosterAnswers(pool: BoosterPool, set: number, wrong: string[] = []): Record<string, string | string[]> {
  const key = boosterQuizKey(`${pool.lessonId}-${set}`);
  return Object.fromEntries(
    pool.set(set).map((question) => {
      const picked = question.options.filter((option) => (wrong.includes(question.id) ? !option.correct : option.correct)).map((option) => publicOptionId(key, question.id, option.id));
      return [publicQuestionId(key, question.id), question.kind === 'single' ? picked[0] : picked];
    }),
  );
}

export function boosterItemId(pool: BoosterPool, set: number, questionId: string): string {
  return publicQuestionId(boosterQuizKey(`${pool.lessonId}-${set}`), questionId);
}

export function boosterOptionId(pool: BoosterPool, set: number, questionId: string, optionId: string): string {
  return publicOptionId(boosterQuizKey(`${pool.lessonId}-${set}`), questionId, optionId);
}
