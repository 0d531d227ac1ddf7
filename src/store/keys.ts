// Ids of records whose id is made from other ids: built here and nowhere
// else, so no feature spells out a key by hand.
import { createHash } from 'node:crypto';
import { shardIndex } from './engine.ts';

/** A fixed-length id from outside values (an LMS's ids may hold any characters and be long). */
function digest(...parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
}

export const keys = {
  membership: (classId: string, studentId: string) => `${classId}:${studentId}`,
  classTeacher: (classId: string, teacherId: string) => `${classId}:${teacherId}`,
  lessonOpen: (studentId: string, lessonId: string) => `${studentId}:${lessonId}`,
  parentLink: (parentId: string, studentId: string) => `${parentId}:${studentId}`,
  sitting: (checkupId: string, studentId: string) => `${checkupId}:${studentId}`,
  checkupResponse: (checkupId: string, studentId: string, itemId: string) => `${checkupId}:${studentId}:${itemId}`,
  researchId: (classId: string, studentId: string) => `${classId}:${studentId}`,
  rosterSlip: (batchId: string, studentId: string) => `${batchId}:${studentId}`,
  ltiNonce: (issuer: string, nonce: string) => digest('nonce', issuer, nonce),
  ltiIdentity: (issuer: string, sub: string) => digest('identity', issuer, sub),
  ltiContext: (issuer: string, deploymentId: string, contextId: string) => digest('context', issuer, deploymentId, contextId),
  ltiResourceLink: (issuer: string, deploymentId: string, resourceLinkId: string) => digest('link', issuer, deploymentId, resourceLinkId),
  ltiGrade: (linkId: string, studentId: string) => `${linkId}:${studentId}`,
  ltiGradeClaim: (gradeId: string, seq: number, tries: number) => `${gradeId}:${seq}:${tries}`,
  /** one-time tokens are stored as their hash only */
  secretHash: (token: string) => digest('token', token),
};

/** A stable spread of a pair of ids over `count` buckets (the same hash the embedded store shards by). */
export function stableBucket(parts: string[], count: number): number {
  return shardIndex(parts.join(':'), count);
}
