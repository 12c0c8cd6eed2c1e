/* Hold timer: the server sends the counts, the page keeps the time.
 *
 * A reply may carry {"timer": {"seconds": 30, "counts": [{"at": 5, "text": "5", "audio": …}, …]}}.
 * The page counts up to `seconds`, shows "12 / 30 s" with a ring, and at each count's `at`
 * seconds hands its audio to the speech queue and shows its text for a moment; the count at
 * `seconds` (time is up) stays. Time is read from performance.now() on every tick, so a slow or
 * throttled tick never makes the hold longer than it should be.
 */

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
export function parseTimer(value) {
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
 * panel started, finished or was hidden (hadFocus: it held the keyboard focus, now lost),
 * stopped(): the person pressed Stop timer (the panel is already gone)}.
 */
export class HoldTimer {
  constructor(ui, hooks) {
    this.ui = ui;
    this.hooks = hooks;
    this.timer = null;
    this.startedAt = 0;
    this.next = 0; // index of the first count not yet reached
    this.interval = null;
    this.noteTimeout = null;
    this.pausedAt = null; // performance.now() when the person said "pause", else null
    ui.stop.addEventListener("click", () => {
      this.cancel();
      hooks.stopped();
    });
    ui.close.addEventListener("click", () => this.cancel());
  }

  get running() {
    return this.interval !== null;
  }

  /** What a reply says about the hold: cancel, pause or resume it, or start a new one. */
  follow(reply) {
    if (reply.cancel_timer === true) this.cancel();
    if (reply.pause_timer === true) this.pause();
    if (reply.resume_timer === true) this.resume();
    if (reply.timer) this.start(reply.timer);
  }

  /** Start counting this timer from now, replacing any other. */
  start(value) {
    const parsed = parseTimer(value);
    this.cancel();
    if (!parsed) return;
    const ui = this.ui;
    this.timer = parsed;
    this.startedAt = performance.now();
    this.next = 0;
    ui.panel.dataset.state = "running";
    ui.stop.hidden = false;
    ui.close.hidden = true;
    ui.note.textContent = "";
    ui.panel.hidden = false;
    this.run();
    this.hooks.changed(true, false);
  }

  /** Stop and hide at once. */
  cancel() {
    const wasShown = this.timer !== null;
    const hadFocus = this.ui.panel.contains(document.activeElement);
    window.clearInterval(this.interval);
    window.clearTimeout(this.noteTimeout);
    this.interval = null;
    this.pausedAt = null;
    this.timer = null;
    this.ui.panel.hidden = true;
    if (wasShown) this.hooks.changed(false, hadFocus);
    return wasShown;
  }

  /** Freeze the count where it is (the person paused); resume() carries on from there. */
  pause() {
    if (this.interval === null || this.pausedAt !== null) return;
    this.pausedAt = performance.now();
    window.clearInterval(this.interval);
    this.ui.panel.dataset.state = "paused";
  }

  resume() {
    if (this.pausedAt === null || this.timer === null) return;
    this.startedAt += performance.now() - this.pausedAt;
    this.pausedAt = null;
    this.ui.panel.dataset.state = "running";
    this.run();
  }

  run() {
    this.interval = window.setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  tick() {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    this.render(elapsed);
    while (this.timer && this.next < this.timer.counts.length &&
        this.timer.counts[this.next].at <= elapsed) {
      this.next += 1;
      this.reach(this.timer.counts[this.next - 1], elapsed);
    }
    if (this.timer && this.interval !== null && elapsed >= this.timer.seconds) this.finish();
  }

  render(elapsed) {
    const seconds = this.timer.seconds;
    this.ui.elapsed.textContent = String(Math.min(seconds, Math.floor(elapsed)));
    this.ui.total.textContent = String(seconds);
    // The ring is drawn with pathLength 100, so its dash offset is the percentage still to go.
    const done = Math.min(1, elapsed / seconds);
    this.ui.arc.style.strokeDashoffset = (100 - done * 100).toFixed(2);
  }

  note(text, lasting) {
    window.clearTimeout(this.noteTimeout);
    this.ui.note.textContent = text;
    if (!lasting) {
      this.noteTimeout = window.setTimeout(() => { this.ui.note.textContent = ""; }, COUNT_NOTE_MS);
    }
  }

  reach(count, elapsed) {
    const last = count.at >= this.timer.seconds;
    this.note(count.text, last);
    if (count.audio && (last || elapsed - count.at <= STALE_COUNT_S)) this.hooks.say(count.audio);
    if (last) this.hooks.finished(count.text);
  }

  finish() {
    window.clearInterval(this.interval);
    this.interval = null;
    this.ui.panel.dataset.state = "done";
    this.ui.stop.hidden = true;
    this.ui.close.hidden = false;
    this.hooks.changed(false, false);
  }
}
