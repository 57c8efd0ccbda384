import type { Problem } from './types';

/** ApiError is a failed API call: the server's problem, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly detail?: string;
  readonly requestId?: string;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code || (status === 0 ? 'network' : `http_${status}`);
    this.field = problem.field || undefined;
    this.detail = problem.detail;
    this.requestId = problem.request_id;
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Send the access token (default true). */
  auth?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface TokenSource {
  /** A valid access token, refreshed first when it is about to expire. */
  token(): Promise<string | null>;
  /** Called after a 401 on an authenticated call; true if a fresh token was obtained. */
  recover(): Promise<boolean>;
}

export type Fetch = typeof fetch;

/** Http calls Parley's JSON API with the bearer token and maps failures to ApiError. */
export class Http {
  private tokens: TokenSource | null = null;

  constructor(private readonly fetcher: Fetch = (...a) => fetch(...a)) {}

  useTokens(t: TokenSource | null): void {
    this.tokens = t;
  }

  get<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, opts);
  }
  post<T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body });
  }
  patch<T>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...opts, body });
  }
  delete<T = void>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, opts);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    let res = await this.send(method, path, opts, auth);
    if (res.status === 401 && auth && this.tokens && (await this.tokens.recover())) {
      res = await this.send(method, path, opts, auth);
    }
    return parse<T>(res);
  }

  /** Like request, but returns the raw response (for downloads). */
  async raw(path: string): Promise<Response> {
    let res = await this.send('GET', path, {}, true);
    if (res.status === 401 && this.tokens && (await this.tokens.recover())) res = await this.send('GET', path, {}, true);
    if (!res.ok) await parse(res);
    return res;
  }

  /**
   * upload sends one file as multipart/form-data (a single part named
   * "file", its filename the display name) with XMLHttpRequest, whose upload
   * events fetch lacks, reporting the share sent (0–1). It fails with an
   * ApiError as request does (after one refresh-and-retry on a 401), and
   * with an AbortError when signal aborts.
   */
  async upload<T>(method: string, path: string, file: Blob, name: string, opts: UploadOptions = {}): Promise<T> {
    const once = async () => xhrUpload<T>(method, path, file, name, (await this.tokens?.token()) ?? null, opts);
    try {
      return await once();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && this.tokens && (await this.tokens.recover())) return once();
      throw err;
    }
  }

  private async send(method: string, path: string, opts: RequestOptions, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && this.tokens) {
      const token = await this.tokens.token();
      if (token) headers.Authorization = `Bearer ${token}`;
    }
    try {
      return await this.fetcher(path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: 'same-origin',
        signal: opts.signal,
      });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new ApiError(0, { detail: 'network' });
    }
  }
}

export interface UploadOptions {
  onProgress?: (sent: number) => void;
  signal?: AbortSignal;
}

function xhrUpload<T>(method: string, path: string, file: Blob, name: string, token: string | null, opts: UploadOptions): Promise<T> {
  const form = new FormData();
  form.append('file', file, name);
  return xhrSend<T>(method, path, form, token, opts);
}

/**
 * xhrSend sends a body with XMLHttpRequest, whose upload events fetch lacks,
 * reporting the share sent (0–1); it fails with an ApiError as Http does,
 * and abort() through signal cancels it.
 */
export function xhrSend<T>(
  method: string,
  path: string,
  body: XMLHttpRequestBodyInit,
  token: string | null,
  { onProgress, signal, contentType }: UploadOptions & { contentType?: string },
): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    if (contentType) xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('Accept', 'application/json');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    if (onProgress) xhr.upload.onprogress = (e) => e.lengthComputable && e.total > 0 && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data: unknown;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else reject(new ApiError(xhr.status, data && typeof data === 'object' ? (data as Problem) : { title: xhr.statusText }));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: 'network' }));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

async function parse<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const problem = data && typeof data === 'object' ? (data as Problem) : { title: res.statusText };
    throw new ApiError(res.status, problem);
  }
  return data as T;
}

export const http = new Http();
