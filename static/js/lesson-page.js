// A lesson's page: its run (sim-embed.js), or, with an exercise, the editor and its runs
// (editor-embed.js), loaded only where needed; the captions that follow the run; and the
// exercise's "Check my solution" and "Show a solution". The prediction and the quiz are plain
// forms that htmx posts: they need nothing from here.

import { Captions } from "./captions.js";
import { post } from "./editor-io.js";

const root = document.querySelector("[data-lesson-run]");
const json = (id) => JSON.parse(document.getElementById(id).textContent);

// The captions listen before the run's connection opens, so that they hear its first snapshot.
new Captions(root, document.querySelector("[data-captions]"), json("lesson-captions"));

if (root.dataset.startRun) {
  const { embedEditor } = await import("./editor-embed.js");
  const editor = embedEditor(root, json("editor-start"), {
    draftKey: root.dataset.draftKey,
    startRun: root.dataset.startRun,
  });
  exercise(editor, document.querySelector("[data-exercise]"));
} else {
  const { embedRun } = await import("./sim-embed.js");
  embedRun(root);
}

function exercise(editor, section) {
  const part = (name) => section.querySelector(`[data-exercise="${name}"]`);
  const result = part("result");
  part("open").addEventListener("click", () => {
    editor.setMode("edit");
    root.scrollIntoView({ block: "start" });
  });
  part("check").addEventListener("click", async () => {
    result.textContent = "Checking…";
    const { status, body } = await post(section.dataset.checkUrl, editor.doc);
    showResult(result, status, body);
    if (body.solution) offerSolution(body.solution);
  });
  if (section.dataset.solutionUrl) offerSolution(section.dataset.solutionUrl);

  function offerSolution(url) {
    const button = part("solution");
    button.hidden = false;
    button.onclick = async () => {
      const response = await fetch(url, { credentials: "same-origin" }).catch(() => null);
      if (!response?.ok) {
        result.textContent = "The solution could not be loaded: offline?";
        return;
      }
      editor.setMode("edit", { focus: false });
      editor.replace(await response.json(), "Loaded a solution into the editor: compare it with yours, or Undo to get yours back.");
      root.scrollIntoView({ block: "start" });
    };
  }
}

function showResult(result, status, body) {
  const heading = document.createElement("p");
  heading.className = "exercise-verdict";
  const list = document.createElement("ul");
  list.className = "exercise-criteria";
  if (status === 200) {
    const held = body.criteria.filter((c) => c.holds).length;
    heading.textContent = body.solved
      ? "Solved: everything the exercise asks for holds."
      : `Not yet: ${held} of ${body.criteria.length} hold.`;
    for (const criterion of body.criteria) {
      const item = document.createElement("li");
      item.className = criterion.holds ? "criterion criterion--holds" : "criterion criterion--missing";
      const mark = document.createElement("strong");
      mark.textContent = criterion.holds ? "Holds: " : "Missing: ";
      item.append(mark, criterion.text);
      list.append(item);
    }
  } else {
    heading.textContent = status === 0
      ? "The check did not answer: offline?"
      : "The engine cannot run this topology yet, so it was not checked:";
    for (const { path, message } of body.problems ?? []) {
      const item = document.createElement("li");
      item.textContent = path ? `${path}: ${message}` : message;
      list.append(item);
    }
  }
  result.replaceChildren(heading, list);
}
