// Reading the audit log: one school's events, filtered, newest first, a page
// at a time. Nothing here (or anywhere) changes an event: the log is written
// only by auditEvent() in an action's own commit, scrubbed only by a
// student's erasure and trimmed only by the retention job.
import type { AppContext } from '../context.ts';
import type { AuditAction, AuditEvent } from '../store/backend.ts';

export const PAGE_SIZE = 100;

export interface AuditFilter {
  /** YYYY-MM-DD, first day shown (UTC) */
  from: string | null;
  /** YYYY-MM-DD, last day shown (UTC) */
  to: string | null;
  /** the username of who acted, without regard to case */
  actor: string | null;
  action: AuditAction | null;
}

/** What the log and its CSV show of an event: the words, never ids. */
export interface PresentedEvent {
  at: string;
  actor: string;
  action: AuditAction;
  target: string;
  detail: string;
}

export function presentEvent(event: AuditEvent): PresentedEvent {
  return { at: event.at, actor: event.actorName, action: event.action, target: event.target, detail: event.detail };
}

function matches(event: AuditEvent, filter: AuditFilter): boolean {
  const day = event.at.slice(0, 10);
  if (filter.from && day < filter.from) return false;
  if (filter.to && day > filter.to) return false;
  if (filter.actor && event.actorName.toLowerCase() !== filter.actor.toLowerCase()) return false;
  if (filter.action && event.action !== filter.action) return false;
  return true;
}

/** The school's events that match, newest first. */
export async function schoolEvents(ctx: AppContext, schoolId: string, filter: AuditFilter): Promise<AuditEvent[]> {
  const events = (await ctx.store.find('auditEvents', 'schoolId', schoolId)).filter((event) => matches(event, filter));
  // Reversed first: the sort is stable, so events of the same moment also come newest (last written) first.
  return events.reverse().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

export interface AuditPage {
  events: PresentedEvent[];
  /** 1-based */
  page: number;
  /** the number of the next page, or null on the last */
  nextPage: number | null;
  total: number;
}

export async function auditPage(ctx: AppContext, schoolId: string, filter: AuditFilter, page: number): Promise<AuditPage> {
  const events = await schoolEvents(ctx, schoolId, filter);
  const start = (page - 1) * PAGE_SIZE;
  return {
    events: events.slice(start, start + PAGE_SIZE).map(presentEvent),
    page,
    nextPage: start + PAGE_SIZE < events.length ? page + 1 : null,
    total: events.length,
  };
}
