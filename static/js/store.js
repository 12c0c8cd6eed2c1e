/* localStorage, as JSON, that never lets a full or disabled storage break the page. */

export const KEYS = Object.freeze({
  session: "coach.session",
  transcript: "coach.transcript",
  progress: "coach.progress",
  suggestions: "coach.suggestions",
  offers: "coach.offers",
  rate: "coach.rate",
  serverRate: "coach.serverRate",
  speaker: "coach.speaker",
  handsFree: "coach.handsFree",
});

export const store = Object.freeze({
  get(key, fallback) {
    try {
      const raw = window.localStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (_err) {
      return fallback;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (_err) {
      // Storage full or disabled: the page still works, it just forgets on reload.
    }
  },
  remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (_err) {
      // Same as above.
    }
  },
});
