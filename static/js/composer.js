/* How the person sends a message: typed in the box, or a button that carries one (a quick
 * reply, a welcome example). While a reply is on its way the controls say they are busy. */

/** ui: {composer (form), message (input), send, talk, suggestions, welcomeExamples}. */
export class Composer {
  constructor(ui, send, busy) {
    this.ui = ui;
    const fromButton = (event) => {
      const button = event.target.closest("button[data-message]");
      if (button) send(button.dataset.message);
    };
    ui.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = ui.message.value;
      if (text.trim() === "" || busy()) return;
      ui.message.value = "";
      send(text);
    });
    ui.suggestions.addEventListener("click", fromButton);
    ui.welcomeExamples.addEventListener("click", fromButton);
  }

  setBusy(busy) {
    const value = busy ? "true" : "false";
    this.ui.send.setAttribute("aria-disabled", value);
    this.ui.talk.setAttribute("aria-disabled", value);
  }
}
