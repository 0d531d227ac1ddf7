// What the measurement scripts read about a process from /proc: its CPU time
// (user and system, in clock ticks of 10 ms) and its resident memory, and the
// CPU time of the PostgreSQL cluster scripts/with-postgres.sh started.
import { readFileSync, readdirSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name, or null when the process is gone. */
function stat(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return null;
  }
}

/** User and system CPU ticks (1/100 s) of a process; zero once it is gone. */
export function cpuTicks(pid: number): [number, number] {
  const fields = stat(pid);
  return fields ? [Number(fields[11]), Number(fields[12])] : [0, 0];
}

/** User plus system CPU ticks (1/100 s) of a process. */
export function totalTicks(pid: number): number {
  const [user, system] = cpuTicks(pid);
  return user + system;
}

/** User and system CPU ticks of a PostgreSQL cluster: its postmaster and every backend it forked. */
export function postgresTicks(socketDir: string): [number, number] {
  const postmaster = Number(readFileSync(`${socketDir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
  const sum = cpuTicks(postmaster);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(stat(Number(entry))?.[1]) !== postmaster) continue;
    const [user, system] = cpuTicks(Number(entry));
    sum[0] += user;
    sum[1] += system;
  }
  return sum;
}

export function residentMiB(pid: number): number {
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
}
