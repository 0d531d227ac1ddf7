// Small formatting helpers the templates share.
const STATUS_LABELS: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  passed: 'Passed',
};

export const viewHelpers = {
  statusLabel(status: string): string {
    return STATUS_LABELS[status] ?? status;
  },
  /** 2027-03-14 -> "14 Mar 2027" (dates are calendar days, not times) */
  formatDay(day: string | null): string {
    if (!day) return 'No due date';
    const date = new Date(`${day.slice(0, 10)}T12:00:00Z`);
    return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  },
  formatTime(iso: string | null): string {
    if (!iso) return '';
    return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }) + ' UTC';
  },
  percent(value: number | null): string {
    return value === null ? '–' : `${value}%`;
  },
};
