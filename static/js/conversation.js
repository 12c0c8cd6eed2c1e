/* The conversation the page carries across reloads: the opaque session token, the transcript,
 * and the last reply's progress, suggestions and offers, kept in localStorage. A running hold
 * timer does not survive a reload.
 */
import { KEYS, store } from "./store.js";
import { isEntry } from "./transcript.js";

// Enough to scroll back through a long session while keeping localStorage small.
const MAX_SAVED_ENTRIES = 200;
const SAVED = Object.freeze([KEYS.session, KEYS.transcript, KEYS.progress, KEYS.suggestions, KEYS.offers]);

export function isProgress(value) {
  return Boolean(value) && typeof value.exercise === "string" &&
    Number.isInteger(value.step) && Number.isInteger(value.total) && value.total > 0;
}

export function isStringList(value) {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isOffer(value) {
  return Boolean(value) && typeof value.intent === "string" && typeof value.label === "string";
}

/** The reply's offers ([{intent, label}]), or none. */
export function offersOf(value) {
  return Array.isArray(value) ? value.filter(isOffer) : [];
}

/** What a reply says about the conversation, checked field by field. */
export function fromReply(reply) {
  return {
    session: typeof reply.session === "string" ? reply.session : null,
    progress: isProgress(reply.progress) ? reply.progress : null,
    suggestions: isStringList(reply.suggestions) ? reply.suggestions : null,
    offers: offersOf(reply.offers),
  };
}

/** A new conversation: suggestions null means the server's first ones. */
export function emptyConversation() {
  return { session: null, transcript: [], progress: null, suggestions: null, offers: [] };
}

export function loadConversation() {
  store.remove("coach.offer"); // saved by the page before offers came in the reply
  const transcript = store.get(KEYS.transcript, []);
  return Object.assign(fromReply({
    session: store.get(KEYS.session, null),
    progress: store.get(KEYS.progress, null),
    suggestions: store.get(KEYS.suggestions, null),
    offers: store.get(KEYS.offers, []),
  }), { transcript: Array.isArray(transcript) ? transcript.filter(isEntry) : [] });
}

export function saveConversation(state) {
  state.transcript = state.transcript.slice(-MAX_SAVED_ENTRIES);
  store.set(KEYS.session, state.session);
  store.set(KEYS.transcript, state.transcript);
  store.set(KEYS.progress, state.progress);
  store.set(KEYS.suggestions, state.suggestions);
  store.set(KEYS.offers, state.offers);
}

export function forgetConversation() {
  SAVED.forEach(store.remove);
}
