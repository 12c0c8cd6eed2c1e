/* Quick replies: the server's suggestions and offers, as buttons that send their label.
 *
 * Nothing here decides what to suggest: the labels are the reply's `suggestions` (or, before
 * any reply, the server's first ones in <body data-suggestions>) and its `offers`.
 */
import { el } from "./transcript.js";

/** The quick replies before any reply: the server renders them into the page. */
export function initialSuggestions() {
  try {
    const list = JSON.parse(document.body.dataset.suggestions || "[]");
    return Array.isArray(list) ? list.filter((label) => typeof label === "string") : [];
  } catch (_err) {
    return [];
  }
}

/**
 * The labels to show. While an exercise is guided, the step's offers ("Start timer", "Done")
 * come second, right after the first suggestion; the timer's own offer is left out while the
 * page's hold timer runs, since the page owns that clock.
 */
export function quickReplyLabels({ suggestions, offers, guiding, holdRunning }) {
  const labels = suggestions.slice();
  if (!guiding) return labels;
  const offered = offers
    .filter((offer) => !(offer.intent === "start_timer" && holdRunning))
    .map((offer) => offer.label)
    .filter((label) => !labels.includes(label));
  labels.splice(Math.min(1, labels.length), 0, ...offered);
  return labels;
}

/** A button that sends its label as the person's message. */
export function chipButton(label, main) {
  const button = el("button", main ? "btn chip chip-main" : "btn chip", label);
  button.type = "button";
  button.dataset.message = label;
  return button;
}

/** The row of quick replies under the message box. */
export class QuickReplies {
  constructor(container, fallbackFocus) {
    this.container = container;
    this.fallbackFocus = fallbackFocus;
  }

  /** Keeps keyboard focus on the quick replies when they are rebuilt, preferring the same
   * label (so pressing Enter on "Next" again moves on again). mainFirst: the first one is the
   * main way on (drawn stronger) while an exercise is guided. */
  render(labels, mainFirst) {
    const active = document.activeElement;
    const focused = this.container.contains(active) ? active.dataset.message : null;
    const buttons = labels.map((label, i) => chipButton(label, mainFirst && i === 0));
    this.container.replaceChildren(...buttons);
    if (focused === null) return;
    const same = buttons.find((button) => button.dataset.message === focused);
    (same || buttons[0] || this.fallbackFocus).focus();
  }

  setBusy(busy) {
    this.container.querySelectorAll("button")
      .forEach((button) => button.setAttribute("aria-disabled", busy ? "true" : "false"));
  }
}
