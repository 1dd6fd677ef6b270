// Sending with retry: exponential backoff, 3 attempts on network errors, 5xx and 429 (Retry-After
// honoured, in seconds or as an HTTP date); a 4xx other than 429 is final at once.

export const MAX_ATTEMPTS = 3;
const MAX_WAIT_MS = 60_000;

export class SendError extends Error {
  constructor(message, { status = 0, problem = null, attempts = 1, retryable = false } = {}) {
    super(message);
    this.name = "SendError";
    this.status = status;
    this.problem = problem;
    this.attempts = attempts;
    this.retryable = retryable;
  }
}

export function isRetryable(status) {
  return status === 429 || status >= 500;
}

/** Retry-After header → ms (null when absent or unreadable). */
export function retryAfterMs(header, now = Date.now()) {
  if (!header) return null;
  const text = String(header).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(MAX_WAIT_MS, Math.round(Number(text) * 1000));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(MAX_WAIT_MS, Math.max(0, at - now));
}

/** Backoff before attempt n+1 (n = attempts made): base · 2^(n-1) plus up to 25 % jitter. */
export function backoffMs(attempt, baseMs, random = Math.random) {
  const plain = baseMs * 2 ** (attempt - 1);
  return Math.min(MAX_WAIT_MS, Math.round(plain + plain * 0.25 * random()));
}

/**
 * Run `attempt()` (→ a fetch Response) up to MAX_ATTEMPTS times. Returns the successful Response;
 * throws SendError otherwise. `onRetry({ attempt, waitMs, status })` lets the UI say what is happening.
 */
export async function withRetry(attempt, { baseMs = 1000, sleep = (ms) => new Promise((r) => setTimeout(r, ms)), onRetry = () => {}, random = Math.random } = {}) {
  let lastError = null;
  for (let n = 1; n <= MAX_ATTEMPTS; n += 1) {
    let response = null;
    try {
      response = await attempt(n);
    } catch (error) {
      // A SendError raised before any request (not signed in, a refresh the CRM refused) is an answer,
      // not a network failure: final at once unless it is itself retryable.
      if (error instanceof SendError && error.status) {
        error.attempts = n;
        error.retryable = isRetryable(error.status);
        if (!error.retryable) throw error;
        lastError = error;
      } else {
        lastError = new SendError(`network error: ${error && error.message ? error.message : error}`, { attempts: n, retryable: true });
      }
    }
    if (response) {
      if (response.ok) return response;
      const problem = await response.clone().json().catch(() => null);
      const detail = (problem && (problem.detail || problem.title)) || `HTTP ${response.status}`;
      lastError = new SendError(detail, { status: response.status, problem, attempts: n, retryable: isRetryable(response.status) });
      if (!lastError.retryable) throw lastError;
    }
    if (n === MAX_ATTEMPTS) break;
    const hinted = response ? retryAfterMs(response.headers.get("Retry-After")) : null;
    const waitMs = hinted ?? backoffMs(n, baseMs, random);
    onRetry({ attempt: n, waitMs, status: response ? response.status : 0 });
    await sleep(waitMs);
  }
  throw lastError;
}
