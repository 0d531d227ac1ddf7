// Reading a roster file: bytes -> text -> rows with line numbers, each row
// checked on its own (the account rules for usernames, a display name that
// shows something) and against the other rows of the file. What is already
// stored is planRoster's business (plan.ts). Pure.
import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import { invalid } from '../http/errors.ts';
import { requiredText, usernameText } from '../http/validate.ts';

/** A school's whole year group fits; a file bigger than this is split. */
export const MAX_ROWS = 2000;

export interface RosterRow {
  /** where the row starts in the file, counting the header as line 1 */
  line: number;
  className: string;
  username: string;
  displayName: string;
  /** username of a teacher of the school who teaches the class, when the file has a teacher column */
  teacher: string | null;
}

export interface LineError {
  line: number;
  message: string;
  /** which file of a OneRoster zip; absent for a plain roster CSV */
  file?: string;
}

export interface ParsedRoster {
  rows: RosterRow[];
  errors: LineError[];
}

type Column = 'className' | 'username' | 'displayName' | 'teacher';

/** Header names people use for each column; compared without case, spaces, dashes or underscores. */
const HEADER_NAMES: Record<Column, string[]> = {
  className: ['class', 'classname'],
  username: ['username', 'user'],
  displayName: ['displayname', 'name'],
  teacher: ['teacher', 'teacherusername'],
};
const REQUIRED: Column[] = ['className', 'username', 'displayName'];
const HEADER_LABEL: Record<Column, string> = { className: 'class', username: 'username', displayName: 'displayName', teacher: 'teacher' };

const rowSchema = z.object({
  className: requiredText(80),
  username: usernameText(),
  displayName: requiredText(60),
  teacher: usernameText().nullable(),
});
const FIELD_LABEL: Record<string, string> = { className: 'Class', username: 'Username', displayName: 'Display name', teacher: 'Teacher' };

/**
 * The uploaded bytes as text. Spreadsheets save "CSV UTF-8" (with or
 * without a byte order mark) or, as "Unicode text", UTF-16 with one;
 * anything else is refused rather than guessed, so no name is garbled.
 */
export function decodeUpload(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('The file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8".', 'file');
  }
}

/** Spreadsheets in many countries separate cells with semicolons or tabs: the header row tells which. */
function separatorOf(text: string): string {
  const header = text.slice(0, text.search(/\r|\n|$/));
  return [',', ';', '\t'].find((separator) => header.includes(separator)) ?? ',';
}

const squash = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');

function columnsOf(header: string[]): Partial<Record<Column, number>> {
  const found: Partial<Record<Column, number>> = {};
  header.forEach((name, index) => {
    const column = (Object.keys(HEADER_NAMES) as Column[]).find((key) => HEADER_NAMES[key].includes(squash(name)));
    if (column && found[column] === undefined) found[column] = index;
  });
  return found;
}

