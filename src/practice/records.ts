// Every read and write of practice records, as named store queries.
import { newId } from '../ids.ts';
import { put, type BoosterResult, type PracticeSettings, type ScenarioRun, type StoreBackend as Store } from '../store/backend.ts';
import { DEFAULT_INTERVALS, type Intervals } from './boosters.ts';

/** A student's runs of one lesson's scenario (or of every scenario), oldest first. */
export async function scenarioRunsOf(store: Store, studentId: string, lessonId?: string): Promise<ScenarioRun[]> {
  return (await store.find('scenarioRuns', 'studentId', studentId))
    .filter((run) => lessonId === undefined || run.lessonId === lessonId)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.number - b.number);
}

/** The run a student is on: their latest, if any. */
export async function currentRun(store: Store, studentId: string, lessonId: string): Promise<ScenarioRun | undefined> {
  return (await scenarioRunsOf(store, studentId, lessonId)).at(-1);
}

export async function newRun(store: Store, studentId: string, lessonId: string, at: string): Promise<ScenarioRun> {
  const number = (await scenarioRunsOf(store, studentId, lessonId)).length + 1;
  return { id: newId(), studentId, lessonId, number, startedAt: at, steps: [], endingId: null, finishedAt: null };
}

export function saveRun(store: Store, run: ScenarioRun): Promise<void> {
  return store.commit([put('scenarioRuns', run)]);
}

export async function boosterResultsOf(store: Store, studentId: string): Promise<BoosterResult[]> {
  return (await store.find('boosterResults', 'studentId', studentId)).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

export function boosterResult(store: Store, resultId: string): Promise<BoosterResult | undefined> {
  return store.get('boosterResults', resultId);
}

export function saveBoosterResult(store: Store, result: BoosterResult): Promise<void> {
  return store.commit([put('boosterResults', result)]);
}

/** A class's booster intervals, the defaults until its teacher sets them. */
export async function classIntervals(store: Store, classId: string): Promise<Intervals> {
  const settings = await store.get('practiceSettings', classId);
  return settings ? { firstDays: settings.firstDays, secondDays: settings.secondDays } : DEFAULT_INTERVALS;
}

export function saveClassIntervals(store: Store, classId: string, intervals: Intervals, at: string): Promise<void> {
  const settings: PracticeSettings = { id: classId, classId, ...intervals, updatedAt: at };
  return store.commit([put('practiceSettings', settings)]);
}
