// Ids of records whose id is made from other ids: built here and nowhere
// else, so no feature spells out a key by hand.
import { shardIndex } from './engine.ts';

export const keys = {
  membership: (classId: string, studentId: string) => `${classId}:${studentId}`,
  classTeacher: (classId: string, teacherId: string) => `${classId}:${teacherId}`,
  lessonOpen: (studentId: string, lessonId: string) => `${studentId}:${lessonId}`,
  parentLink: (parentId: string, studentId: string) => `${parentId}:${studentId}`,
  sitting: (checkupId: string, studentId: string) => `${checkupId}:${studentId}`,
  checkupResponse: (checkupId: string, studentId: string, itemId: string) => `${checkupId}:${studentId}:${itemId}`,
  researchId: (classId: string, studentId: string) => `${classId}:${studentId}`,
  rosterSlip: (batchId: string, studentId: string) => `${batchId}:${studentId}`,
};

/** A stable spread of a pair of ids over `count` buckets (the same hash the embedded store shards by). */
export function stableBucket(parts: string[], count: number): number {
  return shardIndex(parts.join(':'), count);
}