function csvProblem(error: CsvError): string {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') return 'A cell opens a quote (") that is never closed.';
  if (error.code === 'CSV_INVALID_CLOSING_QUOTE' || error.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE') {
    return 'A quote (") inside a cell must be written twice ("") or the whole cell put in quotes.';
  }
  return 'This line cannot be read as CSV.';
}

/** A value quoted in a message, shortened so a runaway cell does not fill the page. */
export function quoted(value: string): string {
  const chars = [...value];
  return `"${chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : value}"`;
}

export interface CsvLine {
  /** where the record starts in the file (line 1 is the first) */
  line: number;
  cells: string[];
}

/** A CSV file as records with the line each starts on, or the line it cannot be read at. */
export function readCsv(text: string): { records: CsvLine[] } | { error: LineError } {
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[];
  // One kind of line break, so a CRLF inside a quoted cell counts as one line like any other.
  const lines = text.replace(/\r\n?/g, '\n');
  try {
    records = parse(lines, {
      bom: true,
      delimiter: separatorOf(lines.replace(/^\uFEFF/, '')),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) return { error: { line: Number(error.lines) || 1, message: csvProblem(error) } };
    throw error;
  }
  // Where each record starts: the line after the previous record ends, past any empty lines skipped.
  let previousEnd = 0;
  let previousEmpty = 0;
  return {
    records: records.map(({ record, info }) => {
      const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
      previousEnd = info.lines;
      previousEmpty = info.empty_lines;
      return { line, cells: record };
    }),
  };
}

export function tooManyRows(line: number): LineError {
  return { line, message: `Too many rows: at most ${MAX_ROWS} students in one file. Split it into smaller files.` };
}

export function parseRoster(text: string): ParsedRoster {
  const read = readCsv(text);
  if ('error' in read) return { rows: [], errors: [read.error] };
  const missingHeader = `The first row names the columns: ${REQUIRED.map((column) => HEADER_LABEL[column]).join(', ')} (and teacher, if you like).`;
  if (!read.records.length) return { rows: [], errors: [{ line: 1, message: `The file is empty. ${missingHeader}` }] };

  const [header, ...body] = read.records;
  const columns = columnsOf(header.cells);
  const missing = REQUIRED.filter((column) => columns[column] === undefined);
  if (missing.length) {
    return { rows: [], errors: [{ line: header.line, message: `Missing column${missing.length > 1 ? 's' : ''}: ${missing.map((column) => HEADER_LABEL[column]).join(', ')}. ${missingHeader}` }] };
  }
  if (body.length > MAX_ROWS) return { rows: [], errors: [tooManyRows(body[MAX_ROWS].line)] };
  const cell = (cells: string[], column: Column) => (columns[column] === undefined ? '' : (cells[columns[column]!] ?? ''));
  return checkRows(
    body.map(({ line, cells }) => ({
      line,
      className: cell(cells, 'className'),
      username: cell(cells, 'username'),
      displayName: cell(cells, 'displayName'),
      teacher: cell(cells, 'teacher'),
    })),
  );
}

/** Rows as read from a file, not checked yet: every cell is text as it was written. */
export type RawRow = { line: number } & Record<Column, string>;

/** Each row checked against the account rules, then the rows against each other. */
export function checkRows(raw: RawRow[]): ParsedRoster {
  const rows: RosterRow[] = [];
  const errors: LineError[] = [];
  for (const row of raw) {
    const teacher = row.teacher.trim();
    const result = rowSchema.safeParse({ className: row.className, username: row.username, displayName: row.displayName, teacher: teacher ? teacher : null });
    if (!result.success) {
      const reported = new Set<string>();
      for (const issue of result.error.issues) {
        // The first problem of each cell is enough to fix it.
        const field = String(issue.path[0]) as Column;
        if (reported.has(field)) continue;
        reported.add(field);
        const value = row[field].trim();
        errors.push({ line: row.line, message: `${FIELD_LABEL[field]}${value ? ` ${quoted(value)}` : ''}: ${issue.message}.` });
      }
      continue;
    }
    rows.push({ line: row.line, ...result.data });
  }
  errors.push(...conflictsWithin(rows));
  return { rows, errors: errors.sort((a, b) => a.line - b.line) };
}

/**
 * Rows that contradict each other: a username twice in one class, one
 * username for two different people, one class given two teachers. (A
 * student listed once per class they are in is fine.)
 */
function conflictsWithin(rows: RosterRow[]): LineError[] {
  const errors: LineError[] = [];
  const firstOfUser = new Map<string, RosterRow>();
  const seenInClass = new Map<string, RosterRow>();
  const teacherOfClass = new Map<string, RosterRow>();
  for (const row of rows) {
    const user = row.username.toLowerCase();
    const classKey = classKeyOf(row.className);
    const inClass = seenInClass.get(`${classKey}\n${user}`);
    const first = firstOfUser.get(user);
    if (inClass) errors.push({ line: row.line, message: `Username ${quoted(row.username)} is already on line ${inClass.line} for this class.` });
    else if (first && first.displayName !== row.displayName) {
      errors.push({ line: row.line, message: `Username ${quoted(row.username)} is already on line ${first.line} for someone with another display name. Each student needs their own username.` });
    }
    if (!first) firstOfUser.set(user, row);
    if (!inClass) seenInClass.set(`${classKey}\n${user}`, row);
    if (row.teacher) {
      const earlier = teacherOfClass.get(classKey);
      if (earlier && earlier.teacher!.toLowerCase() !== row.teacher.toLowerCase()) {
        errors.push({ line: row.line, message: `Class ${quoted(row.className)} has teacher ${quoted(earlier.teacher!)} on line ${earlier.line}. Give each class one teacher in the file.` });
      } else if (!earlier) teacherOfClass.set(classKey, row);
    }
  }
  return errors;
}

/** Class names match without regard to case or repeated spaces ("8b" is "8B"). */
export function classKeyOf(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ').trim();
}
