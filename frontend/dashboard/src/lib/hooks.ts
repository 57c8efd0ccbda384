import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { formErrors, type FormErrors } from './fieldErrors';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (update: T | ((old: T | undefined) => T)) => void;
}

/** useAsync runs load when deps change and keeps the latest answer (older, slower answers are dropped). */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const run = useRef(0);
  useEffect(() => {
    const id = ++run.current;
    setState((s) => ({ data: s.data, loading: true }));
    load().then(
      (data) => id === run.current && setState({ data, loading: false }),
      (error) => id === run.current && setState({ error, loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const setData = useCallback((update: T | ((old: T | undefined) => T)) => {
    setState((s) => ({
      ...s,
      data: typeof update === 'function' ? (update as (old: T | undefined) => T)(s.data) : update,
    }));
  }, []);
  return { data: state.data, error: state.error, loading: state.loading, reload, setData };
}

/** useNow re-renders every interval ms and returns the time. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(h);
  }, [intervalMs]);
  return now;
}

/** usePref is a non-secret UI preference kept in localStorage. */
export function usePref<T extends string | boolean>(key: string, initial: T): [T, (v: T) => void] {
  const read = (): T => {
    try {
      const raw = localStorage.getItem(`parley.pref.${key}`);
      if (raw === null) return initial;
      return (typeof initial === 'boolean' ? raw === 'true' : raw) as T;
    } catch {
      return initial;
    }
  };
  const [v, setV] = useState<T>(read);
  const set = useCallback(
    (next: T) => {
      setV(next);
      try {
        localStorage.setItem(`parley.pref.${key}`, String(next));
      } catch {
        // Private mode: the preference lasts for this page only.
      }
    },
    [key],
  );
  return [v, set];
}

const noErrors: FormErrors = { fields: {} };

export interface Submit {
  /** submit is the form's onSubmit: it prevents the page load and runs the action once more. */
  submit: (e?: FormEvent) => Promise<void>;
  busy: boolean;
  errors: FormErrors;
  setErrors: (errors: FormErrors) => void;
}

/** useSubmit runs a form's action with busy set and errors cleared, mapping a failure onto fields (keepBusy: stay busy after success, for a form that leaves the page). */
export function useSubmit(action: () => Promise<unknown>, fields: readonly string[], { keepBusy = false }: { keepBusy?: boolean } = {}): Submit {
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setErrors(noErrors);
    try {
      await action();
      if (!keepBusy) setBusy(false);
    } catch (err) {
      setErrors(formErrors(err, fields));
      setBusy(false);
    }
  };
  return { submit, busy, errors, setErrors };
}
