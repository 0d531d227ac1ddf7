// A OneRoster 1.2 CSV export (a zip of users.csv, classes.csv,
// enrollments.csv and more) read as roster rows: one per student enrolment,
// with the line of enrollments.csv it came from. Teachers' enrolments are
// left out (the classes go to the admin, who adds co-teachers), and so is
// everything else a school's information system exports about a child: only
// the username, a display name (preferred or given name and the family
// name's initial, never the full name) and the class title are read.
import { unzipSync } from 'fflate';
import { stringify } from 'csv-stringify/sync';
import { invalid } from '../http/errors.ts';
import { checkRows, decodeUpload, MAX_ROWS, quoted, readCsv, tooManyRows, type CsvLine, type LineError, type ParsedRoster, type RawRow, type RosterRow } from './parse.ts';

const FILES = ['users.csv', 'classes.csv', 'enrollments.csv'] as const;
type FileName = (typeof FILES)[number];
/** Far above a school's export; the zip's own size claim is checked before anything is unpacked, and unpacking stops at it. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

const baseName = (name: string) => name.slice(name.lastIndexOf('/') + 1).toLowerCase();

function unzip(bytes: Uint8Array): Map<FileName, Uint8Array> {
  let tooLarge: string | null = null;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (entry) => {
        if (!(FILES as readonly string[]).includes(baseName(entry.name))) return false;
        if (entry.originalSize > MAX_FILE_BYTES) tooLarge = baseName(entry.name);
        return entry.originalSize <= MAX_FILE_BYTES;
      },
    });
  } catch {
    throw invalid('The zip file cannot be opened. Export the OneRoster files again.', 'file');
  }
  if (tooLarge) throw invalid(`${tooLarge} in the zip is too large. Export one school at a time.`, 'file');
  const found = new Map(Object.entries(files).map(([name, data]) => [baseName(name) as FileName, data]));
  const missing = FILES.filter((name) => !found.has(name));
  if (missing.length) throw invalid(`The zip has no ${missing.join(' or ')}. A OneRoster 1.2 export has users.csv, classes.csv and enrollments.csv.`, 'file');
  return found;
}

interface Table {
  file: FileName;
  rows: { line: number; get: (column: string) => string }[];
}

function table(file: FileName, bytes: Uint8Array, required: string[]): Table | LineError {
  const read = readCsv(decodeUpload(bytes));
  if ('error' in read) return { ...read.error, file };
  const [header, ...body]: CsvLine[] = read.records;
  const index = new Map((header?.cells ?? []).map((name, position) => [name.trim().toLowerCase(), position]));
  const missing = required.filter((column) => !index.has(column.toLowerCase()));
  if (missing.length) return { line: 1, file, message: `Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.` };
  return {
    file,
    rows: body.map(({ line, cells }) => ({ line, get: (column: string) => (cells[index.get(column.toLowerCase()) ?? -1] ?? '').trim() })),
  };
}

const isTable = (value: Table | LineError): value is Table => 'rows' in value;

export function oneRosterRows(bytes: Uint8Array): ParsedRoster {
  const files = unzip(bytes);
  const users = table('users.csv', files.get('users.csv')!, ['sourcedId', 'username', 'givenName', 'familyName']);
  const classes = table('classes.csv', files.get('classes.csv')!, ['sourcedId', 'title']);
  const enrollments = table('enrollments.csv', files.get('enrollments.csv')!, ['classSourcedId', 'userSourcedId', 'role']);
  const unreadable = [users, classes, enrollments].filter((result) => !isTable(result));
  if (unreadable.length || !isTable(users) || !isTable(classes) || !isTable(enrollments)) return { rows: [], errors: unreadable as LineError[] };

  const userById = new Map(users.rows.map((row) => [row.get('sourcedId'), row]));
  const titleById = new Map(classes.rows.map((row) => [row.get('sourcedId'), row.get('title')]));
  const live = (row: { get: (column: string) => string }) => row.get('status').toLowerCase() !== 'tobedeleted';
  const studentEnrolments = enrollments.rows.filter((row) => row.get('role').toLowerCase() === 'student' && live(row));
  if (studentEnrolments.length > MAX_ROWS) return { rows: [], errors: [{ ...tooManyRows(studentEnrolments[MAX_ROWS].line), file: 'enrollments.csv' }] };

  const errors: LineError[] = [];
  const raw: RawRow[] = [];
  for (const row of studentEnrolments) {
    const user = userById.get(row.get('userSourcedId'));
    const title = titleById.get(row.get('classSourcedId'));
    if (!user || !live(user)) errors.push({ line: row.line, file: 'enrollments.csv', message: `userSourcedId ${quoted(row.get('userSourcedId'))} is not in users.csv.` });
    else if (title === undefined) errors.push({ line: row.line, file: 'enrollments.csv', message: `classSourcedId ${quoted(row.get('classSourcedId'))} is not in classes.csv.` });
    else raw.push({ line: row.line, className: title, username: user.get('username'), displayName: displayNameOf(user.get), teacher: '' });
  }
  const checked = checkRows(raw);
  return {
    rows: checked.rows,
    errors: [...errors, ...checked.errors.map((error) => ({ ...error, file: 'enrollments.csv' }))].sort((a, b) => a.line - b.line),
  };
}

/** "Amira H.": the name the student goes by and the family name's initial. */
function displayNameOf(get: (column: string) => string): string {
  const first = get('preferredGivenName') || get('givenName');
  const initial = [...get('familyName')][0];
  return initial ? `${first} ${initial}.` : first;
}

/** Rows as the plain roster CSV (class, username, displayName), for the preview's Import button to send back. */
export function rowsAsCsv(rows: RosterRow[]): string {
  return stringify([['class', 'username', 'displayName'], ...rows.map((row) => [row.className, row.username, row.displayName])]);
}
