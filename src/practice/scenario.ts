// The chat scenario engine: pure functions of a scenario and the replies
// picked so far. A run is only ids (node, choice), so replaying it always
// gives the same chat, and nothing a student "wrote" exists to be shown.
import { invalid } from '../http/errors.ts';
import type { Scenario, ScenarioEnding, ScenarioNode } from './content.ts';

export interface Step {
  nodeId: string;
  choiceId: string;
}

export type Position =
  | { kind: 'node'; nodeId: string; node: ScenarioNode }
  | { kind: 'ending'; endingId: string; ending: ScenarioEnding };

/** Where a run stands after its steps: the node to answer next, or the ending reached. */
export function positionAfter(scenario: Scenario, steps: readonly Step[]): Position {
  let at = scenario.start;
  for (const step of steps) {
    const node = scenario.nodes[at];
    const choice = node?.choices.find((candidate) => candidate.id === step.choiceId);
    // Content changed under a saved run: stop where it still makes sense.
    if (!node || step.nodeId !== at || !choice) break;
    at = choice.next;
  }
  return positionOf(scenario, at);
}

function positionOf(scenario: Scenario, id: string): Position {
  const ending = scenario.endings[id];
  if (ending) return { kind: 'ending', endingId: id, ending };
  const node = scenario.nodes[id] ?? scenario.nodes[scenario.start];
  return { kind: 'node', nodeId: scenario.nodes[id] ? id : scenario.start, node };
}

/**
 * The step that picking `choiceId` adds, or a 422 naming the field when the
 * run is over or the reply is not one of this step's.
 */
export function choose(scenario: Scenario, steps: readonly Step[], choiceId: string): { step: Step; next: Position } {
  const position = positionAfter(scenario, steps);
  if (position.kind === 'ending') throw invalid('This chat has ended. Start it again to replay it.', 'choiceId');
  const choice = position.node.choices.find((candidate) => candidate.id === choiceId);
  if (!choice) throw invalid('Pick one of the replies shown.', 'choiceId');
  const step = { nodeId: position.nodeId, choiceId };
  return { step, next: positionAfter(scenario, [...steps, step]) };
}

export interface StepFeedback {
  nodeId: string;
  technique: string;
  spotted: boolean;
  /** what the contact did at this step and why it works on people */
  explanation: string;
  /** the reply picked, and what it did */
  reply: string;
  why: string;
}

/** The walk back through a run: per step, the technique, whether the reply spotted it, and why. */
export function feedback(scenario: Scenario, steps: readonly Step[]): StepFeedback[] {
  const result: StepFeedback[] = [];
  let at = scenario.start;
  for (const step of steps) {
    const node = scenario.nodes[at];
    const choice = node?.choices.find((candidate) => candidate.id === step.choiceId);
    if (!node || step.nodeId !== at || !choice) break;
    result.push({ nodeId: at, technique: node.technique, spotted: choice.spotted, explanation: node.explain, reply: choice.text, why: choice.why });
    at = choice.next;
  }
  return result;
}

/** The graph facts the content checker needs: what start reaches, cycles, the longest path (in nodes). */
export function analyseScenario(scenario: Pick<Scenario, 'start' | 'nodes' | 'endings'>) {
  const reached = new Set<string>();
  const cycles: string[][] = [];
  const dangling: { nodeId: string; choiceId: string; next: string }[] = [];
  const longest = new Map<string, number>();
  const state = new Map<string, 'open' | 'done'>();
  // Depth-first from start: a node met again while still open closes a cycle.
  const visit = (id: string, trail: string[]): number => {
    reached.add(id);
    if (scenario.endings[id]) return 0;
    const node = scenario.nodes[id];
    if (!node) return 0;
    if (state.get(id) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(id)), id]);
      return 0;
    }
    if (state.get(id) === 'done') return longest.get(id)!;
    state.set(id, 'open');
    let best = 0;
    for (const choice of node.choices) {
      if (!scenario.nodes[choice.next] && !scenario.endings[choice.next]) {
        dangling.push({ nodeId: id, choiceId: choice.id, next: choice.next });
        continue;
      }
      best = Math.max(best, visit(choice.next, [...trail, id]));
    }
    state.set(id, 'done');
    longest.set(id, best + 1);
    return best + 1;
  };
  const longestPath = scenario.nodes[scenario.start] ? visit(scenario.start, []) : 0;
  const unreachable = [...Object.keys(scenario.nodes), ...Object.keys(scenario.endings)].filter((id) => !reached.has(id));
  return { longestPath, unreachable, cycles, dangling };
}
