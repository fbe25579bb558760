// Feedback on one prediction to POST /v1/feedback: label verdicts carry every correction so far
// (the latest verdict is the one that counts); retrieval feedback is sent as outcome "rated".
import { call } from "./api.js";
import { t } from "./i18n.js";
import { say } from "./dom.js";
import { report } from "./ui.js";

export class Feedback {
  constructor(predictionId) {
    this.predictionId = predictionId;
    this.corrections = {};
    this.done = new Set(); // retrieval feedback already stored (kept when the page redraws)
  }

  /** Accept the labels as shown now (predicted, or as corrected). */
  accept(button, status) {
    return this.send(this.verdict(), button, status);
  }

  /** Correct `target` to `label` (a label of the model's own set); the predicted label undoes it. */
  correct(target, label, predicted, button, status) {
    if (label === predicted) delete this.corrections[target];
    else this.corrections[target] = label;
    return this.send(this.verdict(), button, status);
  }

  /** The similar ticket `ticketId` solved it. */
  solvedBy(ticketId, button, status) {
    return this.send({ outcome: "rated", solved_by_ticket_id: ticketId }, button, status, `ticket:${ticketId}`);
  }

  /** KB article `articleId` helped (true) or was not relevant (false). */
  rateArticle(articleId, helpful, button, status) {
    return this.send({ outcome: "rated", kb_article_id: articleId, kb_helpful: helpful }, button, status, `kb:${articleId}`);
  }

  verdict() {
    const corrected = Object.keys(this.corrections).length > 0;
    return { outcome: corrected ? "corrected" : "accepted", corrections: { ...this.corrections } };
  }

  /** POST it; the status line says it was stored, or what to do. With `once` (a key of
   *  `done`), the button stays off afterwards: a rating is counted once. */
  async send(fields, button, status, once = "") {
    button.disabled = true;
    say(status, t("sending"));
    try {
      const stored = await call("POST", "v1/feedback", { body: { prediction_id: this.predictionId, ...fields } });
      say(status, t("stored", { id: stored.feedback_id }), "ok");
      button.disabled = Boolean(once);
      if (once) this.done.add(once);
      return true;
    } catch (error) {
      report(error, status);
      button.disabled = false;
      return false;
    }
  }
}
