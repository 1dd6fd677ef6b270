// Safety governor: per-platform rolling-window budgets (hour and day), automatic pause on walls.
// Pure functions over a plain state object kept in chrome.storage.local; every decision unit-tested.
//
// state = { [platform]: { events: [epoch ms of each captured row], pause: null | { reason, at, evidence } } }

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** After a rate-limit screen the platform is already counting: resuming at once is how accounts get
 * restricted. Challenge and login walls can be resumed as soon as the user has dealt with them. */
export const RATE_LIMIT_COOLDOWN_MS = 30 * 60_000;

function platformState(state, platform) {
  const current = (state && state[platform]) || {};
  return { events: Array.isArray(current.events) ? current.events : [], pause: current.pause || null };
}

/** Remaining budget → { hour, day, remaining, resetsAt (ms when the next row frees up, or null), paused }. */
export function budget(state, platform, limits, now) {
  const { events, pause } = platformState(state, platform);
  const lastHour = events.filter((t) => t > now - HOUR);
  const lastDay = events.filter((t) => t > now - DAY);
  const hour = Math.max(0, limits.hour - lastHour.length);
  const day = Math.max(0, limits.day - lastDay.length);
  const remaining = Math.min(hour, day);
  let resetsAt = null;
  if (remaining === 0) {
    const hourReset = hour === 0 && lastHour.length ? Math.min(...lastHour) + HOUR : null;
    const dayReset = day === 0 && lastDay.length ? lastDay.sort((a, b) => a - b)[lastDay.length - limits.day] + DAY : null;
    resetsAt = Math.max(hourReset || 0, dayReset || 0) || null;
  }
  return { hour, day, remaining, resetsAt, paused: pause, limitHour: limits.hour, limitDay: limits.day };
}

/** Spend budget for `count` rows → { state, allowed, exhausted }. Rows beyond the budget are refused. */
export function consume(state, platform, limits, count, now) {
  const current = platformState(state, platform);
  if (current.pause) return { state, allowed: 0, exhausted: false, paused: true };
  const { remaining } = budget(state, platform, limits, now);
  const allowed = Math.max(0, Math.min(remaining, count));
  const events = current.events.filter((t) => t > now - DAY);
  for (let i = 0; i < allowed; i += 1) events.push(now);
  const next = { ...state, [platform]: { events, pause: null } };
  return { state: next, allowed, exhausted: allowed < count || remaining - allowed === 0 };
}

/** A wall (challenge / login / rate limit) pauses the platform until the user resumes it. */
export function pause(state, platform, reason, evidence, now) {
  const current = platformState(state, platform);
  const resumableAt = reason === "rate_limit" ? now + RATE_LIMIT_COOLDOWN_MS : now;
  return { ...state, [platform]: { ...current, pause: { reason, evidence: evidence || "", at: now, resumableAt } } };
}

/** Lift the pause → { state, ok, resumableAt }; refused while a rate-limit cool-down runs. */
export function resume(state, platform, now) {
  const current = platformState(state, platform);
  if (current.pause && now < (current.pause.resumableAt || 0)) {
    return { state, ok: false, resumableAt: current.pause.resumableAt };
  }
  return { state: { ...state, [platform]: { ...current, pause: null } }, ok: true, resumableAt: null };
}

/** A random delay in [min, max] (uniform), sometimes with a longer pause — for anything paced. */
export function jitter(pacing, random = Math.random) {
  let ms = pacing.minDelayMs + random() * (pacing.maxDelayMs - pacing.minDelayMs);
  if (random() < pacing.pauseChance) ms += pacing.maxDelayMs * (1 + random() * 2);
  return Math.round(ms);
}
