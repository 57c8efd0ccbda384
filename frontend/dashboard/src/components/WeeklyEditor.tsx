import { WEEKDAYS, type TimeRange, type Weekday } from '../api/types';
import { t } from '../i18n';
import { Button, Switch } from './ui';

export const DEFAULT_RANGE: TimeRange = { open: '09:00', close: '17:00' };

type Week = Partial<Record<Weekday, TimeRange[]>>;

/** defaultWeek is weekdays 09:00–17:00 and weekends closed. */
export function defaultWeek(): Record<Weekday, TimeRange[]> {
  const weekly = {} as Record<Weekday, TimeRange[]>;
  for (const d of WEEKDAYS) weekly[d] = d === 'sat' || d === 'sun' ? [] : [{ ...DEFAULT_RANGE }];
  return weekly;
}

/** badRanges lists "day.index" of the ranges that close before they open. */
export function badRanges(weekly: Week | null | undefined): Set<string> {
  const bad = new Set<string>();
  for (const d of WEEKDAYS) {
    (weekly?.[d] ?? []).forEach((r, i) => {
      if (!(r.close === '24:00' || r.close > r.open)) bad.add(`${d}.${i}`);
    });
  }
  return bad;
}

/** browserTimezone is the browser's IANA zone, or UTC. */
export function browserTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * WeeklyEditor edits a week of time ranges (business hours, bookable hours):
 * each day on/off, up to four ranges. `bad` holds "day.index" of invalid ranges.
 */
export function WeeklyEditor<W extends Week>({
  legend,
  weekly,
  bad,
  error,
  onChange,
  labels,
  disabled,
}: {
  legend: string;
  weekly: W;
  bad: Set<string>;
  error?: string;
  onChange: (w: W) => void;
  /** What an empty day says, and the accessible names of a range's two inputs. */
  labels: { empty: string; from: (day: string) => string; to: (day: string) => string };
  disabled?: boolean;
}) {
  const setDay = (d: Weekday, ranges: TimeRange[]) => onChange({ ...weekly, [d]: ranges });
  return (
    <fieldset className="weekly" disabled={disabled}>
      <legend>{legend}</legend>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {WEEKDAYS.map((d) => {
        const ranges = weekly[d] ?? [];
        const day = t(`hours.day.${d}`);
        return (
          <div className="day-row" key={d}>
            <div className="day-name">
              <Switch label={day} checked={ranges.length > 0} onChange={(on) => setDay(d, on ? [{ ...DEFAULT_RANGE }] : [])} />
            </div>
            <div className="day-ranges">
              {ranges.length === 0 && <span className="muted">{labels.empty}</span>}
              {ranges.map((r, i) => (
                <div className={`range${bad.has(`${d}.${i}`) ? ' range-bad' : ''}`} key={i}>
                  <input
                    type="time"
                    aria-label={labels.from(day)}
                    value={r.open}
                    aria-invalid={bad.has(`${d}.${i}`) || undefined}
                    onChange={(e) => setDay(d, ranges.map((x, j) => (j === i ? { ...x, open: e.target.value } : x)))}
                  />
                  <span aria-hidden="true">–</span>
                  <input
                    type="time"
                    aria-label={labels.to(day)}
                    value={r.close === '24:00' ? '23:59' : r.close}
                    aria-invalid={bad.has(`${d}.${i}`) || undefined}
                    onChange={(e) => setDay(d, ranges.map((x, j) => (j === i ? { ...x, close: e.target.value } : x)))}
                  />
                  <Button small variant="ghost" aria-label={`${t('hours.removeRange')} (${day})`} onClick={() => setDay(d, ranges.filter((_, j) => j !== i))}>
                    ×
                  </Button>
                </div>
              ))}
              {ranges.length > 0 && ranges.length < 4 && (
                <Button small variant="ghost" onClick={() => setDay(d, [...ranges, { open: '18:00', close: '20:00' }])} aria-label={`${t('hours.addRange')} (${day})`}>
                  + {t('hours.addRange')}
                </Button>
              )}
            </div>
          </div>
        );
      })}
      <Button
        small
        onClick={() => {
          const mon = weekly.mon ?? [];
          onChange({ ...weekly, tue: mon.map((r) => ({ ...r })), wed: mon.map((r) => ({ ...r })), thu: mon.map((r) => ({ ...r })), fri: mon.map((r) => ({ ...r })) });
        }}
      >
        {t('hours.copyToWeekdays')}
      </Button>
    </fieldset>
  );
}

/** timezones lists the browser's IANA zones, with the current one first if the browser lacks it. */
export function timezones(current: string): string[] {
  const list = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC'];
  return !current || list.includes(current) ? list : [current, ...list];
}
