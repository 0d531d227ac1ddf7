// Validation at the edge: a zod schema turns a request body into typed input,
// or a 422 that names the first field at fault.
import type { Request } from 'express';
import { z } from 'zod';
import { badRequest, invalid } from './errors.ts';

export function parseBody<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a form or a JSON object.');
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.map(String).join('.');
    throw invalid(field ? `${label(field)}: ${issue.message}` : issue.message, field || undefined);
  }
  return result.data;
}

function label(field: string): string {
  const names: Record<string, string> = {
    username: 'Username',
    password: 'Password',
    newPassword: 'New password',
    displayName: 'Display name',
    classCode: 'Class code',
    code: 'Code',
    name: 'Class name',
    lessonId: 'Lesson',
    due: 'Due date',
    role: 'Account type',
  };
  return names[field] ?? field;
}

/** Trims and requires a string; gives the messages a 13-year-old understands. */
export const requiredText = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

/** A date typed into a form (YYYY-MM-DD), or nothing. */
export const optionalDate = z
  .union([z.literal(''), z.iso.date('must be a date like 2027-03-14')], { error: 'must be a date like 2027-03-14' })
  .nullish()
  .transform((value) => value || null);
