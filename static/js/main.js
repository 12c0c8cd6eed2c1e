/* Exercise coach chat page: connects the modules to the page's elements and to each other.
 *
 * The page renders what each reply of /api/chat and /api/listen says (messages, progress,
 * suggestions, offers, rate, timer) and decides none of it itself.
 */
import { postChat, postListen } from "./api.js";
import { QuickReplies, initialSuggestions, quickReplyLabels } from "./chips.js";
import { Composer } from "./composer.js";
import {
  emptyConversation, forgetConversation, fromReply, loadConversation, saveConversation,
} from "./conversation.js";
import { SpeakingRate } from "./rate.js";
import { Speaker, bindSpeakerControls } from "./speaker.js";
import { HoldTimer } from "./timer.js";
import { Transcript } from "./transcript.js";
import { Voice } from "./voice.js";
import { Welcome, renderProgress } from "./welcome.js";

const $ = (id) => document.getElementById(id);
const ui = Object.fromEntries([
  "transcript", "messages", "welcome", "welcome-exercises", "welcome-examples", "typing", "composer",
  "message", "send", "suggestions", "progress", "progress-label", "progress-fill", "announcer",
  "speaker", "stop-speaking", "new-conversation", "audio-hint", "player", "talk", "hands-free",
  "voice", "voice-status", "voice-level-fill", "timer", "timer-elapsed", "timer-total", "timer-arc",
  "timer-note", "timer-stop", "timer-close",
].map((id) => [id.replace(/-(\w)/g, (_m, c) => c.toUpperCase()), $(id)]));
const worklet = document.querySelector('meta[name="coach-recorder-worklet"]');

const state = Object.assign(loadConversation(), { busy: false });
const first = initialSuggestions();
const transcript = new Transcript(ui);
const welcome = new Welcome(ui);
const chips = new QuickReplies(ui.suggestions, ui.message);
const composer = new Composer(ui, (text) => send(text), () => state.busy);
const rate = new SpeakingRate(document.querySelectorAll('input[name="speed"]'));
const speaker = new Speaker(ui.player, {
  blockedChanged(blocked) { ui.audioHint.hidden = !blocked; },
  playingChanged(playing) { voice.speakerChanged(playing); },
});
const voice = new Voice({ ...ui, voiceLevel: ui.voiceLevelFill }, speaker, {
  busy: () => state.busy,
  utterance: (wav) => { sendVoice(wav); },
}, worklet ? worklet.content : null);
const hold = new HoldTimer({
  panel: ui.timer, elapsed: ui.timerElapsed, total: ui.timerTotal, arc: ui.timerArc,
  note: ui.timerNote, stop: ui.timerStop, close: ui.timerClose,
}, {
  say: (url) => speaker.add(url, "count"),
  finished: (text) => showNote("info", text, false),
  changed(_running, hadFocus) {
    renderChips();
    if (hadFocus) ui.message.focus();
  },
  stopped: () => send("stop timer"), // the server is told too, so it stops offering "stop timer"
});

function renderChips() {
  const guiding = Boolean(state.progress);
  chips.render(quickReplyLabels({
    suggestions: state.suggestions || first, offers: state.offers, guiding, holdRunning: hold.running,
  }), guiding);
  markBusy();
}

function markBusy() {
  composer.setBusy(state.busy);
  chips.setBusy(state.busy);
  transcript.setBusy(state.busy);
}

function renderAll() {
  transcript.show(state.transcript);
  welcome.render(state.transcript.length > 0);
  renderProgress(ui, state.progress);
  renderChips();
}

function append(entry) {
  state.transcript.push(entry);
  return transcript.append(entry);
}

// sentRate: the request carried the person's choice of rate.
function showReply(reply, sentRate) {
  Object.assign(state, fromReply(reply));
  rate.replied(reply.rate, sentRate);
  state.transcript.push(...transcript.addMessages(reply.messages));
  hold.follow(reply);
  renderProgress(ui, state.progress);
  renderChips();
  transcript.reveal();
  speaker.say(reply.messages.map((m) => m && m.audio).filter((url) => typeof url === "string"));
  saveConversation(state);
}

/** A message of the page's own (an error, "time is up"), not from a reply. */
function showNote(kind, text, scrollToIt) {
  const node = append({ from: "bot", kind: kind, text: text });
  if (scrollToIt) transcript.scrollTo(node);
  else transcript.scrollToBottom();
  transcript.announce(text);
  saveConversation(state);
}

/** Runs one request with the page marked busy; true when it was answered. onError(err) says
 * what went wrong, for the transcript. */
async function exchange(request, onError) {
  state.busy = true;
  markBusy();
  let ok = false;
  try {
    await request();
    ok = true;
  } catch (err) {
    showNote("error", onError(err), true);
  } finally {
    state.busy = false;
    markBusy();
  }
  return ok;
}

// Must run synchronously up to the first await: unlock() needs the user gesture.
async function send(text) {
  const message = text.trim();
  if (message === "" || state.busy) return;
  state.busy = true; // first, so that stopping the speech does not start hands-free listening
  voice.cancel();
  speaker.stop();
  speaker.unlock();
  append({ from: "user", text: message });
  saveConversation(state);
  transcript.scrollToBottom();
  const chosen = rate.pending;
  const ok = await exchange(async () => {
    showReply(await postChat(message, state.session, chosen), chosen !== null);
  }, (err) => "Sorry, I could not answer that (" + err.message + "). Please try again.");
  voice.replied(ok, null);
}

// What was heard goes into the transcript as the person's message, before the reply.
async function sendVoice(wav) {
  if (state.busy) {
    voice.replied(false, null);
    return;
  }
  let heard = null;
  const ok = await exchange(async () => {
    const reply = await postListen(wav, state.session);
    heard = typeof reply.transcript === "string" ? reply.transcript.trim() : "";
    if (heard !== "") append({ from: "user", text: heard, via: "voice" });
    showReply(reply, false);
  }, (err) => (err.fromServer
    ? "Sorry, I could not use that recording: " + err.message
    : "Sorry, I could not use that recording (" + err.message + "). Please try again, or type instead."));
  voice.replied(ok, heard);
}

function newConversation() {
  voice.cancel();
  hold.cancel();
  speaker.stop();
  Object.assign(state, emptyConversation());
  forgetConversation();
  rate.forget();
  renderAll();
  transcript.announce("New conversation started.");
  ui.message.focus();
}

ui.newConversation.addEventListener("click", newConversation);
bindSpeakerControls(speaker, {
  toggle: ui.speaker, stopButton: ui.stopSpeaking, onEscape: () => voice.cancel(),
});
voice.restore();
renderAll();
welcome.load(() => state.transcript.length > 0);
