// Twilio emulator web inbox: refresh the live region every second, post the inbound form.
(() => {
  "use strict";
  const live = document.getElementById("live");
  const badge = document.getElementById("live-status");
  if (!live) return;
  let hash = live.dataset.hash || "";
  let busy = false;

  function setStatus(ok) {
    if (!badge) return;
    badge.textContent = ok ? "live" : "offline";
    badge.classList.toggle("offline", !ok);
  }

  function swap(html) {
    const open = new Map();
    live.querySelectorAll("details[id]").forEach((d) => open.set(d.id, d.open));
    const thread = document.getElementById("thread");
    const pinned = !thread || thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
    const scrolls = {};
    live.querySelectorAll("[aria-label]").forEach((el) => { scrolls[el.getAttribute("aria-label")] = el.scrollTop; });
    live.innerHTML = html;
    live.querySelectorAll("details[id]").forEach((d) => { if (open.has(d.id)) d.open = open.get(d.id); });
    live.querySelectorAll("[aria-label]").forEach((el) => {
      const top = scrolls[el.getAttribute("aria-label")];
      if (top !== undefined) el.scrollTop = top;
    });
    const fresh = document.getElementById("thread");
    if (fresh && pinned) fresh.scrollTop = fresh.scrollHeight;
  }

  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      const url = new URL(live.dataset.src, window.location.href);
      url.searchParams.set("h", hash);
      const r = await fetch(url, { headers: { Accept: "text/html" }, cache: "no-store" });
      if (r.status === 200) {
        const html = await r.text();
        hash = r.headers.get("X-UI-Hash") || "";
        swap(html);
      }
      setStatus(r.status === 200 || r.status === 204);
    } catch (e) {
      setStatus(false);
    } finally {
      busy = false;
    }
  }

  const thread = document.getElementById("thread");
  if (thread) thread.scrollTop = thread.scrollHeight;
  window.setInterval(refresh, 1000);

  const form = document.getElementById("inbound-form");
  const note = document.getElementById("form-msg");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const r = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
      });
      const data = await r.json().catch(() => ({ error: "HTTP " + r.status }));
      if (r.ok) {
        note.textContent = "Received as " + data.sid;
        note.className = "form-msg ok";
        form.elements.body.value = "";
        form.elements.media_url.value = "";
        if (data.url) {  // show the conversation the message landed in
          live.dataset.src = data.url.replace("/_emulator/ui?", "/_emulator/ui/live?");
          window.history.replaceState(null, "", data.url);
        }
        refresh();
      } else {
        note.textContent = data.error || "HTTP " + r.status;
        note.className = "form-msg error";
        const field = data.field && form.elements[data.field];
        if (field && field.focus) field.focus();
      }
    } catch (e) {
      note.textContent = "The emulator did not answer: " + e;
      note.className = "form-msg error";
    } finally {
      if (button) button.disabled = false;
    }
  });
  form.elements.body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
