/* Hold timer for the coach page: the server sends the counts, the page keeps the time.
 *
 * A reply may carry {"timer": {"seconds": 30, "counts": [{"at": 5, "text": "5", "audio": …}, …]}}.
 * The page counts up to `seconds`, shows "12 / 30 s" with a ring, and at each count's `at`
 * seconds hands its audio to the speech queue and shows its text for a moment; the count at
 * `seconds` (time is up) stays. Time is read from performance.now() on every tick, so a slow or
 * throttled tick never makes the hold longer than it should be. Exposed as window.CoachTimer.
 */
(function () {
  "use strict";

  // Redraws well within each second; cheap, since only three nodes change.
  const TICK_MS = 200;
  // How long an intermediate count ("15") stays on screen.
  const COUNT_NOTE_MS = 2500;
  // A count reached this late (the tab was in the background) is shown but not spoken: hearing
  // "ten" at fourteen seconds is worse than silence. The last count is always spoken.
  const STALE_COUNT_S = 2;
  // An hour: no stretch is held that long, so anything longer is a bad reply.
  const MAX_SECONDS = 3600;

  /** A well-formed timer from a reply, counts sorted by time; null for anything else. */
  function parseTimer(value) {
    if (!value || typeof value !== "object") return null;
    const seconds = value.seconds;
    if (!Number.isInteger(seconds) || seconds <= 0 || seconds > MAX_SECONDS) return null;
    const counts = (Array.isArray(value.counts) ? value.counts : [])
      .filter((c) => c && Number.isInteger(c.at) && c.at >= 0 && c.at <= seconds &&
        typeof c.text === "string")
      .map((c) => ({ at: c.at, text: c.text, audio: typeof c.audio === "string" ? c.audio : null }))
      .sort((a, b) => a.at - b.at);
    return { seconds: seconds, counts: counts };
  }

  /**
   * The timer panel. ui: {panel, elapsed, total, arc, note, stop, close}; hooks: {say(url):
   * queue a count's audio, finished(text): the hold is over, changed(running, hadFocus): the
   * panel started, finished or was hidden (hadFocus: it held the keyboard focus, now lost)}.
   */
  function createHoldTimer(ui, hooks) {
    let timer = null;
    let startedAt = 0;
    let next = 0; // index of the first count not yet reached
    let interval = null;
    let noteTimeout = null;
    let pausedAt = null; // performance.now() when the person said "pause", else null

    function render(elapsed) {
      const shown = Math.min(timer.seconds, Math.floor(elapsed));
      ui.elapsed.textContent = String(shown);
      ui.total.textContent = String(timer.seconds);
      // The ring is drawn with pathLength 100, so its dash offset is the percentage still to go.
      const done = Math.min(1, elapsed / timer.seconds);
      ui.arc.style.strokeDashoffset = (100 - done * 100).toFixed(2);
    }

    function note(text, lasting) {
      window.clearTimeout(noteTimeout);
      ui.note.textContent = text;
      if (!lasting) noteTimeout = window.setTimeout(() => { ui.note.textContent = ""; }, COUNT_NOTE_MS);
    }

    function reach(count, elapsed) {
      const last = count.at >= timer.seconds;
      note(count.text, last);
      if (count.audio && (last || elapsed - count.at <= STALE_COUNT_S)) hooks.say(count.audio);
      if (last) hooks.finished(count.text);
    }

    function finish() {
      window.clearInterval(interval);
      interval = null;
      ui.panel.dataset.state = "done";
      ui.stop.hidden = true;
      ui.close.hidden = false;
      hooks.changed(false, false);
    }

    function tick() {
      const elapsed = (performance.now() - startedAt) / 1000;
      render(elapsed);
      while (timer && next < timer.counts.length && timer.counts[next].at <= elapsed) {
        next += 1;
        reach(timer.counts[next - 1], elapsed);
      }
      if (timer && interval !== null && elapsed >= timer.seconds) finish();
    }

    const api = {
      /** Start counting this timer from now, replacing any other. */
      start(value) {
        const parsed = parseTimer(value);
        api.cancel();
        if (!parsed) return;
        timer = parsed;
        startedAt = performance.now();
        next = 0;
        ui.panel.dataset.state = "running";
        ui.stop.hidden = false;
        ui.close.hidden = true;
        ui.note.textContent = "";
        ui.panel.hidden = false;
        interval = window.setInterval(tick, TICK_MS);
        tick();
        hooks.changed(true, false);
      },
      /** Stop and hide at once. */
      cancel() {
        const wasShown = timer !== null;
        const hadFocus = ui.panel.contains(document.activeElement);
        window.clearInterval(interval);
        window.clearTimeout(noteTimeout);
        interval = null;
        pausedAt = null;
        timer = null;
        ui.panel.hidden = true;
        if (wasShown) hooks.changed(false, hadFocus);
        return wasShown;
      },
      /** Freeze the count where it is (the person paused); resume() carries on from there. */
      pause() {
        if (interval === null || pausedAt !== null) return;
        pausedAt = performance.now();
        window.clearInterval(interval);
        ui.panel.dataset.state = "paused";
      },
      resume() {
        if (pausedAt === null || timer === null) return;
        startedAt += performance.now() - pausedAt;
        pausedAt = null;
        ui.panel.dataset.state = "running";
        interval = window.setInterval(tick, TICK_MS);
        tick();
      },
      get running() {
        return interval !== null;
      },
    };
    return api;
  }

  window.CoachTimer = Object.freeze({ parseTimer: parseTimer, createHoldTimer: createHoldTimer });
})();
