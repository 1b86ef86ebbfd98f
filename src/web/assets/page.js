// Swaps in the view the server pushes (server-sent events): rendered and escaped on the server,
// so this script never builds markup from data. Without it the page reloads itself every 5 s.
(() => {
  "use strict";
  const view = document.getElementById("view");
  const live = document.getElementById("live");
  if (!view || !live || typeof EventSource !== "function") return;
  const say = (text, state) => {
    live.textContent = text;
    live.dataset.state = state;
  };
  const events = new EventSource("ui/events");
  events.addEventListener("view", (event) => {
    view.innerHTML = event.data;
    say(`live · updated ${new Date().toLocaleTimeString()}`, "live");
  });
  events.addEventListener("open", () => say("live", "live"));
  events.addEventListener("error", () => say("reconnecting…", "lost"));
})();
