// Content-script runtime: reports what the page offers, and runs a capture the service worker starts —
// rows are harvested as they appear (MutationObserver: virtualised lists drop earlier rows) while the
// list is scrolled with human-like random delays. The service worker's governor decides when to stop.
(function (root) {
  const SL = root.SnapLeads;
  if (typeof chrome === "undefined" || !chrome.runtime || !chrome.runtime.id || !SL) return;
  if (SL.captureInstalled) return;
  SL.captureInstalled = true;

  let lastReport = "";
  let capture = null; // { pacing, seen:Set, observer, running, chain }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const MAX_PAGES = 100; // LinkedIn shows at most 100 pages of search results
  const keyOf = (row) => `${row.platform}:${(row.username || row.profile_url || "").toLowerCase()}`;

  function status() {
    const detected = SL.detect(document, location.href);
    return {
      url: location.href,
      platform: detected.platform,
      pageType: detected.pageType,
      kind: detected.kind || null,
      recognised: detected.recognised,
      reason: detected.reason,
      wall: detected.wall || null,
      visibleRows: detected.rows.length,
      messages: detected.thread ? detected.thread.messages.length : 0,
    };
  }

  function send(message) {
    try {
      return chrome.runtime.sendMessage(message).catch(() => null);
    } catch (_e) {
      return Promise.resolve(null); // the extension was reloaded: this page's script is orphaned
    }
  }

  function report(force) {
    const current = status();
    const fingerprint = JSON.stringify([current.url, current.pageType, current.recognised, current.reason, current.visibleRows]);
    if (force || fingerprint !== lastReport) {
      lastReport = fingerprint;
      send({ type: "page", status: current });
    }
    return current;
  }

  function parserFor(current) {
    return SL.parsers.find((p) => p.platform === current.platform && p.pageType === current.pageType);
  }

  function harvest() {
    // Serialised: a mutation burst and the scroll loop must not report the same rows twice.
    capture.chain = capture.chain.then(async () => {
      if (!capture || !capture.running) return;
      const current = SL.detect(document, location.href);
      if (current.wall) {
        await stop("wall", current.wall);
        return;
      }
      const fresh = current.rows.filter((row) => !capture.seen.has(keyOf(row)));
      if (!fresh.length) return;
      fresh.forEach((row) => capture.seen.add(keyOf(row)));
      capture.lastGrowth = Date.now();
      const answer = await send({ type: "capture:rows", rows: fresh, url: location.href });
      if (answer && answer.stop) await stop(answer.reason || "limit", null, true);
    });
    return capture.chain;
  }

  async function stop(reason, wall, decidedByWorker) {
    if (!capture || !capture.running) return;
    capture.running = false;
    if (capture.observer) capture.observer.disconnect();
    if (!decidedByWorker) await send({ type: "capture:ended", reason, wall: wall || null, url: location.href });
  }

  function delay(pacing) {
    const min = pacing.minDelayMs;
    const max = pacing.maxDelayMs;
    let ms = min + Math.random() * (max - min);
    if (Math.random() < pacing.pauseChance) ms += max * (1 + Math.random() * 2); // a human stops to read
    return ms;
  }

  function scrollStep(current) {
    const parser = parserFor(current);
    const box = parser && parser.listContainer ? parser.listContainer(document, location.href) : null;
    const element = box || document.scrollingElement || document.documentElement;
    const view = box ? box.clientHeight : window.innerHeight;
    const amount = Math.max(120, Math.round(view * (0.55 + Math.random() * 0.4)));
    if (box) box.scrollTop += amount;
    else window.scrollBy(0, amount);
    return element;
  }

  async function run(pacing) {
    const current = status();
    if (!current.recognised || current.kind === "dm") {
      await send({ type: "capture:ended", reason: current.reason || "not_recognised", wall: current.wall, url: location.href });
      return;
    }
    capture = { pacing, seen: new Set(), running: true, chain: Promise.resolve(), lastGrowth: Date.now(), pages: 1 };
    let pending = null;
    capture.observer = new MutationObserver(() => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        if (capture && capture.running) harvest();
      }, 60);
    });
    capture.observer.observe(document.body, { childList: true, subtree: true });
    await harvest();
    if (current.kind === "single") {
      await stop("single_done");
      return;
    }
    let idle = 0;
    while (capture && capture.running) {
      await sleep(delay(pacing));
      if (!capture.running) break;
      const before = capture.seen.size;
      scrollStep(current);
      await sleep(Math.min(400, pacing.minDelayMs));
      await harvest();
      idle = capture.seen.size === before ? idle + 1 : 0;
      if (idle < pacing.idleRounds) continue;
      // The end of this page. A paged list (LinkedIn search) goes on with "Next", after a human pause;
      // the governor still stops the capture at its budget.
      const parser = parserFor(current);
      const next = parser && parser.nextPage ? parser.nextPage(document, location.href) : null;
      if (!next || capture.pages >= MAX_PAGES) {
        await stop("end_of_list");
        break;
      }
      await sleep(delay(pacing));
      if (!capture.running) break;
      next.click();
      capture.pages += 1;
      idle = 0;
      window.scrollTo(0, 0);
    }
  }

  chrome.runtime.onMessage.addListener((message, _sender, reply) => {
    if (!message || typeof message.type !== "string") return false;
    if (message.type === "page:probe") {
      reply(report(true));
      return false;
    }
    if (message.type === "capture:start") {
      if (capture && capture.running) {
        reply({ ok: false, reason: "already_running" });
        return false;
      }
      run(message.pacing);
      reply({ ok: true });
      return false;
    }
    if (message.type === "capture:stop") {
      if (capture) {
        capture.running = false;
        if (capture.observer) capture.observer.disconnect();
      }
      reply({ ok: true });
      return false;
    }
    if (message.type === "dm:read") {
      const current = SL.detect(document, location.href);
      reply(current.kind === "dm" && current.thread ? { ok: true, thread: current.thread } : { ok: false, reason: current.reason || "not_a_thread" });
      return false;
    }
    return false;
  });

  report(true);
  // Single-page apps change the URL and open dialogs without a reload: re-check now and then.
  setInterval(() => report(false), 1200);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") send({ type: "page:focus" });
  });
})(globalThis);
