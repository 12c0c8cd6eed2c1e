/* The speaker: one <audio> element, one queue of reply clips, always played at 1×.
 *
 * How fast the coach speaks is the conversation's rate, which the server applies when it makes
 * each clip (see rate.js); the page never speeds playback up or down on top of that.
 */
import { KEYS, store } from "./store.js";
import { silentWavUrl } from "./wav.js";

function absolute(url) {
  return new URL(url, window.location.href).href;
}

/**
 * Plays reply audio in order through a single element.
 * The head of the queue stays there until it has ended or failed, so a play() refused by
 * the browser's autoplay policy is retried at the next gesture instead of being lost.
 * hooks.blockedChanged(blocked) shows the "tap to hear" hint; hooks.playingChanged(playing)
 * tells the listener to keep quiet: "playing" means a clip is queued and not refused.
 */
export class Speaker {
  constructor(audio, hooks) {
    this.audio = audio;
    this.hooks = hooks;
    this.queue = []; // [{url, group}]; the head is the clip in the element
    this.enabled = true;
    this.blocked = false;
    this.unlocked = false;
    this.silentUrl = null;
    this.playing = false;
    audio.addEventListener("ended", () => this.advance());
    audio.addEventListener("error", () => this.advance());
  }

  /** Call synchronously inside a click or key handler, before any await: a played clip
   * unlocks the element for later, programmatic play(). */
  unlock() {
    if (this.blocked && this.queue.length > 0) {
      this.setBlocked(false);
      this.playHead();
      this.notify();
      return;
    }
    if (this.unlocked || this.queue.length > 0) return;
    this.silentUrl = this.silentUrl || silentWavUrl();
    this.audio.src = this.silentUrl;
    this.audio.play().then(() => { this.unlocked = true; }, () => {});
  }

  /** Replace whatever is playing with these clips, played in order. */
  say(urls) {
    this.clear();
    if (this.enabled) this.queue = urls.map((url) => ({ url: absolute(url), group: null }));
    this.playHead();
    this.notify();
  }

  /** Play one clip after what is already queued. A clip of the same group that has not
   * started yet is dropped: a late count is worse than none. */
  add(url, group) {
    if (!this.enabled) return;
    this.queue = this.queue.filter((item, i) => i === 0 || item.group !== group);
    this.queue.push({ url: absolute(url), group: group });
    if (this.queue.length === 1) this.playHead();
    this.notify();
  }

  stop() {
    this.clear();
    this.notify();
  }

  setEnabled(value) {
    this.enabled = value;
    if (!value) this.stop();
  }

  notify() {
    const now = this.enabled && this.queue.length > 0 && !this.blocked;
    if (now !== this.playing) {
      this.playing = now;
      this.hooks.playingChanged(now);
    }
  }

  setBlocked(value) {
    if (this.blocked !== value) {
      this.blocked = value;
      this.hooks.blockedChanged(value);
    }
  }

  playHead() {
    if (!this.enabled || this.queue.length === 0) return;
    const head = this.queue[0];
    this.audio.src = head.url;
    this.audio.play().then(
      () => {
        this.unlocked = true;
        this.setBlocked(false);
        this.notify();
      },
      (err) => {
        // AbortError means a newer source replaced this one; load failures arrive as
        // the element's "error" event. Only a refusal needs to wait for a gesture.
        if (err && err.name === "NotAllowedError" && this.queue[0] === head) {
          this.setBlocked(true);
          this.notify();
        }
      },
    );
  }

  advance() {
    if (this.silentUrl !== null && this.audio.src === this.silentUrl) return;
    this.queue.shift();
    this.playHead();
    this.notify();
  }

  clear() {
    this.queue = [];
    this.audio.pause();
    this.setBlocked(false);
  }
}

/** The "Speak replies" switch (remembered), the "Stop speaking" button, and the page's
 * gestures: any click or key resumes speech the browser refused to start; Escape stops it, and
 * calls onEscape (to stop listening too). */
export function bindSpeakerControls(speaker, { toggle, stopButton, onEscape }) {
  const setEnabled = (enabled) => {
    toggle.setAttribute("aria-pressed", enabled ? "true" : "false");
    speaker.setEnabled(enabled);
    store.set(KEYS.speaker, enabled);
  };
  toggle.addEventListener("click", () => setEnabled(toggle.getAttribute("aria-pressed") !== "true"));
  stopButton.addEventListener("click", () => speaker.stop());
  document.addEventListener("click", () => speaker.unlock(), true);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") {
      speaker.unlock();
      return;
    }
    speaker.stop();
    onEscape();
  }, true);
  setEnabled(store.get(KEYS.speaker, true) !== false);
}
