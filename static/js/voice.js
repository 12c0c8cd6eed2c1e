/* Voice capture: push to talk and hands-free. Decides when the microphone listens, and says so.
 *
 * It listens only when wanted (Talk was pressed, or hands-free is on and the coach has just
 * finished speaking) and never while the coach speaks or a reply is on its way. Hands-free
 * listens again after each reply has been spoken.
 */
import { Listener } from "./microphone.js";
import { store, KEYS } from "./store.js";

// After the coach stops speaking, let the room fall quiet before listening, so the microphone
// does not catch the end of our own voice.
const LISTEN_AFTER_SPEECH_MS = 300;
// Hands-free stops re-listening after this many recordings in a row with nothing understood,
// so a noisy room cannot keep the coach saying "I didn't catch that".
const MAX_UNHEARD_IN_A_ROW = 3;
// Level meter: this many dB below full scale reads as empty, full scale as full.
const LEVEL_FLOOR_DB = 60;
const MIC_MESSAGES = Object.freeze({
  denied: "I am not allowed to use the microphone. To talk to me, allow the microphone for " +
    "this page in the browser’s site settings. You can keep typing.",
  missing: "No microphone was found. Connect one and press Talk again, or keep typing.",
  busy: "The microphone is being used by another program. Close it and press Talk again, " +
    "or keep typing.",
  unsupported: "This browser cannot record on this page. You can keep typing.",
  blocked: "The browser paused the microphone until you tap the page. Press Talk to start.",
  failed: "The microphone could not be started. Press Talk to try again, or keep typing.",
  lost: "The microphone was disconnected. Press Talk to try again, or keep typing.",
});
const NOTHING_HEARD = "I did not hear anything, so I stopped listening. Press Talk to try again.";
const TOO_MANY_UNHEARD = "I could not make out the last " + MAX_UNHEARD_IN_A_ROW +
  " tries, so I stopped listening. Press Talk when you are ready.";
const LIVE_STATES = Object.freeze(["starting", "listening", "hearing"]);

function levelFraction(rms) {
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + LEVEL_FLOOR_DB) / LEVEL_FLOOR_DB));
}

/**
 * ui: {voice, voiceStatus, voiceLevel, talk (button), handsFree (button)};
 * speaker: {playing, stop()};
 * hooks: busy() → a request is in flight; utterance(wav) → send it, then call replied().
 */
export class Voice {
  constructor(ui, speaker, hooks, workletUrl) {
    this.ui = ui;
    this.speaker = speaker;
    this.hooks = hooks;
    this.handsFree = false;
    this.want = false;
    this.opening = false;
    this.sending = false;
    this.note = null;
    this.noteIsError = false;
    this.unheard = 0; // recordings in a row in which the server understood nothing
    this.resumeTimer = null;
    // Without a way to record, opening the microphone fails with "unsupported", and says so.
    this.listener = new Listener({ workletUrl: workletUrl, onEvent: (event) => this.onEvent(event) });
    ui.talk.addEventListener("click", () => this.talk());
    ui.handsFree.addEventListener("click", () => this.toggleHandsFree());
  }

  /** The Talk button: start listening (interrupting the coach), or end the utterance. */
  talk() {
    if (this.sending || this.hooks.busy()) return;
    if (this.want && !this.speaker.playing) {
      if (this.listener.hearing) {
        this.listener.finish(); // sends what was said so far
      } else {
        this.want = false;
        this.sync();
      }
      return;
    }
    this.unheard = 0;
    this.wantToListen();
    this.speaker.stop();
    this.sync();
  }

  toggleHandsFree() {
    const on = !this.handsFree;
    this.setHandsFree(on);
    this.unheard = 0;
    this.note = null;
    this.want = false;
    if (on) this.wantToListen();
    this.sync();
  }

  /** Stop listening now (a typed message, Escape, a new conversation). */
  cancel() {
    this.want = false;
    this.note = null;
    this.sync();
  }

