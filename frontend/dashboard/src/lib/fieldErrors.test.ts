import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import { errorMessage, formErrors } from './fieldErrors';

const problem = (status: number, p: Record<string, string>) => new ApiError(status, p);

describe('formErrors', () => {
  it('puts a field error next to its field', () => {
    const e = problem(400, { code: 'invalid', field: 'email', detail: 'email is not a valid address' });
    expect(formErrors(e, ['email', 'password'])).toEqual({ fields: { email: 'Email is not a valid address' } });
  });
  it('walks nested paths to the form field', () => {
    expect(formErrors(problem(400, { field: 'widget.color', detail: 'color must be #rrggbb' }), ['color']).fields).toEqual({ color: 'Color must be #rrggbb' });
    expect(formErrors(problem(400, { field: 'allowed_domains[2]', detail: 'bad' }), ['allowed_domains']).fields).toEqual({ allowed_domains: 'Bad' });
    expect(formErrors(problem(400, { field: 'business_hours.weekly.mon[0].open', detail: 'bad time' }), ['weekly']).fields).toEqual({ weekly: 'Bad time' });
  });
  it('uses aliases', () => {
    expect(formErrors(problem(400, { field: 'business_hours', detail: 'x' }), ['weekly'], { business_hours: 'weekly' }).fields).toEqual({ weekly: 'X' });
  });
  it('falls back to a form message for unknown or missing fields', () => {
    expect(formErrors(problem(409, { code: 'conflict', field: 'tenant', detail: 'already taken' }), ['email'])).toEqual({ fields: {}, form: 'Already taken' });
    expect(formErrors(problem(401, { code: 'unauthenticated', detail: 'wrong email or password' }), ['email'])).toEqual({ fields: {}, form: 'Wrong email or password' });
  });
  it('never shows raw server or network failures', () => {
    expect(errorMessage(problem(500, { detail: 'nil pointer dereference' }))).toMatch(/had a problem/);
    expect(errorMessage(new ApiError(0, { detail: 'network' }))).toMatch(/cannot be reached/);
    expect(formErrors(new Error('boom'), []).form).toMatch(/went wrong/);
  });
});
