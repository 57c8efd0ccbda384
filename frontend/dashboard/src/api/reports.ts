// The reports API (issue 12): GET /api/v1/reports with the page's query.
import { http } from './http';
import type { Report } from './types';

export const reportsApi = {
  /** report takes the query string the page keeps in its URL (from, to, filters). */
  report: (query: string) => http.get<Report>(`/api/v1/reports?${query}`),
};
