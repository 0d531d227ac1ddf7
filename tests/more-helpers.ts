// Extra test helpers beside helpers.ts: DELETE with the CSRF header, answers
// with a chosen number right, CSV reading and HTML escaping as EJS does it.
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import { catalog, signedUp, type Client } from './helpers.ts';
import { publicOptionId, publicQuestionId } from '../src/learning/public-ids.ts';

/** A JSON client's DELETE, with its session and CSRF header. */
export function del(client: Client, url: string) {
  return client.agent.delete(url).set('Accept', 'application/json').set('X-CSRF-Token', client.token);
}

/** Answers for a lesson's quiz with the first `right` questions right and the rest wrong. */
export function answersWith(lessonId: string, right: number): Record<string, string | string[]> {
  const quiz = catalog().quiz(lessonId)!;
  return Object.fromEntries(
    quiz.questions.map((question, index) => {
      const shown = (option: { id: string }) => publicOptionId(lessonId, question.id, option.id);
      const good = question.options.filter((option) => option.correct).map(shown);
      const bad = question.options.filter((option) => !option.correct).map(shown);
      const id = publicQuestionId(lessonId, question.id);
      if (index < right) return [id, question.kind === 'single' ? good[0] : good];
      return [id, question.kind === 'single' ? bad[0] : bad.slice(0, 1)];
    }),
  );
}

/** CSV text into rows of cells (quoted fields, doubled quotes, CRLF or LF), read by the same parser the roster import uses. */
export function parseCsv(text: string): string[][] {
  return parse(text, { relax_column_count: true });
}

/** Text as EJS's <%= %> writes it. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

/** Every key of a parsed JSON value, at any depth. */
export function allKeys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) allKeys(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      allKeys(inner, into);
    }
  }
  return into;
}

/** A date `days` after `from`, as YYYY-MM-DD. */
export function dayAfter(from: Date, days: number): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A teacher `t-<tag>` with a class, and students `<tag>-<name>` who joined with its code. */
export async function classWith(app: Express, tag: string, names: string[] = ['a', 'b'], options: { className?: string; displayNames?: string[] } = {}) {
  const teacher = await signedUp(app, 'teacher', `t-${tag}`);
  const created = await teacher.post('/classes', { name: options.className ?? `Class ${tag}` });
  if (created.status !== 201) throw new Error(`class ${tag}: ${created.status}`);
  const classId: string = created.body.class.id;
  const joinCode: string = created.body.class.joinCode;
  const students: Client[] = [];
  for (const [index, name] of names.entries()) {
    const displayName = options.displayNames?.[index] ?? `${tag}-${name}`;
    students.push(await signedUp(app, 'student', `${tag}-${name}`, { classCode: joinCode, displayName }));
  }
  return { teacher, classId, joinCode, students };
}

/** A browser form post with fields as an ordered list (repeated names allowed). */
export function formPairs(client: Client, url: string, pairs: [string, string][]) {
  const params = new URLSearchParams([['_csrf', client.token], ...pairs]);
  return client.agent.post(url).set('Accept', 'text/html').type('form').send(params.toString());
}
