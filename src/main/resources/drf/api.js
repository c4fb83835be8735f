// The browsable API's script. Without it the page still works: links, the filter form and the
// HTML create form are plain HTML. With it: the raw data form, OPTIONS, and a bearer token kept
// in sessionStorage (this tab only) and sent with every request the page makes.

const TOKEN_KEY = "task-service.token"; // the dashboard's too: one token per tab
// HTML when the view can answer it, else what it can (?format=json asks for JSON only)
const ACCEPT = "text/html, */*";

const token = () => sessionStorage.getItem(TOKEN_KEY);

function requestHeaders(extra) {
  const headers = new Headers(extra);
  headers.set("Accept", ACCEPT);
  const value = token();
  if (value) {
    headers.set("Authorization", `Bearer ${value}`);
  }
  return headers;
}

/** Sends a request and shows its answer in place of the page. */
async function show(url, init) {
  let response;
  try {
    response = await fetch(url, { ...init, headers: requestHeaders(init.headers) });
  } catch (error) {
    showText(`The request failed: ${error}`);
    return;
  }
  const text = await response.text();
  const type = response.headers.get("Content-Type") || "";
  if (type.startsWith("text/html") && text) {
    const page = new DOMParser().parseFromString(text, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
  } else {
    showText(`HTTP ${response.status} ${response.statusText}\nContent-Type: ${type}\n\n${text}`);
  }
  setUp(false);
}

function showText(text) {
  const pre = document.createElement("pre");
  pre.className = "prettyprint";
  pre.textContent = text;
  const info = document.querySelector(".response-info");
  if (info) {
    info.replaceChildren(pre);
  } else {
    document.body.replaceChildren(pre);
  }
}

function navigate(url) {
  history.pushState({}, "", url);
  show(url, { method: "GET" });
}

function formRequest(form) {
  const method = form.dataset.method;
  if ("raw" in form.dataset) {
    return {
      method,
      headers: { "Content-Type": form.elements._content_type.value },
      body: form.elements._content.value,
    };
  }
  return method === "POST" ? { method, body: new FormData(form) } : { method };
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id === "token-form") {
    event.preventDefault();
    const value = form.elements.token.value.trim();
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
    }
    show(location.href, { method: "GET" });
    return;
  }
  if (form.dataset.method) {
    event.preventDefault();
    show(form.action, formRequest(form));
    return;
  }
  if (token() && form.method === "get") {
    // the filter form: the browser would leave the token behind
    event.preventDefault();
    const url = new URL(form.action, location.href);
    url.search = new URLSearchParams(new FormData(form)).toString();
    navigate(url);
  }
});

document.addEventListener("click", (event) => {
  if (event.target.id === "token-forget") {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
    return;
  }
  const link = event.target.closest("a[href]");
  const plain = event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey;
  if (!link || !token() || !plain) {
    return;
  }
  const url = new URL(link.href, location.href);
  if (url.origin === location.origin && url.pathname.startsWith("/api/")) {
    event.preventDefault();
    navigate(url);
  }
});

window.addEventListener("popstate", () => show(location.href, { method: "GET" }));

/** Shows what needs the script; on first load, repeats a refused request with the token. */
function setUp(firstLoad) {
  for (const form of document.querySelectorAll("form[data-raw]")) {
    form.hidden = false;
  }
  const unauthorized = document.body.dataset.status === "401";
  const tokenForm = document.getElementById("token-form");
  if (tokenForm) {
    tokenForm.hidden = !unauthorized && !token();
    if (token()) {
      tokenForm.elements.token.placeholder = "a token is set for this tab";
    }
  }
  if (firstLoad && unauthorized && token()) {
    show(location.href, { method: "GET" });
  }
}

setUp(true);
