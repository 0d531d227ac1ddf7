// Chat scenarios: progress step by step, the ending with its walk back, replay,
// and the page without JavaScript.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { classroom, signedUp } from './helpers.ts';
import { PRACTICE_LESSON, startPracticeApp } from './practice-helpers.ts';
import { analyseScenario, choose, feedback, positionAfter } from '../src/practice/scenario.ts';
import { practiceCatalog } from './practice-helpers.ts';

const url = `/lessons/${PRACTICE_LESSON}/scenario`;

describe('the scenario engine (pure)', () => {
  const scenario = practiceCatalog().practice.scenario(PRACTICE_LESSON)!;

  test('a worked example: two spotted replies then stepping away ends safe after three steps', () => {
    const steps = [
      { nodeId: 'n1', choiceId: 'c1' },
      { nodeId: 'n2', choiceId: 'c4' },
      { nodeId: 'n3', choiceId: 'c5' },
    ];
    const position = positionAfter(scenario, steps);
    assert.equal(position.kind, 'ending');
    assert.equal(position.kind === 'ending' && position.ending.kind, 'safe');
    assert.deepEqual(
      feedback(scenario, steps).map(({ nodeId, technique, spotted }) => ({ nodeId, technique, spotted })),
      [
        { nodeId: 'n1', technique: 'love-bombing', spotted: true },
        { nodeId: 'n2', technique: 'fake-volume', spotted: false },
        { nodeId: 'n3', technique: 'belonging', spotted: true },
      ],
    );
  });

  test('a reply that is not on the current step is refused, naming the field', () => {
    assert.throws(() => choose(scenario, [], 'c3'), (error: any) => error.status === 422 && error.field === 'choiceId');
  });

  test('the fixture has 7 nodes on its longest path, no cycles, everything reachable', () => {
    assert.deepEqual(analyseScenario(scenario), { longestPath: 7, unreachable: [], cycles: [], dangling: [] });
  });
});

