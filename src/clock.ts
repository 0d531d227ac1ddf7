// The one clock: due dates, boosters and mastery all ask it for the time.
// Started from FRAMECHECK_NOW (config.clockStart) it runs on from there, so a
// test can stop the server and start it again weeks later.

export type Clock = () => Date;

export function startClock(start: Date | null, realNow: () => number = Date.now): Clock {
  if (!start) return () => new Date(realNow());
  const offset = start.getTime() - realNow();
  return () => new Date(realNow() + offset);
}
