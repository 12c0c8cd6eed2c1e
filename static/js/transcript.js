/* The transcript: what the person said and what the coach answered, as list items.
 *
 * Every piece of text from the server or from the person is inserted with textContent: nothing
 * is ever parsed as HTML. A coach message is shown as the server sent it: its `heading` (if
 * any) as a label on a line of its own, its `body` as the text.
 */

const KNOWN_KINDS = Object.freeze(["warning", "step", "answer", "question", "complete", "info", "error"]);
const CALLOUTS = Object.freeze({
  warning: Object.freeze({ icon: "warning", title: "Safety warning" }),
  complete: Object.freeze({ icon: "check", title: "Exercise complete" }),
});
const SVG_NS = "http://www.w3.org/2000/svg";
// Screen readers may skip a live region whose text changes twice in one task.
const ANNOUNCE_DELAY_MS = 50;

export function el(tag, className, text) {
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

const optionalText = (value) => (typeof value === "string" ? value : null);

/** A transcript entry (what is saved) for one message of a reply. */
export function botEntry(message) {
  return {
    from: "bot",
    kind: message.kind,
    text: message.text,
    heading: optionalText(message.heading),
    body: optionalText(message.body),
  };
}

export function isEntry(value) {
  return Boolean(value) && typeof value.text === "string" &&
    (value.from === "user" || value.from === "bot");
}

/** What the announcer reads for an entry: a safety warning says it is one. */
export function spokenText(entry) {
  return entry.kind === "warning" ? CALLOUTS.warning.title + ". " + entry.text : entry.text;
}

function calloutItem(kind, body) {
  const { icon: iconName, title } = CALLOUTS[kind];
  const item = el("li", "callout callout-" + kind);
  const content = el("div");
  content.append(el("p", "callout-title", title), el("p", "callout-body", body));
  item.append(icon(iconName), content);
  return item;
}

function bubble(kind, heading, body) {
  const item = el("li", "msg msg-bot msg-" + kind);
  if (heading === null) {
    item.append(el("span", "visually-hidden", "Coach: "), document.createTextNode(body));
  } else {
    item.append(el("span", "step-label", heading), el("span", "visually-hidden", ": "),
      document.createTextNode(body));
  }
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

function userItem(entry) {
  if (entry.via === "voice") return heardBubble(entry.text);
  const item = el("li", "msg msg-user");
  item.append(el("span", "visually-hidden", "You said: "), document.createTextNode(entry.text));
  return item;
}

function botItem(entry) {
  const kind = KNOWN_KINDS.includes(entry.kind) ? entry.kind : "info";
  const body = optionalText(entry.body) ?? entry.text; // entries saved before "body" existed
  const item = CALLOUTS[kind]
    ? calloutItem(kind, body) : bubble(kind, optionalText(entry.heading), body);
  item.dataset.kind = kind;
  return item;
}

export function renderEntry(entry) {
  const item = entry.from === "user" ? userItem(entry) : botItem(entry);
  item.dataset.from = entry.from;
  return item;
}

/** The conversation on screen. ui: {transcript, messages, welcome, announcer}. */
export class Transcript {
  constructor(ui) {
    this.ui = ui;
    this.added = { entries: [], nodes: [] }; // the last reply's messages
  }

  show(entries) {
    this.ui.messages.replaceChildren(...entries.map(renderEntry));
    this.scrollToBottom();
  }

  append(entry) {
    const node = renderEntry(entry);
    this.ui.messages.appendChild(node);
    this.ui.welcome.hidden = true;
    return node;
  }

  /** A reply's messages, each with its clip's URL in data-audio; their entries, to save. */
  addMessages(messages) {
    const shown = messages.filter((m) => m && typeof m.text === "string");
    const entries = shown.map(botEntry);
    const nodes = entries.map((entry) => this.append(entry));
    shown.forEach((m, i) => { if (typeof m.audio === "string") nodes[i].dataset.audio = m.audio; });
    this.added = { entries, nodes };
    return entries;
  }

  /** Scroll to the first of the messages just added, and have them read out. */
  reveal() {
    const { entries, nodes } = this.added;
    if (nodes.length > 0) this.scrollTo(nodes[0]);
    this.announce(entries.map(spokenText).join(" "));
  }

  scrollToBottom() {
    this.ui.transcript.scrollTop = this.ui.transcript.scrollHeight;
  }

  // Bring the first new message (often the safety warning) to the top, or as far as it goes.
  scrollTo(node) {
    this.ui.transcript.scrollTop = Math.max(0, node.offsetTop - 12);
  }

  announce(text) {
    const announcer = this.ui.announcer;
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, ANNOUNCE_DELAY_MS);
  }

  setBusy(busy) {
    this.ui.typing.hidden = !busy;
    this.ui.transcript.setAttribute("aria-busy", busy ? "true" : "false");
  }
}
