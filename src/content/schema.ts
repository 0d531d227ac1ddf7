// The shapes of lesson front matter and quiz files (docs/content-format.md).
import { parse as parseYaml } from 'yaml';
import { cachedParse } from './parse-cache.ts';
import { z } from 'zod';
import { cardSchema } from './cards.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and dashes');
const text = z.string().trim().min(1, 'must not be empty');

export const lessonFrontMatterSchema = z.strictObject({
  id: slug,
  title: text,
  summary: text,
  minutes: z.number().int().min(1).max(90),
  order: z.number().int().min(1),
  parentPrompt: text,
  contentNote: text.optional(),
  /** the movement of the lesson's main real case, e.g. "far right", "IS", "QAnon", "incel forums", "coercive networks" */
  case: text.optional(),
  techniques: z.array(z.strictObject({ term: text, definition: text })).default([]),
  sources: z.array(text).min(1, 'list at least one source'),
});
export type LessonFrontMatter = z.infer<typeof lessonFrontMatterSchema>;

const optionSchema = z.strictObject({
  id: slug,
  text,
  correct: z.boolean().default(false),
});

export const questionSchema = z
  .strictObject({
    id: slug,
    kind: z.enum(['single', 'multiple']),
    pair: slug.optional(),
    /** the technique the question practises, when not its lesson's main one (src/practice/techniques.ts) */
    technique: slug.optional(),
    cards: z.array(cardSchema).default([]),
    prompt: text,
    options: z.array(optionSchema).min(2, 'needs at least two options').max(8),
    explanation: text,
  })
  .superRefine((question, ctx) => {
    const correct = question.options.filter((option) => option.correct).length;
    if (question.kind === 'single' && correct !== 1) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a single-choice question needs exactly one correct option, found ${correct}` });
    }
    if (question.kind === 'multiple' && correct < 1) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a multiple-choice question needs at least one correct option' });
    }
    const ids = question.options.map((option) => option.id);
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate) ctx.addIssue({ code: 'custom', path: ['options'], message: `duplicate option id "${duplicate}"` });
  });
export type Question = z.infer<typeof questionSchema>;

export const quizSchema = z
  .strictObject({
    lessonId: slug,
    passPercent: z.number().int().min(1).max(100).default(70),
    questions: z.array(questionSchema).min(1, 'needs at least one question'),
  })
  .superRefine((quiz, ctx) => {
    const ids = quiz.questions.map((question) => question.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index) {
        ctx.addIssue({ code: 'custom', path: ['questions', index, 'id'], message: `duplicate question id "${id}"` });
      }
    });
  });
export type QuizFile = z.infer<typeof quizSchema>;

/** "questions.2.options: message" — the field path first, as a content author reads it. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(file)'}: ${issue.message}`)
    .join('; ');
}

/** A YAML file read into `schema`, or an error that names the file and the field. */
export function parseYamlFile<T extends z.ZodType>(file: string, source: string, schema: T, fail: (message: string) => Error = (m) => new Error(m)): z.infer<T> {
  let raw: unknown;
  try {
    raw = cachedParse('yaml', source, () => parseYaml(source) as unknown) ?? {};
  } catch (error) {
    throw fail(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw fail(`${file}: ${describeIssues(result.error)}`);
  return result.data;
}
