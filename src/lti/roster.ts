// Names and Role Provisioning: the LMS course's learners become students of
// its class before anyone launches, so the progress matrix is complete.
import type { AppContext } from '../context.ts';
import { badRequest } from '../http/errors.ts';
import { insert, isConflict, type ClassRecord } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { roleFromClaims, userForLaunch } from './provisioning.ts';
import { fetchMembers, ServiceError } from './services.ts';

export async function importRoster(ctx: AppContext, record: ClassRecord): Promise<{ added: number; existing: number }> {
  const context = (await ctx.store.find('ltiContexts', 'classId', record.id))[0];
  if (!context) throw badRequest('This class did not come from an LMS course.');
  if (!context.membershipsUrl) throw badRequest('The LMS did not offer its class list (Names and Role Provisioning) for this course.');
  const platform = await ctx.store.get('ltiPlatforms', context.platformId);
  if (!platform) throw badRequest('This LMS is no longer connected to FrameCheck.');
  let members;
  try {
    members = await fetchMembers(ctx.lti.tokens, platform, context.membershipsUrl);
  } catch (error) {
    if (error instanceof ServiceError) throw badRequest(`The LMS did not give the class list: ${error.message}.`);
    throw error;
  }
  let added = 0;
  let existing = 0;
  for (const member of members) {
    if (member.status !== 'Active' || roleFromClaims(member.roles) !== 'student') continue;
    const student = await userForLaunch(ctx, platform, member.userId, 'student', { name: member.name, given_name: member.givenName });
    const id = keys.membership(record.id, student.id);
    if (await ctx.store.get('memberships', id)) {
      existing += 1;
      continue;
    }
    try {
      await ctx.store.commit([insert('memberships', { id, classId: record.id, studentId: student.id, joinedAt: ctx.now().toISOString() })]);
      added += 1;
    } catch (error) {
      if (!isConflict(error)) throw error;
      existing += 1;
    }
  }
  return { added, existing };
}
