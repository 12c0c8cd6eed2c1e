/* The JSON API: POST /api/chat, POST /api/listen, GET /api/articles.
 *
 * This module only checks that a reply is one; the page renders its fields as they come.
 * 4xx and 5xx answers are {"error": "..."}, written for the person: the Error thrown for them
 * has fromServer set, so the page can show the server's words.
 */

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

/** A typed (or tapped) message. rate: a rate name the person chose ("slow"), or null to keep
 * the conversation's own. */
export async function postChat(message, session, rate) {
  const body = { message: message, session: session, rate: rate || null };
  const response = await fetch("/api/chat", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  return readReply(response);
}

/** A spoken command as WAV bytes. The token goes in a header, never the URL, where access
 * logs would keep it. */
export async function postListen(wav, session) {
  const headers = { "Content-Type": "audio/wav", Accept: "application/json" };
  if (session) headers["X-Session"] = session;
  const response = await fetch("/api/listen", { method: "POST", headers: headers, body: wav });
  return readReply(response);
}

/** The library, for the welcome: [] when it cannot be had. */
export async function getArticles() {
  try {
    const response = await fetch("/api/articles", { headers: { Accept: "application/json" } });
    const articles = response.ok ? await response.json() : [];
    return Array.isArray(articles) ? articles : [];
  } catch (_err) {
    return [];
  }
}
