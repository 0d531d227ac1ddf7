// Loads the chat scenarios (scenarios/NN-slug.yaml) and the booster pools
// (boosters/NN-slug.yaml) once, at start-up, in the formats of
// PRACTICE-FORMAT.md (shared with the content authors). A broken file stops the server with a message
// naming the file and the field; the deeper rules (reachability, reading
// level, quiz rules) are the content checker's (src/content/practice-checker.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { renderCard } from '../content/cards.ts';
import { parseYamlFile, questionSchema } from '../content/schema.ts';
import type { QuizQuestion } from '../content/catalog.ts';
import { TECHNIQUE_IDS } from './techniques.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and dashes');
const text = z.string().trim().min(1, 'must not be empty');
const technique = z.string().refine((value) => TECHNIQUE_IDS.includes(value), { message: `must be one of ${TECHNIQUE_IDS.join(', ')}` });

const choiceSchema = z.strictObject({ id: slug, text, spotted: z.boolean(), why: text, next: slug });
const nodeSchema = z.strictObject({
  technique,
  explain: text,
  messages: z.array(z.strictObject({ from: z.enum(['contact', 'narrator']), text })).min(1, 'a step needs at least one message'),
  choices: z.array(choiceSchema).min(2, 'give two or three replies').max(3, 'give two or three replies'),
});
const endingSchema = z.strictObject({ kind: z.enum(['safe', 'pulled-in']), title: text, text });

export const scenarioSchema = z
  .strictObject({
    lessonId: slug,
    title: text,
    contact: z.strictObject({ name: text, about: text }),
    intro: text,
    start: slug,
    nodes: z.record(slug, nodeSchema),
    endings: z.record(slug, endingSchema),
  })
  .superRefine((scenario, ctx) => {
    const nodeIds = Object.keys(scenario.nodes);
    if (!scenario.nodes[scenario.start]) ctx.addIssue({ code: 'custom', path: ['start'], message: `no node has the id "${scenario.start}"` });
    for (const id of Object.keys(scenario.endings)) {
      if (nodeIds.includes(id)) ctx.addIssue({ code: 'custom', path: ['endings', id], message: `"${id}" is both a node and an ending` });
    }
    const choiceIds = new Set<string>();
    for (const [nodeId, node] of Object.entries(scenario.nodes)) {
      node.choices.forEach((choice, index) => {
        if (choiceIds.has(choice.id)) ctx.addIssue({ code: 'custom', path: ['nodes', nodeId, 'choices', index, 'id'], message: `duplicate choice id "${choice.id}"` });
        choiceIds.add(choice.id);
        if (!scenario.nodes[choice.next] && !scenario.endings[choice.next]) {
          ctx.addIssue({ code: 'custom', path: ['nodes', nodeId, 'choices', index, 'next'], message: `no node or ending has the id "${choice.next}"` });
        }
      });
    }
  });

export type ScenarioFile = z.infer<typeof scenarioSchema>;
export interface Scenario extends ScenarioFile {
  file: string;
}
export type ScenarioNode = ScenarioFile['nodes'][string];
export type ScenarioEnding = ScenarioFile['endings'][string];

/** Questions 1-6 are the first booster set, 7-12 the second. */
export const BOOSTER_SET_SIZE = 6;
export const BOOSTER_SETS = 2;

export const boosterPoolSchema = z.strictObject({
  lessonId: slug,
  questions: z
    .array(questionSchema.and(z.object({ technique })))
    .length(BOOSTER_SET_SIZE * BOOSTER_SETS, `a booster pool holds ${BOOSTER_SET_SIZE * BOOSTER_SETS} questions (two sets of ${BOOSTER_SET_SIZE})`),
});

export interface BoosterQuestion extends QuizQuestion {
  technique: string;
}

export interface BoosterPool {
  file: string;
  lessonId: string;
  questions: BoosterQuestion[];
  /** the questions of booster set 1 or 2 */
  set(n: number): BoosterQuestion[];
}

export interface PracticeContent {
  scenario(lessonId: string): Scenario | undefined;
  pool(lessonId: string): BoosterPool | undefined;
}

export class PracticeContentError extends Error {}

export const NO_PRACTICE: PracticeContent = { scenario: () => undefined, pool: () => undefined };

const FILE = /^(\d{2})-([a-z0-9-]+)\.ya?ml$/;

export function parseScenario(file: string, source: string): Scenario {
  return { ...parseYamlFile(file, source, scenarioSchema, (message) => new PracticeContentError(message)), file };
}

export function parseBoosterPool(file: string, source: string): BoosterPool {
  const data = parseYamlFile(file, source, boosterPoolSchema, (message) => new PracticeContentError(message));
  const ids = data.questions.map((question) => question.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new PracticeContentError(`${file}: questions: duplicate question id "${duplicate}"`);
  const questions: BoosterQuestion[] = data.questions.map((question) => ({ ...question, cardsHtml: question.cards.map(renderCard).join('') }));
  return {
    file,
    lessonId: data.lessonId,
    questions,
    set: (n) => (n >= 1 && n <= BOOSTER_SETS ? questions.slice((n - 1) * BOOSTER_SET_SIZE, n * BOOSTER_SET_SIZE) : []),
  };
}

/** Builds the lookups, refusing files for unknown lessons or a second file for one lesson. */
export function buildPracticeContent(scenarios: Scenario[], pools: BoosterPool[], lessonIds: ReadonlySet<string>): PracticeContent {
  const byLesson = <T extends { file: string; lessonId: string }>(items: T[], what: string) => {
    const map = new Map<string, T>();
    for (const item of items) {
      if (!lessonIds.has(item.lessonId)) throw new PracticeContentError(`${item.file}: lessonId: no lesson has the id "${item.lessonId}"`);
      const name = path.basename(item.file).match(FILE);
      if (name && name[2] !== item.lessonId) throw new PracticeContentError(`${item.file}: lessonId: must be "${name[2]}", the name of the file`);
      const other = map.get(item.lessonId);
      if (other) throw new PracticeContentError(`${item.file}: lessonId: "${item.lessonId}" already has ${what} in ${other.file}`);
      map.set(item.lessonId, item);
    }
    return map;
  };
  const scenarioMap = byLesson(scenarios, 'a scenario');
  const poolMap = byLesson(pools, 'a booster pool');
  return { scenario: (lessonId) => scenarioMap.get(lessonId), pool: (lessonId) => poolMap.get(lessonId) };
}

/** Reads `scenarios/` and `boosters/` under `root` (either may be missing: then there is nothing to practise). */
export function loadPracticeContent(root: string, lessonIds: ReadonlySet<string>): PracticeContent {
  const read = <T>(folder: string, parse: (file: string, source: string) => T) =>
    listFiles(path.join(root, folder)).map((name) => parse(`${folder}/${name}`, readFileSync(path.join(root, folder, name), 'utf8')));
  return buildPracticeContent(read('scenarios', parseScenario), read('boosters', parseBoosterPool), lessonIds);
}

function listFiles(folder: string): string[] {
  try {
    return readdirSync(folder).filter((name) => FILE.test(name)).sort();
  } catch {
    return [];
  }
}
