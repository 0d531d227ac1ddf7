// Audit events are written in the same commit as the action they record, so
// an action that happened is always in the log and a refused one never is.
// Reading, filtering and exporting the log is src/audit/ (routes, presenters).
import { newId } from '../ids.ts';
import { insert, type AuditAction, type StoreChange, type User } from '../store/backend.ts';

export interface AuditInput {
  schoolId: string;
  /** the user who acted, or null for the system (the daily retention job) */
  actor: Pick<User, 'id' | 'username'> | null;
  action: AuditAction;
  /** what it was done to, in words: "student mia.k", "class 8B" */
  target: string;
  /** the user it was done to, when it was a user (erasure scrubs their name from the event) */
  targetUserId?: string | null;
  detail?: string;
  at: Date;
  /** a fixed id makes the event a claim: inserting it twice conflicts (the retention job's run of the day) */
  id?: string;
}

/** The store change that appends one event; add it to the action's own commit. */
export function auditEvent(input: AuditInput): StoreChange {
  return insert('auditEvents', {
    id: input.id ?? newId(),
    schoolId: input.schoolId,
    at: input.at.toISOString(),
    actorId: input.actor?.id ?? null,
    actorName: input.actor?.username ?? 'FrameCheck',
    action: input.action,
    target: input.target,
    targetUserId: input.targetUserId ?? null,
    detail: input.detail ?? '',
  });
}
