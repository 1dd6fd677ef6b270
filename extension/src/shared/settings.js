// Extension settings: defaults, the per-platform safety limits (SPEC: Instagram 150/h, Facebook 100/h,
// LinkedIn 60/h) and the CRM URL rule. Pure: unit-tested under node.

export const PLATFORMS = ["instagram", "facebook", "linkedin"];

/** The ceilings: the user may lower them, never raise them (the governor clamps to these). */
export const DEFAULT_LIMITS = Object.freeze({
  instagram: Object.freeze({ hour: 150, day: 800 }),
  facebook: Object.freeze({ hour: 100, day: 500 }),
  linkedin: Object.freeze({ hour: 60, day: 250 }),
});

/** Human-like pacing between scroll steps (ms); `pauseChance` adds an occasional longer stop. */
export const DEFAULT_PACING = Object.freeze({ minDelayMs: 1200, maxDelayMs: 3200, pauseChance: 0.08, idleRounds: 4 });
const PACING_FLOOR_MS = 50;

export const DEFAULT_SETTINGS = Object.freeze({
  crmUrl: "http://localhost:3000",
  language: null, // null = the browser's language (pt-BR when it starts with "pt", else en)
  limits: {},
  dmCapture: true,
});

/** The limits in force: the user's values where they are lower than the ceilings. */
export function effectiveLimits(userLimits) {
  const out = {};
  for (const platform of PLATFORMS) {
    const ceiling = DEFAULT_LIMITS[platform];
    const mine = (userLimits && userLimits[platform]) || {};
    out[platform] = {
      hour: clampLimit(mine.hour, ceiling.hour),
      day: clampLimit(mine.day, ceiling.day),
    };
  }
  return out;
}

function clampLimit(value, ceiling) {
  const n = Number(value);
  if (value === undefined || value === null || value === "" || !Number.isFinite(n)) return ceiling;
  return Math.max(0, Math.min(ceiling, Math.floor(n)));
}

/** Validate one user-entered limit → { ok, value, error }: an integer from 0 to the ceiling. */
export function validateLimit(raw, ceiling) {
  const text = String(raw ?? "").trim();
  if (!/^\d+$/.test(text)) return { ok: false, error: "limit_not_number" };
  const value = Number(text);
  if (value > ceiling) return { ok: false, error: "limit_above_default" };
  return { ok: true, value };
}

export function effectivePacing(override) {
  const p = { ...DEFAULT_PACING, ...(override || {}) };
  p.minDelayMs = Math.max(PACING_FLOOR_MS, Number(p.minDelayMs) || DEFAULT_PACING.minDelayMs);
  p.maxDelayMs = Math.max(p.minDelayMs, Number(p.maxDelayMs) || DEFAULT_PACING.maxDelayMs);
  p.pauseChance = Math.min(0.5, Math.max(0, Number(p.pauseChance) || 0));
  p.idleRounds = Math.max(2, Math.min(10, Number(p.idleRounds) || DEFAULT_PACING.idleRounds));
  return p;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** CRM base URL → { ok, url (normalised, no trailing slash), error }. HTTPS required except on loopback
 * (development); no credentials, query or fragment. */
export function validateCrmUrl(raw) {
  const text = String(raw ?? "").trim();
  if (!text) return { ok: false, error: "crm_url_required" };
  let url;
  try {
    url = new URL(text);
  } catch (_e) {
    return { ok: false, error: "crm_url_invalid" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, error: "crm_url_invalid" };
  if (url.username || url.password || url.search || url.hash) return { ok: false, error: "crm_url_invalid" };
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) return { ok: false, error: "crm_url_https" };
  const path = url.pathname.replace(/\/+$/, "");
  return { ok: true, url: `${url.protocol}//${url.host}${path}`, loopback: LOOPBACK.has(url.hostname) };
}
