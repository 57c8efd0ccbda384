import { useId } from 'react';
import { percent } from './logic';

/** JobProgress is a labelled progress bar (role=progressbar, 0–100) with its text. */
export function JobProgress({ label, text, progress, testId }: { label: string; text: string; progress: number; testId?: string }) {
  const id = useId();
  const pct = percent(progress);
  return (
    <div className="job-progress" data-testid={testId}>
      <p id={id} className="job-progress-text">
        {text}
      </p>
      <div className="progress" role="progressbar" aria-label={label} aria-describedby={id} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
