// The editor's requests to the server (JSON with the CSRF token, as every POST must carry) and
// its files: Export downloads the document, Import and a file dropped on the canvas read one.

const MAX_BYTES = 64 * 1024; // the server's limit too (simulator/topologies.py)

function csrfToken() {
  // base.html puts the token where htmx also reads it: <body hx-headers='{"X-CSRFToken": …}'>
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") ?? "{}")["X-CSRFToken"] ?? "";
  } catch {
    return "";
  }
}

// { status, body } of a POST of `document` as JSON; a network failure is status 0.
export async function post(url, document) {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(document),
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => ({}));
    return { status: response.status, body };
  } catch {
    return { status: 0, body: {} };
  }
}

export function fileName(doc) {
  const slug = (doc.name ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug || "topology"}.json`;
}

export function download(doc) {
  const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = fileName(doc);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// The JSON in a file, or { problems } saying why there is none.
export async function readFile(file) {
  const where = file.name || "the file";
  if (file.size > MAX_BYTES) {
    const kb = Math.ceil(file.size / 1024);
    return { problems: [{ path: "", message: `${where} is ${kb} KB; a topology may be at most 64 KB` }] };
  }
  try {
    return { data: JSON.parse(await file.text()) };
  } catch (error) {
    return { problems: [{ path: "", message: `${where} is not JSON: ${error.message}` }] };
  }
}
