/* Exercise coach chat page: transcript, quick replies, progress and spoken replies.
 *
 * Talks to the JSON API (GET /api/articles, POST /api/chat). Every piece of text from the
 * server or from the person is inserted with textContent: nothing is ever parsed as HTML.
 * The conversation (opaque session token, transcript, progress, quick replies) lives in
 * localStorage so that a reload carries on where the person was.
 */
(function () {
  "use strict";

  const KEYS = Object.freeze({
    session: "coach.session",
    transcript: "coach.transcript",
    progress: "coach.progress",
    suggestions: "coach.suggestions",
    speaker: "coach.speaker",
    rate: "coach.rate",
  });
  // Enough to scroll back through a long session while keeping localStorage small.
  const MAX_SAVED_ENTRIES = 200;
  const EXAMPLES = Object.freeze(["How do I do the cobra stretch?", "What do I need?", "Next step"]);
  const RATES = Object.freeze(["0.75", "1", "1.25"]);
  const KNOWN_KINDS = Object.freeze(["warning", "step", "answer", "question", "complete", "info", "error"]);
  const SVG_NS = "http://www.w3.org/2000/svg";
  // Screen readers may skip a live region whose text changes twice in one task.
  const ANNOUNCE_DELAY_MS = 50;

  /* ---------- storage: never let a full or disabled localStorage break the page ---------- */

  const store = {
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
  };

  function isEntry(value) {
    return Boolean(value) && typeof value.text === "string" &&
      (value.from === "user" || value.from === "bot");
  }

  function isProgress(value) {
    return Boolean(value) && typeof value.exercise === "string" &&
      Number.isInteger(value.step) && Number.isInteger(value.total) && value.total > 0;
  }

  function isStringList(value) {
    return Array.isArray(value) && value.every((item) => typeof item === "string");
  }

  function loadSaved() {
    const transcript = store.get(KEYS.transcript, []);
    const session = store.get(KEYS.session, null);
    const progress = store.get(KEYS.progress, null);
    const suggestions = store.get(KEYS.suggestions, null);
    return {
      session: typeof session === "string" ? session : null,
      transcript: Array.isArray(transcript) ? transcript.filter(isEntry) : [],
      progress: isProgress(progress) ? progress : null,
      suggestions: isStringList(suggestions) ? suggestions : null,
    };
  }

  /* ---------- speech: one <audio> element, one queue ---------- */

  // A 50 ms silent WAV as a blob: URL (the CSP allows blob: media but not data:). Playing it
  // inside the first click or key press unlocks the element for later, programmatic play().
  function makeSilentWavUrl() {
    const sampleRate = 8000;
    const samples = 400;
    const buffer = new ArrayBuffer(44 + samples * 2);
    const view = new DataView(buffer);
    const ascii = (offset, text) => {
      for (let i = 0; i < text.length; i += 1) view.setUint8(offset + i, text.charCodeAt(i));
    };
    ascii(0, "RIFF");
    view.setUint32(4, 36 + samples * 2, true);
    ascii(8, "WAVE");
    ascii(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, sampleRate, true);
    view.setUint32(28, sampleRate * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    ascii(36, "data");
    view.setUint32(40, samples * 2, true);
    return URL.createObjectURL(new Blob([buffer], { type: "audio/wav" }));
  }

  /**
   * Plays reply audio in order through a single element.
   * The head of the queue stays there until it has ended or failed, so a play() refused by
   * the browser's autoplay policy is retried at the next gesture instead of being lost.
   */
  function createSpeaker(audio, onBlockedChange) {
    let queue = [];
    let enabled = true;
    let rate = 1;
    let blocked = false;
    let unlocked = false;
    let silentUrl = null;

    function setBlocked(value) {
      if (blocked !== value) {
        blocked = value;
        onBlockedChange(value);
      }
    }

    function playingSilence() {
      return silentUrl !== null && audio.src === silentUrl;
    }

    function playHead() {
      if (!enabled || queue.length === 0) return;
      audio.src = queue[0];
      audio.defaultPlaybackRate = rate;
      audio.playbackRate = rate;
      audio.play().then(
        () => {
          unlocked = true;
          setBlocked(false);
        },
        (err) => {
          // AbortError means a newer source replaced this one; load failures arrive as
          // the element's "error" event. Only a refusal needs to wait for a gesture.
          if (err && err.name === "NotAllowedError") setBlocked(true);
        },
      );
    }

    function advance() {
      if (playingSilence()) return;
      queue.shift();
      playHead();
    }

    audio.addEventListener("ended", advance);
    audio.addEventListener("error", advance);

    return {
      /** Call synchronously inside a click or key handler, before any await. */
      unlock() {
        if (blocked && queue.length > 0) {
          setBlocked(false);
          playHead();
          return;
        }
        if (unlocked || queue.length > 0) return;
        silentUrl = silentUrl || makeSilentWavUrl();
        audio.src = silentUrl;
        audio.play().then(() => { unlocked = true; }, () => {});
      },
      /** Replace whatever is playing with these clips, played in order. */
      say(urls) {
        this.stop();
        if (!enabled) return;
        queue = urls.map((url) => new URL(url, window.location.href).href);
        playHead();
      },
      stop() {
        queue = [];
        audio.pause();
        setBlocked(false);
      },
      setEnabled(value) {
        enabled = value;
        if (!enabled) this.stop();
      },
      setRate(value) {
        rate = value;
        audio.defaultPlaybackRate = value;
        audio.playbackRate = value;
      },
    };
  }

  /* ---------- small DOM helpers ---------- */

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function icon(name) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const use = document.createElementNS(SVG_NS, "use");
    use.setAttribute("href", "#i-" + name);
    svg.appendChild(use);
    return svg;
  }

  function callout(kind, iconName, title, text) {
    const item = el("li", "callout callout-" + kind);
    const body = el("div");
    body.append(el("p", "callout-title", title), el("p", "callout-body", text));
    item.append(icon(iconName), body);
    return item;
  }

  // "Step 2 of 4: Place your hands ..." shows its label on a line of its own.
  function stepBubble(text) {
    const item = el("li", "msg msg-bot msg-step");
    const match = /^(Step \d+ of \d+)[:.]\s*([\s\S]*)$/.exec(text);
    if (!match) {
      item.append(el("span", "visually-hidden", "Coach: "), document.createTextNode(text));
      return item;
    }
    item.append(el("span", "step-label", match[1]), el("span", "visually-hidden", ": "),
      document.createTextNode(match[2]));
    return item;
  }

  function renderEntry(entry) {
    if (entry.from === "user") {
      const item = el("li", "msg msg-user");
      item.append(el("span", "visually-hidden", "You said: "), document.createTextNode(entry.text));
      item.dataset.from = "user";
      return item;
    }
    const kind = KNOWN_KINDS.includes(entry.kind) ? entry.kind : "info";
    let item;
    if (kind === "warning") {
      item = callout("warning", "warning", "Safety warning", entry.text);
    } else if (kind === "complete") {
      item = callout("complete", "check", "Exercise complete", entry.text);
    } else if (kind === "step") {
      item = stepBubble(entry.text);
    } else {
      item = el("li", "msg msg-bot msg-" + kind);
      item.append(el("span", "visually-hidden", "Coach: "), document.createTextNode(entry.text));
    }
    item.dataset.from = "bot";
    item.dataset.kind = kind;
    return item;
  }

  function spokenText(entry) {
    return entry.kind === "warning" ? "Safety warning. " + entry.text : entry.text;
  }

  /* ---------- the page ---------- */

  function start() {
    const $ = (id) => document.getElementById(id);
    const ui = {
      transcript: $("transcript"),
      messages: $("messages"),
      welcome: $("welcome"),
      welcomeExercises: $("welcome-exercises"),
      welcomeExamples: $("welcome-examples"),
      typing: $("typing"),
      form: $("composer"),
      input: $("message"),
      send: $("send"),
      chips: $("suggestions"),
      progress: $("progress"),
      progressLabel: $("progress-label"),
      progressFill: $("progress-fill"),
      announcer: $("announcer"),
      speakerToggle: $("speaker"),
      stopSpeaking: $("stop-speaking"),
      newConversation: $("new-conversation"),
      audioHint: $("audio-hint"),
      player: $("player"),
    };
    // articles stays null until /api/articles has answered (or failed).
    const state = Object.assign(loadSaved(), { articles: null, busy: false });
    const speaker = createSpeaker(ui.player, (blocked) => { ui.audioHint.hidden = !blocked; });

    /* --- persistence --- */

    function save() {
      state.transcript = state.transcript.slice(-MAX_SAVED_ENTRIES);
      store.set(KEYS.session, state.session);
      store.set(KEYS.transcript, state.transcript);
      store.set(KEYS.progress, state.progress);
      store.set(KEYS.suggestions, state.suggestions);
    }

    function forget() {
      [KEYS.session, KEYS.transcript, KEYS.progress, KEYS.suggestions].forEach(store.remove);
    }

    /* --- rendering --- */

    function appendEntry(entry) {
      state.transcript.push(entry);
      const node = renderEntry(entry);
      ui.messages.appendChild(node);
      ui.welcome.hidden = true;
      return node;
    }

    function scrollToBottom() {
      ui.transcript.scrollTop = ui.transcript.scrollHeight;
    }

    // Bring the first new message (often the safety warning) to the top, or as far as it goes.
    function scrollToMessage(node) {
      ui.transcript.scrollTop = Math.max(0, node.offsetTop - 12);
    }

    function announce(text) {
      ui.announcer.textContent = "";
      window.setTimeout(() => { ui.announcer.textContent = text; }, ANNOUNCE_DELAY_MS);
    }

    function renderProgress() {
      const progress = state.progress;
      ui.progress.hidden = !progress;
      if (!progress) return;
      ui.progressLabel.textContent =
        progress.exercise + " · step " + progress.step + " of " + progress.total;
      const ratio = Math.min(1, Math.max(0, progress.step / progress.total));
      ui.progressFill.style.width = (ratio * 100).toFixed(1) + "%";
    }

    function defaultSuggestions() {
      if (state.articles === null) return [];
      const titles = [];
      state.articles.forEach((article) => {
        (article.exercises || []).forEach((exercise) => titles.push(exercise.title));
      });
      return titles.length > 0 ? titles : EXAMPLES.slice();
    }

    function chipButton(label, main) {
      const button = el("button", main ? "btn chip chip-main" : "btn chip", label);
      button.type = "button";
      button.dataset.message = label;
      return button;
    }

    // Keeps keyboard focus on the quick replies when they are rebuilt, preferring the same
    // label (so pressing Enter on "Next" again moves on again).
    function renderSuggestions() {
      const focused = ui.chips.contains(document.activeElement)
        ? document.activeElement.dataset.message : null;
      const labels = state.suggestions || defaultSuggestions();
      const guiding = Boolean(state.progress);
      const buttons = labels.map((label, i) => chipButton(label, guiding && i === 0));
      ui.chips.replaceChildren(...buttons);
      markBusy();
      if (focused === null) return;
      const same = buttons.find((button) => button.dataset.message === focused);
      (same || buttons[0] || ui.input).focus();
    }

    function renderWelcome() {
      ui.welcomeExercises.replaceChildren();
      (state.articles || []).forEach((article) => {
        const exercises = article.exercises || [];
        if (exercises.length === 0) return;
        ui.welcomeExercises.append(el("h3", null, "Exercises from “" + article.title + "”"));
        const list = el("ul");
        exercises.forEach((exercise) => {
          const item = el("li", null, exercise.title);
          const count = (exercise.steps || []).length;
          if (count > 0) item.append(el("span", "step-count", " · " + count + " steps"));
          list.append(item);
        });
        ui.welcomeExercises.append(list);
      });
      ui.welcomeExamples.replaceChildren(...EXAMPLES.map((text) => {
        const item = el("li");
        item.append(chipButton(text, false));
        return item;
      }));
      ui.welcome.hidden = state.transcript.length > 0;
    }

    function renderAll() {
      ui.messages.replaceChildren(...state.transcript.map(renderEntry));
      renderWelcome();
      renderProgress();
      renderSuggestions();
      scrollToBottom();
    }

    function markBusy() {
      const value = state.busy ? "true" : "false";
      ui.send.setAttribute("aria-disabled", value);
      ui.chips.querySelectorAll("button").forEach((b) => b.setAttribute("aria-disabled", value));
      ui.typing.hidden = !state.busy;
      ui.transcript.setAttribute("aria-busy", value);
    }

    /* --- talking to the server --- */

    async function postChat(message) {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ message: message, session: state.session }),
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        const reason = body && typeof body.error === "string" ? body.error : response.statusText;
        throw new Error(reason || "error " + response.status);
      }
      if (!body || !Array.isArray(body.messages)) throw new Error("unexpected answer");
      return body;
    }

    function showReply(reply) {
      state.session = typeof reply.session === "string" ? reply.session : null;
      state.progress = isProgress(reply.progress) ? reply.progress : null;
      state.suggestions = isStringList(reply.suggestions) ? reply.suggestions : null;
      const messages = reply.messages.filter((m) => m && typeof m.text === "string");
      const entries = messages.map((m) => ({ from: "bot", kind: m.kind, text: m.text }));
      const nodes = entries.map(appendEntry);
      messages.forEach((m, i) => {
        if (typeof m.audio === "string") nodes[i].dataset.audio = m.audio;
      });
      renderProgress();
      renderSuggestions();
      if (nodes.length > 0) scrollToMessage(nodes[0]);
      announce(entries.map(spokenText).join(" "));
      speaker.say(messages.map((m) => m.audio).filter((url) => typeof url === "string"));
      save();
    }

    function showError(err) {
      const text = "Sorry, I could not answer that (" + err.message + "). Please try again.";
      const node = appendEntry({ from: "bot", kind: "error", text: text });
      scrollToMessage(node);
      announce(text);
      save();
    }

    // Must run synchronously up to the first await: unlock() needs the user gesture.
    async function send(text) {
      const message = text.trim();
      if (message === "" || state.busy) return;
      speaker.stop();
      speaker.unlock();
      appendEntry({ from: "user", text: message });
      save();
      state.busy = true;
      markBusy();
      scrollToBottom();
      try {
        showReply(await postChat(message));
      } catch (err) {
        showError(err);
      } finally {
        state.busy = false;
        markBusy();
      }
    }

    async function loadArticles() {
      try {
        const response = await fetch("/api/articles", { headers: { Accept: "application/json" } });
        const articles = response.ok ? await response.json() : [];
        state.articles = Array.isArray(articles) ? articles : [];
      } catch (_err) {
        state.articles = [];
      }
      renderWelcome();
      if (!state.suggestions) renderSuggestions();
    }

    /* --- controls --- */

    function newConversation() {
      speaker.stop();
      Object.assign(state, { session: null, transcript: [], progress: null, suggestions: null });
      forget();
      renderAll();
      announce("New conversation started.");
      ui.input.focus();
    }

    function setSpeakerEnabled(enabled) {
      ui.speakerToggle.setAttribute("aria-pressed", enabled ? "true" : "false");
      speaker.setEnabled(enabled);
      store.set(KEYS.speaker, enabled);
    }

    function setRate(value) {
      const rate = RATES.includes(value) ? value : "1";
      const radio = document.querySelector('input[name="speed"][value="' + rate + '"]');
      if (radio) radio.checked = true;
      speaker.setRate(Number(rate));
      store.set(KEYS.rate, rate);
    }

    function sendFromButton(event) {
      const button = event.target.closest("button[data-message]");
      if (button) send(button.dataset.message);
    }

    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = ui.input.value;
      if (text.trim() === "" || state.busy) return;
      ui.input.value = "";
      send(text);
    });
    ui.chips.addEventListener("click", sendFromButton);
    ui.welcomeExamples.addEventListener("click", sendFromButton);
    ui.speakerToggle.addEventListener("click", () => {
      setSpeakerEnabled(ui.speakerToggle.getAttribute("aria-pressed") !== "true");
    });
    ui.stopSpeaking.addEventListener("click", () => speaker.stop());
    ui.newConversation.addEventListener("click", newConversation);
    document.querySelectorAll('input[name="speed"]').forEach((radio) => {
      radio.addEventListener("change", () => setRate(radio.value));
    });
    // Any gesture resumes speech the browser refused to start; Escape stops it.
    document.addEventListener("click", () => speaker.unlock(), true);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") speaker.stop();
      else speaker.unlock();
    }, true);

    setSpeakerEnabled(store.get(KEYS.speaker, true) !== false);
    setRate(String(store.get(KEYS.rate, "1")));
    renderAll();
    loadArticles();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
