/* The welcome shown before the first message, and the progress bar while an exercise is guided. */
import { getArticles } from "./api.js";
import { chipButton } from "./chips.js";
import { el } from "./transcript.js";

// Ways of asking, shown as buttons under "Try asking": the page's own examples of phrasing.
const EXAMPLES = Object.freeze(["How do I do the cobra stretch?", "What do I need?", "Next step"]);

function exerciseList(article) {
  const list = el("ul");
  (article.exercises || []).forEach((exercise) => {
    const item = el("li", null, exercise.title);
    const count = (exercise.steps || []).length;
    if (count > 0) item.append(el("span", "step-count", " · " + count + " steps"));
    list.append(item);
  });
  return list;
}

function examples() {
  return EXAMPLES.map((text) => {
    const item = el("li");
    item.append(chipButton(text, false));
    return item;
  });
}

/** The welcome: the library's exercises (from /api/articles) and ways of asking.
 * ui: {welcome, welcomeExercises, welcomeExamples}. */
export class Welcome {
  constructor(ui) {
    this.ui = ui;
    this.articles = [];
  }

  /** Fetch the library, then show it; hidden(): whether the welcome is out of the way now. */
  async load(hidden) {
    this.articles = await getArticles();
    this.render(hidden());
  }

  render(hidden) {
    const ui = this.ui;
    ui.welcomeExercises.replaceChildren();
    this.articles.forEach((article) => {
      if ((article.exercises || []).length === 0) return;
      ui.welcomeExercises.append(el("h3", null, "Exercises from “" + article.title + "”"),
        exerciseList(article));
    });
    ui.welcomeExamples.replaceChildren(...examples());
    ui.welcome.hidden = hidden;
  }
}

/** ui: {progress, progressLabel, progressFill}; progress: the reply's, or null. */
export function renderProgress(ui, progress) {
  ui.progress.hidden = !progress;
  if (!progress) return;
  ui.progressLabel.textContent =
    progress.exercise + " · step " + progress.step + " of " + progress.total;
  const ratio = Math.min(1, Math.max(0, progress.step / progress.total));
  ui.progressFill.style.width = (ratio * 100).toFixed(1) + "%";
}
