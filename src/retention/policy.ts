// A school's retention policy: how long an unused student account is kept,
// and the day after which its classes are archived. Changed only by the
// school's admin, and every change is in the audit log.
import type { AppContext } from '../context.ts';
import { auditEvent } from '../audit/events.ts';
import { notFound } from '../http/errors.ts';
import { put, type RetentionPolicy, type School, type User } from '../store/backend.ts';

// A new school starts with schools/schools.ts DEFAULT_RETENTION: 12 months, one
// school year and a summer (docs/audit-and-retention.md says why).

export const MIN_MONTHS = 1;
export const MAX_MONTHS = 60;

export async function schoolOf(ctx: AppContext, schoolId: string): Promise<School> {
  const school = await ctx.store.get('schools', schoolId);
  if (!school) throw notFound();
  return school;
}

export function presentPolicy(policy: RetentionPolicy) {
  return { inactiveMonths: policy.inactiveMonths, archiveClassesAfter: policy.archiveClassesAfter, lastRunAt: policy.lastRunAt };
}

function describe(policy: Pick<RetentionPolicy, 'inactiveMonths' | 'archiveClassesAfter'>): string {
  return `${policy.inactiveMonths} month${policy.inactiveMonths === 1 ? '' : 's'} without sign-in; classes archived after ${policy.archiveClassesAfter ?? 'no date'}`;
}

/** Saves the admin's new policy with its audit event, in one commit. */
export async function changePolicy(
  ctx: AppContext,
  admin: User,
  school: School,
  change: Pick<RetentionPolicy, 'inactiveMonths' | 'archiveClassesAfter'>,
): Promise<RetentionPolicy> {
  const fresh = (await ctx.store.get('schools', school.id)) ?? school;
  const retention: RetentionPolicy = { ...fresh.retention, ...change };
  await ctx.store.commit([
    put('schools', { ...fresh, retention }),
    auditEvent({
      schoolId: school.id,
      actor: admin,
      action: 'retention.changed',
      target: 'retention policy',
      detail: `was: ${describe(fresh.retention)}; now: ${describe(retention)}`,
      at: ctx.now(),
    }),
  ]);
  return retention;
}
