// The CRM's REST API as the extension uses it: login, refresh (rotated on every use), and requests that
// refresh once on 401. Import batches go through withRetry (3 attempts, backoff, Retry-After).
import { SendError, withRetry } from "./retry.js";

export const API_PREFIX = "/api/v1";
export const INBOX_PATH = `${API_PREFIX}/conversations/inbound`;

// Refresh tokens rotate on every use and a reused one revokes the whole session family: two requests
// that meet an expired token at once must share ONE refresh (per refresh token, across Crm instances).
const refreshing = new Map();

export class Crm {
  /** @param {{ baseUrl: string, auth: () => Promise<object|null>, saveAuth: (a: object|null) => Promise<void>,
   *  fetchImpl?: typeof fetch, sleep?: (ms:number)=>Promise<void>, baseMs?: number }} options */
  constructor({ baseUrl, auth, saveAuth, fetchImpl, sleep, baseMs }) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.auth = auth;
    this.saveAuth = saveAuth;
    this.fetch = fetchImpl || ((...args) => fetch(...args));
    this.sleep = sleep;
    this.baseMs = baseMs ?? 1000;
  }

  url(path) {
    return `${this.baseUrl}${path}`;
  }

  async login(email, password) {
    const response = await this.fetch(this.url(`${API_PREFIX}/auth/login`), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (!response.ok) throw await problemError(response);
    const tokens = await response.json();
    await this.saveAuth({ ...tokens, email, obtainedAt: Date.now() });
    return tokens;
  }

  async refresh() {
    const current = await this.auth();
    if (!current || !current.refresh_token) throw new SendError("not signed in", { status: 401 });
    const token = current.refresh_token;
    if (!refreshing.has(token)) {
      refreshing.set(
        token,
        this.rotate(current).finally(() => {
          const timer = setTimeout(() => refreshing.delete(token), 30_000); // late 401s still join it
          if (timer && timer.unref) timer.unref();
        }),
      );
    }
    return refreshing.get(token);
  }

  async rotate(current) {
    const response = await this.fetch(this.url(`${API_PREFIX}/auth/refresh`), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: current.refresh_token }),
    });
    if (!response.ok) {
      if (response.status === 401) await this.saveAuth(null); // revoked or expired: sign in again
      throw await problemError(response);
    }
    const tokens = await response.json();
    await this.saveAuth({ ...current, ...tokens, obtainedAt: Date.now() });
    return tokens;
  }

  /** One authenticated request; a 401 triggers one refresh and one repeat. Returns the Response. */
  async authed(method, path, body) {
    const send = async () => {
      const current = await this.auth();
      if (!current) throw new SendError("not signed in", { status: 401 });
      const headers = { Authorization: `Bearer ${current.access_token}` };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return this.fetch(this.url(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    };
    const before = await this.auth();
    let response = await send();
    if (response.status === 401) {
      const now = await this.auth();
      // Another request may already have rotated the tokens while this one was in flight.
      if (!now || !before || now.access_token === before.access_token) await this.refresh();
      response = await send();
    }
    return response;
  }

  async json(method, path, body) {
    const response = await this.authed(method, path, body);
    if (!response.ok) throw await problemError(response);
    return response.status === 204 ? null : response.json();
  }

  /** New tokens for another workspace of the same user (the import goes where the token points). */
  async switchWorkspace(workspaceId) {
    const tokens = await this.json("POST", `${API_PREFIX}/auth/switch-workspace`, { workspace_id: workspaceId });
    const current = await this.auth();
    await this.saveAuth({ ...current, ...tokens, obtainedAt: Date.now() });
    return tokens;
  }

  logout() {
    return this.authed("POST", `${API_PREFIX}/auth/logout`).catch(() => null);
  }

  context() {
    return this.json("GET", `${API_PREFIX}/extension/context`);
  }

  lookup(platform, profiles) {
    return this.json("POST", `${API_PREFIX}/extension/lookup`, { platform, profiles });
  }

  importJob(jobId) {
    return this.json("GET", `${API_PREFIX}/leads/import/${jobId}`);
  }

  /** POST /leads/import with retry → { job_id, status, total }. */
  async importBatch(payload, onRetry) {
    const response = await withRetry(() => this.authed("POST", `${API_PREFIX}/leads/import`, payload), {
      baseMs: this.baseMs,
      sleep: this.sleep,
      onRetry,
    });
    return response.json();
  }

  /** Does this CRM have the inbox endpoint yet? (read from its OpenAPI document) */
  async hasInbox() {
    const response = await this.fetch(this.url(`${API_PREFIX}/openapi.json`)).catch(() => null);
    if (!response || !response.ok) return false;
    const spec = await response.json().catch(() => null);
    return !!(spec && spec.paths && spec.paths[INBOX_PATH] && spec.paths[INBOX_PATH].post);
  }

  /** One inbound message (see shared/dm.js) → { created, conversation_id, lead_id, ... }. */
  async postInbound(message, onRetry) {
    const response = await withRetry(() => this.authed("POST", INBOX_PATH, message), { baseMs: this.baseMs, sleep: this.sleep, onRetry });
    return response.json().catch(() => ({}));
  }
}

async function problemError(response) {
  const problem = await response.json().catch(() => null);
  const detail = (problem && (problem.detail || problem.title)) || `HTTP ${response.status}`;
  return new SendError(detail, { status: response.status, problem });
}