describe('playing a scenario over HTTP', () => {
  let t: Awaited<ReturnType<typeof startPracticeApp>>;
  before(async () => {
    t = await startPracticeApp();
  });
  after(() => t.close());

  test('a student walks through to the pulled-in ending, sees the walk back and help, then replays', async () => {
    const sam = await signedUp(t.app, 'student', 'sam-chat');
    const first = await sam.get(url);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.scenario.node.choices.map((choice: { id: string }) => choice.id), ['c1', 'c2']);
    assert.equal(first.body.scenario.done, false);
    assert.equal(first.body.scenario.node.choices[0].spotted, undefined, 'no answer key before the end');

    const path = ['c2', 'c4', 'c6', 'c8', 'c10', 'c12'];
    for (const choiceId of path) {
      const step = await sam.post(url, { choiceId });
      assert.equal(step.status, 201, JSON.stringify(step.body));
      assert.ok(step.body.node, 'the next node');
    }
    const resumed = await sam.get(url);
    assert.equal(resumed.body.scenario.node.id, 'n7', 'progress is kept between visits');

    const end = await sam.post(url, { choiceId: 'c14' });
    assert.equal(end.status, 201);
    assert.equal(end.body.ending.kind, 'pulled-in');
    assert.equal(end.body.ending.feedback.length, 7);
    assert.deepEqual(end.body.ending.feedback[0], {
      nodeId: 'n1',
      technique: 'love-bombing',
      techniqueName: 'Love-bombing and isolation',
      spotted: false,
      explanation: end.body.ending.feedback[0].explanation,
      reply: 'wow thank you, nobody says that to me',
      why: 'It feels good, and that is the point. Fast praise is a hook.',
    });
    assert.match(end.body.ending.help.html, /Get help/);

    const page = await sam.page(url);
    assert.equal(page.status, 200);
    assert.match(page.text, /Not a safe ending: you were pulled further in/);
    assert.doesNotMatch(page.text, /Well done|✓ You stepped away/);
    assert.match(page.text, /Looking back at the chat/);
    assert.match(page.text, /Step 7: Urgency and calls to act/);
    assert.match(page.text, /id="get-help"/);
    assert.doesNotMatch(page.text, /<script/i, 'no JavaScript on the page');

    const over = await sam.post(url, { choiceId: 'c1' });
    assert.equal(over.status, 422);
    assert.equal(over.body.error.field, 'choiceId');

    const replay = await sam.post(url, { restart: 1 });
    assert.equal(replay.status, 201);
    assert.equal(replay.body.node.id, 'n1');
    const again = await sam.get(url);
    assert.equal(again.body.scenario.done, false);
    assert.equal(again.body.scenario.node.id, 'n1');
    for (const choiceId of ['c1', 'c3', 'c5']) await sam.post(url, { choiceId });
    const safe = await sam.get(url);
    assert.equal(safe.body.scenario.done, true);
    assert.equal(safe.body.scenario.ending.kind, 'safe');
  });

  test('the form version works without JavaScript: buttons post choiceId, answers 303 back to the chat', async () => {
    const rae = await signedUp(t.app, 'student', 'rae-chat');
    const page = await rae.page(url);
    assert.match(page.text, /<button type="submit" name="choiceId" value="c1"/);
    const posted = await rae.form(url, { choiceId: 'c1' });
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.location, `${url}#reply`);
    const next = await rae.page(url);
    assert.match(next.text, /thanks! who are you though\?/, 'the reply shows in the chat');
    assert.match(next.text, /value="c3"/);
    const bad = await rae.form(url, { choiceId: 'c99' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Pick one of the replies shown/);
  });

  test('a bad body gets a 422 naming the field and changes nothing', async () => {
    const kim = await signedUp(t.app, 'student', 'kim-chat');
    for (const body of [{}, { choiceId: 42 }, { restart: 'yes' }]) {
      const response = await kim.post(url, body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.ok(response.body.error.field);
    }
    assert.equal((await kim.get(url)).body.scenario.node.id, 'n1');
  });

  test('a lesson without a scenario shows no link and its scenario URL is 404', async () => {
    const lee = await signedUp(t.app, 'student', 'lee-chat');
    const withChat = await lee.page(`/lessons/${PRACTICE_LESSON}`);
    assert.match(withChat.text, new RegExp(`href="${url}"`));
    const without = await lee.page('/lessons/recruitment-funnel');
    assert.doesNotMatch(without.text, /\/scenario"/);
    assert.equal((await lee.get('/lessons/recruitment-funnel/scenario')).status, 404);
  });

  test('the teacher sees who finished and which ending, as a path, never reply text', async () => {
    const { teacher, classId, students } = await classroom(t.app, ['ana-chat', 'ben-chat']);
    for (const choiceId of ['c1', 'c3', 'c5']) await students[0].post(url, { choiceId });
    const view = await teacher.get(`/classes/${classId}/mastery`);
    assert.equal(view.status, 200);
    const ana = view.body.students.find((s: { displayName: string }) => s.displayName === 'ana-chat');
    const ben = view.body.students.find((s: { displayName: string }) => s.displayName === 'ben-chat');
    assert.deepEqual(ana.scenarios.find((s: { lessonId: string }) => s.lessonId === PRACTICE_LESSON), {
      lessonId: PRACTICE_LESSON, finished: true, kind: 'safe', endingId: 'e1', path: ['n1', 'n2', 'n3'], spotted: 3, steps: 3, finishedAt: '2027-03-01T10:00:00.000Z',
    });
    assert.deepEqual(ben.scenarios[0], { lessonId: PRACTICE_LESSON, finished: false });
    const page = await teacher.page(`/classes/${classId}/mastery`);
    assert.match(page.text, /Safe ending; spotted 3 of 3 steps/);
    assert.doesNotMatch(page.text, /who are you though/, 'the replies themselves are not shown to the teacher');
  });
});
