// Validation at the edge: a zod schema turns a request body into typed input,
// or a 422 that names the first field at fault ("Username: at most 32 characters").
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

/** The same for a query string (filters of a GET page): a bad filter is a 422 naming it, never a 500. */
export function parseQuery<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  return parseBody(schema, { body: req.query ?? {} } as Request);
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
    confirm: 'Username to confirm',
    itemId: 'Item',
    from: 'From',
    to: 'To',
    actor: 'Who',
    action: 'Action',
    page: 'Page',
    inactiveMonths: 'Months without sign-in',
    archiveClassesAfter: 'Archive classes after',
    token: 'Setup code',
    schoolName: 'School name',
    invite: 'Invitation code',
    note: 'Note',
  };
  return names[field] ?? field;
}

/**
 * A string field. Only a value that is not text at all is "must be text";
 * every other problem gets its own message (zod would otherwise reuse this
 * one for a value that is merely too long).
 */
export const text = () =>
  z.string({ error: (issue) => (issue.code !== 'invalid_type' ? undefined : issue.input === undefined ? 'is missing' : 'must be text') });

export const atMost = (max: number) => `at most ${max} characters`;
export const atLeast = (min: number) => `at least ${min} characters`;

/** The account rule for usernames (sign-up and roster import): 3 to 32 letters, digits, dots, dashes and underscores. */
export const usernameText = () =>
  text()
    .trim()
    .min(3, atLeast(3))
    .max(32, atMost(32))
    .regex(/^[A-Za-z0-9._-]+$/, 'may only use letters, digits, dots, dashes and underscores');

/** Characters that reorder the text around them (a name ending in U+202E would turn "(sam)" into ")mas(" after it). */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
/** Control characters other than the spaces handled below. */
const CONTROLS = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/gu;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/gu;
/** Zero-width and blank characters: fine inside (emoji sequences, Persian), not at either end. */
const EDGE_BLANKS = /^[\s\u180E\u200B-\u200D\u2060\uFEFF\u115F\u1160\u3164\uFFA0\u2800]+|[\s\u180E\u200B-\u200D\u2060\uFEFF\u115F\u1160\u3164\uFFA0\u2800]+$/gu;
/** Something a reader can see: a letter, digit, punctuation or symbol that is not a blank filler. */
const VISIBLE = /(?![\u115F\u1160\u3164\uFFA0\u2800])[\p{L}\p{N}\p{P}\p{S}]/u;

/** Text that people type for others to read, made safe to show: one line, no reordering controls, no blank edges. */
export function cleanText(value: string): string {
  return value.normalize('NFC').replace(BIDI_CONTROLS, '').replace(CONTROLS, '').replace(LINE_BREAKS, ' ').replace(EDGE_BLANKS, '');
}

export function hasVisibleCharacter(value: string): boolean {
  return VISIBLE.test(value);
}

/**
 * Required one-line text of at most `max` characters (counted as people
 * count them, so an emoji is one), cleaned by cleanText and refused when
 * nothing visible is left.
 */
export const requiredText = (max: number) =>
  text()
    .transform(cleanText)
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .refine(hasVisibleCharacter, 'must have at least one letter, digit or sign you can see')
        .refine((value) => [...value].length <= max, atMost(max)),
    );

/** A date typed into a form (YYYY-MM-DD), or nothing. */
export const optionalDate = z
  .union([z.literal(''), z.iso.date('must be a date like 2027-03-14')], { error: 'must be a date like 2027-03-14' })
  .nullish()
  .transform((value) => value || null);
