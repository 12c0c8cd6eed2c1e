/* The speaking-rate control: radios named "speed" whose values are the server's rate names.
 *
 * The conversation's rate lives on the server, which speaks each reply at it and reports it in
 * every reply ("rate"). The control shows that rate, so saying "slower" moves it. When the
 * person picks another one, it is sent with the next chat request, and the server keeps it.
 */
import { KEYS, store } from "./store.js";

export class SpeakingRate {
  constructor(radios) {
    this.radios = Array.from(radios);
    const checked = this.radios.find((radio) => radio.checked);
    this.chosen = this.valid(store.get(KEYS.rate, null)) || (checked ? checked.value : null);
    this.known = this.valid(store.get(KEYS.serverRate, null)); // the last reply's rate
    this.radios.forEach((radio) => radio.addEventListener("change", () => this.choose(radio.value)));
    this.render();
  }

  /** The person's choice while the server has not taken it yet, else null. */
  get pending() {
    return this.chosen !== this.known ? this.chosen : null;
  }

  /** A reply said the conversation's rate. sent: this request carried the pending choice.
   * A reply that did not carry it and left the rate as it was keeps the choice pending. */
  replied(rate, sent) {
    const now = this.valid(rate);
    if (now === null) return;
    const before = this.known;
    this.known = now;
    if (sent || this.chosen === before || (before !== null && now !== before)) this.chosen = now;
    this.render();
    this.save();
  }

  /** A new conversation starts at the server's default: the next chat carries the choice. */
  forget() {
    this.known = null;
    this.save();
  }

  choose(value) {
    this.chosen = this.valid(value) || this.chosen;
    this.render();
    this.save();
  }

  valid(value) {
    return this.radios.some((radio) => radio.value === value) ? value : null;
  }

  render() {
    this.radios.forEach((radio) => { radio.checked = radio.value === this.chosen; });
  }

  save() {
    store.set(KEYS.rate, this.chosen);
    store.set(KEYS.serverRate, this.known);
  }
}
