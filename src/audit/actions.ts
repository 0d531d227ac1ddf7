// Every kind of audit event, with the words the log page shows for it. A new
// AuditAction in store/types.ts fails to compile here until it has words.
import type { AuditAction } from '../store/backend.ts';

export const ACTION_LABELS = {
  'admin.login': 'Admin signed in',
  'invite.created': 'Invitation made',
  'invite.used': 'Invitation used',
  'password.reset': 'Password reset',
  'student.exported': 'Student data exported',
  'student.erased': 'Student account erased',
  'student.removed': 'Student removed from a class',
  'teacher.deactivated': 'Teacher deactivated',
  'teacher.coteacher-added': 'Co-teacher added',
  'role.changed': 'Role changed',
  'lms.connected': 'LMS connected',
  'lms.disconnected': 'LMS disconnected',
  'roster.imported': 'Roster imported',
  'retention.changed': 'Retention policy changed',
  'retention.run': 'Retention applied',
  'school.created': 'School created',
} as const satisfies Record<AuditAction, string>;

export const AUDIT_ACTIONS = Object.keys(ACTION_LABELS) as [AuditAction, ...AuditAction[]];
