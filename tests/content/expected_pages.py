"""What `content.parser.parse_page` must return for each page in `tests/content/pages/`: one JSON
file a page in `tests/content/expected/`, its "why" saying what the page tests.

Rules the values below follow (they are the parser's specification):

* Text is verbatim from the page with whitespace normalised: every run of spaces, tabs and
  newlines becomes one space, and the result is stripped. A step wrapped onto an indented
  continuation line (indented like the step text, with no number) is one step.
* The step numbers ("1.", "2.", ...) are not part of a step's text.
* A multi-paragraph intro is its paragraphs joined with "\n\n".
* Warnings ("Warning" or "Warnings") and tips ("Tips"): one string per paragraph, or one per
  bullet item when the section is a bulleted list; the header word itself is not included.
  They may appear anywhere on the page (after the intro, after the exercises, after
  "Things Needed", just before the footer) and never leak into steps, intro or author.
* "Things Needed": one string per bullet item, without the bullet; () when absent.
* "About the Author": the one paragraph that follows it; None when absent.
* HOW-TO RULE: when numbered steps follow the intro directly with no exercise heading, the
  page is a single-exercise how-to, and the exercise's title is the article title with a
  leading "How to " removed ("How to Do a Wall Sit" -> "Do a Wall Sit").
* None of the site chrome (tagline, category menu, "<icon> Created with Sketch." captions,
  "Cite this Article ...", "Try our awesome promobar!") appears in any field.
"""

from __future__ import annotations

import json
from pathlib import Path

EXPECTED: dict[str, dict] = {
    f"{path.stem}.txt": {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if k != "why"}
    for path in sorted((Path(__file__).parent / "expected").glob("*.json"))
}
