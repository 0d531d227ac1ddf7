// The LMS gradebook gets the score even when the server is killed between
// the quiz answer and the send: the real server, SIGKILL, a restart, and the
// platform simulator waiting for the score.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Express } from 'express';
import { Client, FIRST_LESSON, rightAnswers, tempDir } from './helpers.ts';
import { connect, launch, LEARNER, Platform, ROLES } from './lti-platform.ts';
import { exitOf, startServer, type ServerProcess } from './server-process.ts';

const OPERATOR_TOKEN = 'operator-token-for-the-kill-test';

/** A client of the spawned server (supertest takes its address in place of an app). */
function clientOf(server: ServerProcess): Client {
  return new Client(server.url as unknown as Express);
}

test('a score answered just before a kill -9 reaches the LMS after the restart', async () => {
  const dir = tempDir();
  let server = await startServer(dir, { SETUP_TOKEN: OPERATOR_TOKEN });
  const lms = await Platform.start(async () => (await fetch(`${server.url}/lti/jwks`)).json(), () => new Date());
  try {
    const admin = clientOf(server);
    await admin.refreshToken();
    const setup = await admin.post('/setup', { token: OPERATOR_TOKEN, schoolName: 'Kill Test School', username: 'kill.admin', password: 'a-long-secret-1', displayName: 'Admin' });
    assert.equal(setup.status, 201, JSON.stringify(setup.body));
    admin.token = setup.body.csrfToken;
    await connect(admin, lms);

    const student = clientOf(server);
    const { response } = await launch(student, lms, { sub: 'learner-kill', [ROLES]: LEARNER });
    assert.equal(response.status, 303, response.text.slice(0, 300));
    await student.refreshToken();
    lms.failScores = Infinity; // the LMS is down: the score can only wait in the outbox
    const answered = await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    assert.equal(answered.status, 201);

    server.child.kill('SIGKILL');
    await exitOf(server.child);
    assert.equal(lms.scores.length, 0, 'nothing reached the LMS before the kill');

    lms.failScores = 0;
    server = await startServer(dir, { SETUP_TOKEN: OPERATOR_TOKEN });
    const restarted = Date.now();
    for (;;) {
      const score = lms.scores.find((one) => one.body.userId === 'learner-kill');
      if (score) {
        assert.equal(score.body.scoreGiven, 100);
        assert.equal(score.body.activityProgress, 'Completed');
        break;
      }
      assert.ok(Date.now() - restarted < 10_000, 'the queue resumes within 10 s of start-up');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(lms.scores.filter((one) => one.body.userId === 'learner-kill').length, 1, 'sent once');
  } finally {
    server.child.kill('SIGKILL');
    await exitOf(server.child);
    await lms.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
