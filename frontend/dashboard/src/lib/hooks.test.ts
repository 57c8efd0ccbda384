import { act, renderHook } from '@testing-library/react';
import type { FormEvent } from 'react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import { useSubmit } from './hooks';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useSubmit', () => {
  it('is busy while the action is pending, maps a failure onto its field and clears errors on the next submit', async () => {
    let pending = deferred();
    const { result } = renderHook(() => useSubmit(() => pending.promise, ['email', 'password']));
    expect(result.current.busy).toBe(false);

    let prevented = false;
    let done!: Promise<void>;
    act(() => {
      done = result.current.submit({ preventDefault: () => (prevented = true) } as unknown as FormEvent);
    });
    expect(prevented).toBe(true);
    expect(result.current.busy).toBe(true);
    await act(async () => {
      pending.reject(new ApiError(422, { code: 'invalid', field: 'email', detail: 'email is already taken' }));
      await done;
    });
    expect(result.current.busy).toBe(false);
    expect(result.current.errors).toEqual({ fields: { email: 'Email is already taken' } });

    pending = deferred();
    act(() => {
      done = result.current.submit();
    });
    expect(result.current.busy).toBe(true);
    expect(result.current.errors).toEqual({ fields: {} });
    await act(async () => {
      pending.resolve();
      await done;
    });
    expect(result.current.busy).toBe(false);
    expect(result.current.errors).toEqual({ fields: {} });
  });

  it('puts an error about no field of the form on the form, and can stay busy after success', async () => {
    const fail = renderHook(() => useSubmit(() => Promise.reject(new ApiError(400, { field: 'token', detail: 'link expired' })), ['password']));
    await act(() => fail.result.current.submit());
    expect(fail.result.current.errors).toEqual({ fields: {}, form: 'Link expired' });

    const ok = renderHook(() => useSubmit(() => Promise.resolve(), ['email'], { keepBusy: true }));
    await act(() => ok.result.current.submit());
    expect(ok.result.current.busy).toBe(true);
    expect(ok.result.current.errors).toEqual({ fields: {} });
  });
});
