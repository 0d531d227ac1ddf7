// Small formatting helpers the templates share.
const STATUS_LABELS: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  passed: 'Passed',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const viewHelpers = {
  statusLabel(status: string): string {
    return STATUS_LABELS[status] ?? status;
  },
  /** 2027-03-14 -> "14 Mar 2027" (dates are calendar days, not times). By hand: Intl is slow per call. */
  formatDay(day: string | null): string {
    if (!day) return 'No due date';
    const [year, month, date] = day.slice(0, 10).split('-');
    return `${Number(date)} ${MONTHS[Number(month) - 1]} ${year}`;
  },
  /** 2027-03-14T09:05:00Z -> "14 Mar 2027, 09:05 UTC" */
  formatTime(iso: string | null): string {
    if (!iso) return '';
    return `${viewHelpers.formatDay(iso)}, ${iso.slice(11, 16)} UTC`;
  },
  percent(value: number | null): string {
    return value === null ? '–' : `${value}%`;
  },
};
