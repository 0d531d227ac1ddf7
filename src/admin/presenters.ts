// What the admin dashboard shows, and the same data as JSON. Invitation
// codes are never here: a code is shown once, when it is made, and only its
// hash is stored.
import type { AppContext } from '../context.ts';
import type { SchoolDashboard } from './dashboard.ts';

/** A share (0-1) as a whole percent for people. */
function percent(share: number | null): number | null {
  return share === null ? null : Math.round(share * 100);
}

export function presentDashboard(ctx: AppContext, dashboard: SchoolDashboard) {
  const { school, teachers, classes, invites, checkups } = dashboard;
  const now = ctx.now().toISOString();
  const nameOf = new Map(teachers.map((teacher) => [teacher.user.id, teacher.user.displayName]));
  const json = {
    school: { id: school.id, name: school.name, retention: school.retention },
    teachers: teachers.map(({ user, active, classes: count }) => ({ id: user.id, username: user.username, displayName: user.displayName, role: user.role, active, classes: count })),
    classes: classes.map((entry) => ({
      id: entry.record.id,
      name: entry.record.name,
      teacherIds: entry.teacherIds,
      students: entry.students,
      assignedLessons: entry.assignedLessons,
      completion: entry.completion === null ? null : Math.round(entry.completion * 100) / 100,
    })),
    invites: invites.map((invite) => ({ note: invite.note, role: invite.role, createdAt: invite.createdAt, expiresAt: invite.expiresAt, used: invite.usedAt !== null })),
    checkups,
  };
  return {
    json,
    school,
    teachers: teachers.map((teacher) => ({ ...teacher, id: teacher.user.id })),
    classes: classes.map((entry) => ({
      ...entry,
      id: entry.record.id,
      name: entry.record.name,
      teacherNames: entry.teacherIds.map((id) => nameOf.get(id) ?? 'a former teacher'),
      percent: percent(entry.completion),
    })),
    openInvites: invites.filter((invite) => invite.usedAt === null && invite.expiresAt > now),
    checkups,
    hasBank: Boolean(ctx.catalog.bank),
  };
}
