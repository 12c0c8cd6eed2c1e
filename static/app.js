/* Exercise coach chat page: transcript, quick replies, progress, spoken replies, listening
 * (push to talk and hands-free) and the hold timer.
 *
 * Talks to the JSON API (GET /api/articles, POST /api/chat, POST /api/listen with a WAV from
 * static/listen.js). Every piece of text from the server or from the person is inserted with
 * textContent: nothing is ever parsed as HTML. The conversation (opaque session token,
 * transcript, progress, quick replies) lives in localStorage so that a reload carries on where
 * the person was; a running hold timer does not survive a reload.
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
    handsFree: "coach.handsFree",
    offer: "coach.offer",
  });
  // Enough to scroll back through a long session while keeping localStorage small.
  const MAX_SAVED_ENTRIES = 200;
  const EXAMPLES = Object.freeze(["How do I do the cobra stretch?", "What do I need?", "Next step"]);
  const RATES = Object.freeze(["0.75", "1", "1.25"]);
  const KNOWN_KINDS = Object.freeze(["warning", "step", "answer", "question", "complete", "info", "error"]);
  const SVG_NS = "http://www.w3.org/2000/svg";
  // Screen readers may skip a live region whose text changes twice in one task.
  const ANNOUNCE_DELAY_MS = 50;
  // Steps that hold or repeat end with an offer (matched by its quoted command); its quick reply
  // is added here because the server suggests the same chips on every step.
  const OFFERS = Object.freeze([
    Object.freeze({ marker: "“start timer”", chip: "Start timer" }),
    Object.freeze({ marker: "“done” after each repetition", chip: "Done" }),
  ]);
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

  function isOffer(value) {
    return Boolean(value) && OFFERS.some((offer) => offer.chip === value.chip) &&
      typeof value.exercise === "string" && Number.isInteger(value.step);
  }

  function loadSaved() {
    const transcript = store.get(KEYS.transcript, []);
    const session = store.get(KEYS.session, null);
    const progress = store.get(KEYS.progress, null);
    const suggestions = store.get(KEYS.suggestions, null);
    const offer = store.get(KEYS.offer, null);
    return {
      session: typeof session === "string" ? session : null,
      transcript: Array.isArray(transcript) ? transcript.filter(isEntry) : [],
      progress: isProgress(progress) ? progress : null,
      suggestions: isStringList(suggestions) ? suggestions : null,
      offer: isOffer(offer) ? offer : null,
    };
  }

  /* ---------- speech: one <audio> element, one queue ---------- */

  // A 50 ms silent WAV (encoded by listen.js, loaded first) as a blob: URL (the CSP allows
  // blob: media but not data:). Playing it inside the first click or key press unlocks the
  // element for later, programmatic play().
  function makeSilentWavUrl() {
    const wav = window.CoachListen.encodeWav(new Float32Array(400), 8000);
    return URL.createObjectURL(new Blob([wav], { type: "audio/wav" }));
  }

  /**
   * Plays reply audio in order through a single element.
   * The head of the queue stays there until it has ended or failed, so a play() refused by
   * the browser's autoplay policy is retried at the next gesture instead of being lost.
   * hooks.blockedChanged(blocked) shows the "tap to hear" hint; hooks.playingChanged(playing)
   * tells the listener to keep quiet: "playing" means a clip is queued and not refused.
   */
  function createSpeaker(audio, hooks) {
    let queue = []; // [{url, group}]; the head is the clip in the element
    let enabled = true;
    let rate = 1;
    let blocked = false;
    let unlocked = false;
    let silentUrl = null;
    let playing = false;

    function notify() {
      const now = enabled && queue.length > 0 && !blocked;
      if (now !== playing) {
        playing = now;
        hooks.playingChanged(now);
      }
    }

    function setBlocked(value) {
      if (blocked !== value) {
        blocked = value;
        hooks.blockedChanged(value);
      }
    }

    function playingSilence() {
      return silentUrl !== null && audio.src === silentUrl;
    }

    function playHead() {
      if (!enabled || queue.length === 0) return;
      const head = queue[0];
      audio.src = head.url;
      audio.defaultPlaybackRate = rate;
      audio.playbackRate = rate;
      audio.play().then(
        () => {
          unlocked = true;
          setBlocked(false);
          notify();
        },
        (err) => {
          // AbortError means a newer source replaced this one; load failures arrive as
          // the element's "error" event. Only a refusal needs to wait for a gesture.
          if (err && err.name === "NotAllowedError" && queue[0] === head) {
            setBlocked(true);
            notify();
          }
        },
      );
    }

    function advance() {
      if (playingSilence()) return;
      queue.shift();
      playHead();
      notify();
    }

    function clear() {
      queue = [];
      audio.pause();
      setBlocked(false);
    }

    function absolute(url) {
      return new URL(url, window.location.href).href;
    }

    audio.addEventListener("ended", advance);
    audio.addEventListener("error", advance);

    return {
      /** Call synchronously inside a click or key handler, before any await. */
      unlock() {
        if (blocked && queue.length > 0) {
          setBlocked(false);
          playHead();
          notify();
          return;
        }
        if (unlocked || queue.length > 0) return;
        silentUrl = silentUrl || makeSilentWavUrl();
        audio.src = silentUrl;
        audio.play().then(() => { unlocked = true; }, () => {});
      },
      /** Replace whatever is playing with these clips, played in order. */
      say(urls) {
        clear();
        if (enabled) queue = urls.map((url) => ({ url: absolute(url), group: null }));
        playHead();
        notify();
      },
      /** Play one clip after what is already queued. A clip of the same group that has not
       * started yet is dropped: a late count is worse than none. */
      add(url, group) {
        if (!enabled) return;
        queue = queue.filter((item, i) => i === 0 || item.group !== group);
        queue.push({ url: absolute(url), group: group });
        if (queue.length === 1) playHead();
        notify();
      },
      stop() {
        clear();
        notify();
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
      get playing() {
        return playing;
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

  // What the microphone heard carries a mic mark, so a misheard command is easy to spot.
  function heardBubble(text) {
    const item = el("li", "msg msg-user msg-heard");
    const label = el("span", "heard-label");
    label.setAttribute("aria-hidden", "true");
    label.append(icon("mic"), document.createTextNode("heard"));
    item.append(label, el("span", "visually-hidden", "You said, by voice: "),
      document.createTextNode(text));
    item.dataset.via = "voice";
    return item;
  }

  function renderEntry(entry) {
    if (entry.from === "user") {
      const item = entry.via === "voice" ? heardBubble(entry.text) : el("li", "msg msg-user");
      if (entry.via !== "voice") {
        item.append(el("span", "visually-hidden", "You said: "), document.createTextNode(entry.text));
      }
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

  /* ---------- listening: push to talk and hands-free ---------- */

  function workletUrl() {
    const meta = document.querySelector('meta[name="coach-recorder-worklet"]');
    return meta ? meta.content : null;
  }

  function levelFraction(rms) {
    if (!(rms > 0)) return 0;
    const db = 20 * Math.log10(rms);
    return Math.min(1, Math.max(0, (db + LEVEL_FLOOR_DB) / LEVEL_FLOOR_DB));
  }

  /**
   * Decides when to listen and says so. It listens only when wanted (Talk was pressed, or
   * hands-free is on and the coach has just finished speaking) and never while the coach speaks
   * or a reply is on its way. hooks: busy() → a request is in flight; utterance(wav) → send it,
   * then call replied().
   */
  function createVoice(ui, speaker, hooks) {
    const v = {
      handsFree: false,
      want: false,
      opening: false,
      sending: false,
      note: null,
      noteIsError: false,
      unheard: 0, // recordings in a row in which the server understood nothing
      resumeTimer: null,
    };
    const listener = window.CoachListen
      ? window.CoachListen.createListener({ workletUrl: workletUrl(), onEvent: onEvent })
      : null;

    function phase() {
      if (v.sending) return ["sending", "Working out what you said…"];
      if (v.want && v.opening) return ["starting", "Starting the microphone…"];
      if (v.want && (hooks.busy() || speaker.playing)) {
        return ["waiting", "I will listen when I have finished speaking."];
      }
      if (v.want) return [listener && listener.hearing ? "hearing" : "listening", "Listening…"];
      if (v.note) return [v.noteIsError ? "error" : "note", v.note];
      return ["off", ""];
    }

    function showLevel(rms) {
      ui.voiceLevel.style.transform = "scaleX(" + levelFraction(rms).toFixed(3) + ")";
    }

    function render() {
      const [name, text] = phase();
      ui.voice.dataset.state = name;
      // Only real changes: every write to a live region may be read out again.
      if (ui.voiceStatus.textContent !== text) ui.voiceStatus.textContent = text;
      // Pressed (red) only while the microphone is, or is about to be, live.
      const live = ["starting", "listening", "hearing"].includes(name);
      ui.talk.setAttribute("aria-pressed", live ? "true" : "false");
      if (name !== "listening" && name !== "hearing") showLevel(0);
    }

    function setNote(text, isError) {
      v.note = text;
      v.noteIsError = Boolean(isError);
    }

    function wantToListen() {
      v.want = true;
      v.note = null;
    }

    function sync() {
      window.clearTimeout(v.resumeTimer);
      if (listener) {
        if (!v.want) listener.close();
        else if (hooks.busy() || speaker.playing) listener.pause();
        else if (listener.isOpen) {
          if (!listener.isListening) listener.listen();
        } else if (!v.opening) openMic();
      }
      render();
    }

    function openMic() {
      v.opening = true;
      listener.open().then(
        () => {
          v.opening = false;
          sync();
        },
        (err) => {
          v.opening = false;
          failed(err);
        },
      );
    }

    function setHandsFree(on) {
      v.handsFree = on;
      ui.handsFree.setAttribute("aria-pressed", on ? "true" : "false");
      store.set(KEYS.handsFree, on);
    }

    // Nothing will change by trying again soon: hands-free goes off rather than fail each turn.
    function failed(err) {
      const reason = err && Object.hasOwn(MIC_MESSAGES, err.reason) ? err.reason : "failed";
      v.want = false;
      if (["denied", "missing", "unsupported"].includes(reason)) setHandsFree(false);
      setNote(MIC_MESSAGES[reason], true);
      sync();
    }

    function onEvent(event) {
      if (event.type === "level") {
        showLevel(event.rms);
        return;
      }
      if (event.type === "nothing") {
        v.want = false;
        setNote(NOTHING_HEARD, false);
      } else if (event.type === "lost") {
        v.want = false;
        setNote(MIC_MESSAGES.lost, true);
      } else if (event.type === "utterance") {
        v.want = false;
        v.sending = true;
        hooks.utterance(event.wav);
      }
      sync();
    }

    return {
      /** The Talk button: start listening (interrupting the coach), or end the utterance. */
      talk() {
        if (!listener) {
          setNote(MIC_MESSAGES.unsupported, true);
          render();
          return;
        }
        if (v.sending || hooks.busy()) return;
        if (v.want && !speaker.playing) {
          if (listener.hearing) {
            listener.finish(); // sends what was said so far
          } else {
            v.want = false;
            sync();
          }
          return;
        }
        v.unheard = 0;
        wantToListen();
        speaker.stop();
        sync();
      },
      toggleHandsFree() {
        const on = !v.handsFree;
        setHandsFree(on);
        v.unheard = 0;
        v.note = null;
        v.want = false;
        if (on && listener) wantToListen();
        if (on && !listener) setNote(MIC_MESSAGES.unsupported, true);
        sync();
      },
      /** Stop listening now (a typed message, Escape, a new conversation). */
      cancel() {
        v.want = false;
        v.note = null;
        sync();
      },
      /** A request finished. heard: the transcript of a recording ("" if nothing was
       * understood), or null for a typed message. */
      replied(ok, heard) {
        v.sending = false;
        v.unheard = heard === "" ? v.unheard + 1 : 0;
        if (v.unheard >= MAX_UNHEARD_IN_A_ROW) setNote(TOO_MANY_UNHEARD, false);
        else if (ok && v.handsFree && listener) wantToListen();
        sync();
      },
      /** The coach started or stopped speaking: pause, or (hands-free) listen once it is quiet. */
      speakerChanged(playing) {
        if (!playing && v.handsFree && listener && !v.want && !v.sending && !hooks.busy() &&
            v.unheard < MAX_UNHEARD_IN_A_ROW) {
          wantToListen();
        }
        if (playing || !v.want) {
          sync();
          return;
        }
        render();
        window.clearTimeout(v.resumeTimer);
        v.resumeTimer = window.setTimeout(sync, LISTEN_AFTER_SPEECH_MS);
      },
      restore() {
        setHandsFree(store.get(KEYS.handsFree, false) === true);
        render();
      },
    };
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
      talk: $("talk"),
      handsFree: $("hands-free"),
      voice: $("voice"),
      voiceStatus: $("voice-status"),
      voiceLevel: $("voice-level-fill"),
      timer: $("timer"),
      timerStop: $("timer-stop"),
      timerClose: $("timer-close"),
    };
    // articles stays null until /api/articles has answered (or failed).
    const state = Object.assign(loadSaved(), { articles: null, busy: false });
    let voice = null; // created below; the speaker reports to it from the first clip
    const speaker = createSpeaker(ui.player, {
      blockedChanged(blocked) { ui.audioHint.hidden = !blocked; },
      playingChanged(playing) { if (voice) voice.speakerChanged(playing); },
    });
    voice = createVoice(ui, speaker, {
      busy: () => state.busy,
      utterance: (wav) => { sendVoice(wav); },
    });
    const hold = window.CoachTimer.createHoldTimer({
      panel: ui.timer,
      elapsed: $("timer-elapsed"),
      total: $("timer-total"),
      arc: $("timer-arc"),
      note: $("timer-note"),
      stop: ui.timerStop,
      close: ui.timerClose,
    }, {
      say: (url) => speaker.add(url, "count"),
      finished: timeIsUp,
      changed(_running, hadFocus) {
        renderSuggestions();
        if (hadFocus) ui.input.focus();
      },
    });

    /* --- persistence --- */

    function save() {
      state.transcript = state.transcript.slice(-MAX_SAVED_ENTRIES);
      store.set(KEYS.session, state.session);
      store.set(KEYS.transcript, state.transcript);
      store.set(KEYS.progress, state.progress);
      store.set(KEYS.suggestions, state.suggestions);
      store.set(KEYS.offer, state.offer);
    }

    function forget() {
      [KEYS.session, KEYS.transcript, KEYS.progress, KEYS.suggestions, KEYS.offer]
        .forEach(store.remove);
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

    // The server's chips, with the current step's offer ("Start timer", "Done") second, after
    // the main "Next"; "Start timer" is left out while the timer runs.
    function suggestionLabels() {
      const labels = (state.suggestions || defaultSuggestions()).slice();
      const chip = state.offer ? state.offer.chip : null;
      const counting = chip === "Start timer" && hold.running;
      if (chip && !counting && !labels.includes(chip)) labels.splice(Math.min(1, labels.length), 0, chip);
      return labels;
    }

    // Keeps keyboard focus on the quick replies when they are rebuilt, preferring the same
    // label (so pressing Enter on "Next" again moves on again).
    function renderSuggestions() {
      const focused = ui.chips.contains(document.activeElement)
        ? document.activeElement.dataset.message : null;
      const labels = suggestionLabels();
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
      ui.talk.setAttribute("aria-disabled", value);
      ui.chips.querySelectorAll("button").forEach((b) => b.setAttribute("aria-disabled", value));
      ui.typing.hidden = !state.busy;
      ui.transcript.setAttribute("aria-busy", value);
    }

    /* --- talking to the server --- */

    // 4xx and 5xx answers are {"error": "..."}, written for the person: fromServer marks them.
    async function readReply(response) {
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        const said = body && typeof body.error === "string" ? body.error : null;
        const error = new Error(said || response.statusText || "error " + response.status);
        error.fromServer = said !== null;
        throw error;
      }
      if (!body || !Array.isArray(body.messages)) throw new Error("unexpected answer");
      return body;
    }

    async function postChat(message) {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ message: message, session: state.session }),
      });
      return readReply(response);
    }

    // The token goes in a header, never the URL, where access logs would keep it.
    async function postListen(wav) {
      const headers = { "Content-Type": "audio/wav", Accept: "application/json" };
      if (state.session) headers["X-Session"] = state.session;
      const response = await fetch("/api/listen", { method: "POST", headers: headers, body: wav });
      return readReply(response);
    }

    // The offer belongs to the step that made it: it goes when the person moves on.
    function updateOffer(messages) {
      const offer = OFFERS.find((o) => messages.some((m) => m.text.includes(o.marker)));
      const here = state.progress;
      if (offer && here) {
        state.offer = { chip: offer.chip, exercise: here.exercise, step: here.step };
      } else if (!here || !state.offer ||
          state.offer.exercise !== here.exercise || state.offer.step !== here.step) {
        state.offer = null;
      }
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
      updateOffer(messages);
      if (reply.cancel_timer === true) hold.cancel();
      if (reply.pause_timer === true) hold.pause();
      if (reply.resume_timer === true) hold.resume();
      if (reply.timer) hold.start(reply.timer);
      renderProgress();
      renderSuggestions();
      if (nodes.length > 0) scrollToMessage(nodes[0]);
      announce(entries.map(spokenText).join(" "));
      speaker.say(messages.map((m) => m.audio).filter((url) => typeof url === "string"));
      save();
    }

    function showError(text) {
      const node = appendEntry({ from: "bot", kind: "error", text: text });
      scrollToMessage(node);
      announce(text);
      save();
    }

    function timeIsUp(text) {
      appendEntry({ from: "bot", kind: "info", text: text });
      scrollToBottom();
      announce(text);
      save();
    }

    // Must run synchronously up to the first await: unlock() needs the user gesture.
    async function send(text) {
      const message = text.trim();
      if (message === "" || state.busy) return;
      state.busy = true; // first, so that stopping the speech does not start hands-free listening
      voice.cancel();
      speaker.stop();
      speaker.unlock();
      appendEntry({ from: "user", text: message });
      save();
      markBusy();
      scrollToBottom();
      let ok = false;
      try {
        showReply(await postChat(message));
        ok = true;
      } catch (err) {
        showError("Sorry, I could not answer that (" + err.message + "). Please try again.");
      } finally {
        state.busy = false;
        markBusy();
        voice.replied(ok, null);
      }
    }

    // What was heard goes into the transcript as the person's message, before the reply.
    async function sendVoice(wav) {
      if (state.busy) {
        voice.replied(false, null);
        return;
      }
      state.busy = true;
      markBusy();
      let ok = false;
      let heard = null;
      try {
        const reply = await postListen(wav);
        heard = typeof reply.transcript === "string" ? reply.transcript.trim() : "";
        if (heard !== "") appendEntry({ from: "user", text: heard, via: "voice" });
        showReply(reply);
        ok = true;
      } catch (err) {
        showError(err.fromServer
          ? "Sorry, I could not use that recording: " + err.message
          : "Sorry, I could not use that recording (" + err.message + "). " +
            "Please try again, or type instead.");
      } finally {
        state.busy = false;
        markBusy();
        voice.replied(ok, heard);
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
      voice.cancel();
      hold.cancel();
      speaker.stop();
      Object.assign(state, {
        session: null, transcript: [], progress: null, suggestions: null, offer: null,
      });
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
    ui.talk.addEventListener("click", () => voice.talk());
    ui.handsFree.addEventListener("click", () => voice.toggleHandsFree());
    // Stop the clock at once; the server is told too, so it stops offering "stop timer".
    ui.timerStop.addEventListener("click", () => {
      hold.cancel();
      send("stop timer");
    });
    ui.timerClose.addEventListener("click", () => hold.cancel());
    ui.newConversation.addEventListener("click", newConversation);
    document.querySelectorAll('input[name="speed"]').forEach((radio) => {
      radio.addEventListener("change", () => setRate(radio.value));
    });
    // Any gesture resumes speech the browser refused to start; Escape stops it and listening.
    document.addEventListener("click", () => speaker.unlock(), true);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        speaker.stop();
        voice.cancel();
      } else {
        speaker.unlock();
      }
    }, true);

    voice.restore();
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
