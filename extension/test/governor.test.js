import assert from "node:assert/strict";
import { test } from "node:test";
import { RATE_LIMIT_COOLDOWN_MS, budget, consume, jitter, pause, resume } from "../src/shared/governor.js";
import { DEFAULT_LIMITS, effectiveLimits, effectivePacing, validateLimit } from "../src/shared/settings.js";

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

test("defaults are SPEC's hourly limits; the user may lower them, never raise them", () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(DEFAULT_LIMITS).map(([p, l]) => [p, l.hour])),
    { instagram: 150, facebook: 100, linkedin: 60 },
  );
  const limits = effectiveLimits({ instagram: { hour: 20, day: 5000 }, linkedin: { hour: "abc" }, facebook: { hour: -3 } });
  assert.deepEqual(limits.instagram, { hour: 20, day: DEFAULT_LIMITS.instagram.day });
  assert.deepEqual(limits.linkedin, DEFAULT_LIMITS.linkedin);
  assert.equal(limits.facebook.hour, 0);
  assert.deepEqual(validateLimit("61", 60), { ok: false, error: "limit_above_default" });
  assert.deepEqual(validateLimit("2.5", 60), { ok: false, error: "limit_not_number" });
  assert.deepEqual(validateLimit(" 10 ", 60), { ok: true, value: 10 });
});

test("the hourly budget is spent row by row and refuses what does not fit", () => {
  const limits = { hour: 5, day: 100 };
  let state = {};
  let step = consume(state, "linkedin", limits, 3, T0);
  assert.equal(step.allowed, 3);
  assert.equal(step.exhausted, false);
  state = step.state;
  step = consume(state, "linkedin", limits, 4, T0 + 1000);
  assert.equal(step.allowed, 2, "only what is left");
  assert.equal(step.exhausted, true);
  state = step.state;
  const left = budget(state, "linkedin", limits, T0 + 2000);
  assert.equal(left.remaining, 0);
  assert.equal(left.resetsAt, T0 + HOUR, "the oldest row of the window frees the first slot");
  assert.equal(consume(state, "linkedin", limits, 1, T0 + 2000).allowed, 0);
  assert.equal(budget(state, "instagram", { hour: 150, day: 800 }, T0).remaining, 150, "platforms are separate");
  // an hour later the window has rolled
  assert.equal(budget(state, "linkedin", limits, T0 + HOUR + 1001).remaining, 5);
});

test("the daily limit binds across hours", () => {
  const limits = { hour: 10, day: 15 };
  let state = {};
  state = consume(state, "facebook", limits, 10, T0).state;
  state = consume(state, "facebook", limits, 10, T0 + 2 * HOUR).state;
  const left = budget(state, "facebook", limits, T0 + 2 * HOUR + 1);
  assert.equal(left.day, 0);
  assert.equal(left.hour, 5);
  assert.equal(left.remaining, 0);
  assert.equal(left.resetsAt, T0 + 24 * HOUR);
  assert.equal(budget(state, "facebook", limits, T0 + 24 * HOUR + 1).remaining, 10);
});

test("a wall pauses the platform until the user resumes it", () => {
  let state = consume({}, "instagram", { hour: 150, day: 800 }, 1, T0).state;
  state = pause(state, "instagram", "rate_limit", "Try Again Later", T0);
  const step = consume(state, "instagram", { hour: 150, day: 800 }, 5, T0 + 1);
  assert.equal(step.allowed, 0);
  assert.equal(step.paused, true);
  assert.equal(budget(state, "instagram", { hour: 150, day: 800 }, T0).paused.reason, "rate_limit");
  const early = resume(state, "instagram", T0 + 60_000);
  assert.equal(early.ok, false, "a rate-limit screen imposes a cool-down before resuming");
  assert.equal(early.resumableAt, T0 + RATE_LIMIT_COOLDOWN_MS);
  assert.equal(consume(early.state, "instagram", { hour: 150, day: 800 }, 1, T0 + 60_000).allowed, 0);
  state = resume(state, "instagram", T0 + RATE_LIMIT_COOLDOWN_MS).state;
  assert.equal(consume(state, "instagram", { hour: 150, day: 800 }, 5, T0 + RATE_LIMIT_COOLDOWN_MS).allowed, 5);
  // a challenge or login wall: resumable as soon as the user has solved it
  const challenged = pause({}, "linkedin", "challenge", "security check", T0);
  assert.equal(resume(challenged, "linkedin", T0 + 1).ok, true);
});

test("jitter stays within its range and sometimes pauses longer; pacing has a floor", () => {
  const pacing = { minDelayMs: 1000, maxDelayMs: 3000, pauseChance: 0.1 };
  const seq = (...values) => () => values.shift();
  assert.equal(jitter(pacing, seq(0, 0.9)), 1000);
  assert.equal(jitter(pacing, seq(1, 0.9)), 3000);
  assert.equal(jitter(pacing, () => 0.5), 2000);
  const values = [0.99, 0.05, 0.5];
  const paused = jitter(pacing, () => values.shift());
  assert.ok(paused > 3000, "a reading pause adds to the delay");
  assert.equal(effectivePacing({ minDelayMs: 1, maxDelayMs: 0 }).minDelayMs, 50);
  assert.ok(effectivePacing({}).minDelayMs >= 1000, "defaults are human-paced");
});
