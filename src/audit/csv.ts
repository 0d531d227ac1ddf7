// The audit log as a CSV file for a spreadsheet: the same filters as the page,
// every matching event (no pages), each cell neutralised against formulas.
import { toCsv } from '../classes/csv.ts';
import type { PresentedEvent } from './log.ts';

const HEADER = ['time (UTC)', 'who', 'action', 'what', 'detail'];

export function auditCsv(events: PresentedEvent[]): string {
  return toCsv([HEADER, ...events.map((event) => [event.at, event.actor, event.action, event.target, event.detail])]);
}
