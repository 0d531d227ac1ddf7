// The class progress as CSV: one row per student and assigned lesson. Cells
// that a spreadsheet would run as a formula are neutralised.
import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../context.ts';
import type { ClassOverview } from './classes.ts';

const HEADER = ['username', 'display name', 'lesson id', 'lesson title', 'due', 'status', 'best percent', 'attempts', 'last attempt'];

/** A leading = + - @ (or tab/CR) makes spreadsheets evaluate a cell: prefix a quote. */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
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
      ].map(neutraliseCell));
    }
  }
  return stringify([HEADER, ...rows]);
}
