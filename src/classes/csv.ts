// CSV files teachers open in a spreadsheet. Spreadsheets guess the
// separator (a comma, a semicolon in many European locales, a tab), so any
// cell holding one of them, a quote or a line break is quoted; and a cell
// that a spreadsheet would run as a formula is neutralised.
import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../context.ts';
import type { ClassOverview } from './classes.ts';

const HEADER = ['username', 'display name', 'lesson id', 'lesson title', 'due', 'status', 'best percent', 'attempts', 'last attempt'];

/** A leading = + - @ (also after spaces), tab or CR makes spreadsheets evaluate a cell: prefix a quote. */
export function neutraliseCell(value: string): string {
  return /^(?:\s*[=+\-@]|[\t\r])/.test(value) ? `'${value}` : value;
}

/** Rows as CSV text: every cell neutralised, and quoted wherever it holds a separator, quote or line break. */
export function toCsv(rows: string[][]): string {
  return stringify(
    rows.map((row) => row.map(neutraliseCell)),
    { quoted_match: /[,;\t"\r\n]/ },
  );
}

export function progressCsv(ctx: AppContext, overview: ClassOverview): string {
  const rows: string[][] = [];
  for (const student of overview.students) {
    for (const assignment of overview.assignments) {
      const cell = overview.cells.get(student.id)!.get(assignment.lessonId)!;
      rows.push([
        student.username,
        student.displayName,
        assignment.lessonId,
        ctx.catalog.lesson(assignment.lessonId)?.title ?? assignment.lessonId,
        assignment.due ?? '',
        cell.status,
        cell.bestPercent === null ? '' : String(cell.bestPercent),
        String(cell.attempts),
        cell.lastAttemptAt ?? '',
      ]);
    }
  }
  return toCsv([HEADER, ...rows]);
}
