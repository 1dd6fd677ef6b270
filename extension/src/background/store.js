// chrome.storage.local with one writer at a time: message handlers run concurrently, and a lost update
// here would lose captured rows or governor events.

let chain = Promise.resolve();

/** Run `fn` alone (read-modify-write sections). */
export function locked(fn) {
  const run = chain.then(fn);
  chain = run.catch(() => {});
  return run;
}

export async function get(key, fallback) {
  const found = await chrome.storage.local.get(key);
  return found[key] === undefined ? fallback : found[key];
}

export async function getMany(defaults) {
  const found = await chrome.storage.local.get(Object.keys(defaults));
  const out = {};
  for (const [key, value] of Object.entries(defaults)) out[key] = found[key] === undefined ? value : found[key];
  return out;
}

export function set(values) {
  return chrome.storage.local.set(values);
}

export function remove(keys) {
  return chrome.storage.local.remove(keys);
}
