// The attacker's view, against the real server with its real password cost:
// guessing codes and passwords gets nowhere, the real student is never
// locked out, and failed logins take as long whether or not the name exists.
// The server trusts X-Forwarded-For here (TRUST_PROXY) so that the script
// can speak for several addresses.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tempDir } from './helpers.ts';
import { exitOf, startServer, type ServerProcess } from './server-process.ts';
import { ATTACK_SETUP_TOKEN, AttackClient, attack, describeReport, timeFailedLogins } from '../scripts/attack.ts';

describe('attack on the real server', () => {
  let server: ServerProcess;
  let dataDir: string;
  before(async () => {
    dataDir = tempDir('framecheck-attack-');
    server = await startServer(dataDir, { TRUST_PROXY: 'true', SETUP_TOKEN: ATTACK_SETUP_TOKEN });
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await exitOf(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a failed login for an unknown name takes as long as for a real one (medians within 20%)', async () => {
    const owner = new AttackClient(server.url, '198.51.100.200');
    assert.equal((await owner.signup({ role: 'student', username: 'timed-student', displayName: 'T', password: 'timed-secret-42' })).status, 201);
    const timing = await timeFailedLogins(server.url, 'timed-student', 25, 10);
    console.log(`# failed logins, 25 concurrent pairs: real name ${timing.knownMedianMs.toFixed(1)} ms, unknown ${timing.unknownMedianMs.toFixed(1)} ms, ratio ${timing.ratio.toFixed(3)}`);
    assert.ok(timing.ratio > 0.8 && timing.ratio < 1.2, `median ratio ${timing.ratio.toFixed(3)} (real ${timing.knownMedianMs.toFixed(1)} ms, unknown ${timing.unknownMedianMs.toFixed(1)} ms)`);
  });

  test('guessing class codes, parent codes and passwords gets nowhere and never locks the owner out', async () => {
    const report = await attack(server.url, { seconds: 2, timingSamples: 0 });
    console.log(describeReport(report).replace(/^/gm, '# '));
    const guessing = [report.joinCodesSignedIn, report.joinCodesFreshSessions, report.parentCodes, report.passwordsOneName, report.passwordSpray];
    for (const tally of guessing) {
      assert.equal(tally.hits, 0);
      assert.ok(tally.retryAfterAlways, 'every 429 says when to try again');
    }
    // Per session 10 wrong codes, then waits of 2 s, 4 s ...: a handful more at most in 2 s.
    assert.ok(report.joinCodesSignedIn.checked <= 12, `join codes checked: ${report.joinCodesSignedIn.checked}`);
    assert.ok(report.joinCodesSignedIn.refused429 > 0);
    assert.ok(report.parentCodes.checked <= 12, `parent codes checked: ${report.parentCodes.checked}`);
    assert.ok(report.parentCodes.refused429 > 0);
    // New sessions do not help: the address is counted too (50 a hour, shared with the signed-in guesses).
    assert.ok(report.joinCodesSignedIn.checked + report.joinCodesFreshSessions.checked <= 52, `join codes from one address: ${report.joinCodesSignedIn.checked + report.joinCodesFreshSessions.checked}`);
    assert.ok(report.passwordsOneName.checked <= 6, `passwords checked: ${report.passwordsOneName.checked}`);
    assert.ok(report.ownerLogins.tried >= 3);
    assert.equal(report.ownerLogins.ok, report.ownerLogins.tried, `the owner's logins: ${JSON.stringify(report.ownerLogins.statuses)}`);
  });
});