  /** A request finished. heard: the transcript of a recording ("" if nothing was
   * understood), or null for a typed message. */
  replied(ok, heard) {
    this.sending = false;
    this.unheard = heard === "" ? this.unheard + 1 : 0;
    if (this.unheard >= MAX_UNHEARD_IN_A_ROW) this.setNote(TOO_MANY_UNHEARD, false);
    else if (ok && this.handsFree) this.wantToListen();
    this.sync();
  }

  /** The coach started or stopped speaking: pause, or (hands-free) listen once it is quiet. */
  speakerChanged(playing) {
    if (!playing && this.handsFree && !this.want && !this.sending &&
        !this.hooks.busy() && this.unheard < MAX_UNHEARD_IN_A_ROW) {
      this.wantToListen();
    }
    if (playing || !this.want) {
      this.sync();
      return;
    }
    this.render();
    window.clearTimeout(this.resumeTimer);
    this.resumeTimer = window.setTimeout(() => this.sync(), LISTEN_AFTER_SPEECH_MS);
  }

  /** The saved hands-free setting; a reload never opens the microphone by itself. */
  restore() {
    this.setHandsFree(store.get(KEYS.handsFree, false) === true);
    this.render();
  }

  phase() {
    if (this.sending) return ["sending", "Working out what you said…"];
    if (this.want && this.opening) return ["starting", "Starting the microphone…"];
    if (this.want && (this.hooks.busy() || this.speaker.playing)) {
      return ["waiting", "I will listen when I have finished speaking."];
    }
    if (this.want) return [this.listener.hearing ? "hearing" : "listening", "Listening…"];
    if (this.note) return [this.noteIsError ? "error" : "note", this.note];
    return ["off", ""];
  }

  showLevel(rms) {
    this.ui.voiceLevel.style.transform = "scaleX(" + levelFraction(rms).toFixed(3) + ")";
  }

  render() {
    const [name, text] = this.phase();
    this.ui.voice.dataset.state = name;
    // Only real changes: every write to a live region may be read out again.
    if (this.ui.voiceStatus.textContent !== text) this.ui.voiceStatus.textContent = text;
    // Pressed (red) only while the microphone is, or is about to be, live.
    this.ui.talk.setAttribute("aria-pressed", LIVE_STATES.includes(name) ? "true" : "false");
    if (name !== "listening" && name !== "hearing") this.showLevel(0);
  }

  setNote(text, isError) {
    this.note = text;
    this.noteIsError = Boolean(isError);
  }

  wantToListen() {
    this.want = true;
    this.note = null;
  }

  sync() {
    window.clearTimeout(this.resumeTimer);
    const listener = this.listener;
    if (!this.want) listener.close();
    else if (this.hooks.busy() || this.speaker.playing) listener.pause();
    else if (listener.isOpen) {
      if (!listener.isListening) listener.listen();
    } else if (!this.opening) this.openMic();
    this.render();
  }

  openMic() {
    this.opening = true;
    this.listener.open().then(
      () => {
        this.opening = false;
        this.sync();
      },
      (err) => {
        this.opening = false;
        this.failed(err);
      },
    );
  }

  setHandsFree(on) {
    this.handsFree = on;
    this.ui.handsFree.setAttribute("aria-pressed", on ? "true" : "false");
    store.set(KEYS.handsFree, on);
  }

  // Nothing will change by trying again soon: hands-free goes off rather than fail each turn.
  failed(err) {
    const reason = err && Object.hasOwn(MIC_MESSAGES, err.reason) ? err.reason : "failed";
    this.want = false;
    if (["denied", "missing", "unsupported"].includes(reason)) this.setHandsFree(false);
    this.setNote(MIC_MESSAGES[reason], true);
    this.sync();
  }

  onEvent(event) {
    if (event.type === "level") {
      this.showLevel(event.rms);
      return;
    }
    if (event.type === "nothing") {
      this.want = false;
      this.setNote(NOTHING_HEARD, false);
    } else if (event.type === "lost") {
      this.want = false;
      this.setNote(MIC_MESSAGES.lost, true);
    } else if (event.type === "utterance") {
      this.want = false;
      this.sending = true;
      this.hooks.utterance(event.wav);
    }
    this.sync();
  }
}
