/* Meeting mode (morning and weekly meeting): one rep per screen. The arrow keys (and
   Page Up / Page Down, as a presenter's clicker sends them) or the visible buttons move
   between reps; the position is kept in the address (#rep-3) so a reload stays put.
   Two timers: the whole meeting (kept for the browser tab, so a reload does not reset
   it) and the current rep, which turns red past the deck's data-budget seconds. */
(function () {
  "use strict";
  var deck = document.querySelector("[data-deck]");
  if (!deck) { return; }
  var slides = Array.prototype.slice.call(deck.querySelectorAll("[data-slide]"));
  var counter = deck.querySelector("[data-slide-counter]");
  var prev = deck.querySelector("[data-slide-prev]");
  var next = deck.querySelector("[data-slide-next]");
  var total = deck.querySelector("[data-timer-total]");
  var current = deck.querySelector("[data-timer-slide]");
  var budget = parseInt(deck.dataset.budget || "0", 10);
  var index = 0;
  var slideStart = Date.now();
  var key = "meeting-start:" + window.location.pathname + window.location.search;
  var meetingStart = Date.now();
  try {
    var kept = parseInt(window.sessionStorage.getItem(key) || "", 10);
    if (kept && Date.now() - kept < 6 * 3600 * 1000) { meetingStart = kept; }
    window.sessionStorage.setItem(key, String(meetingStart));
  } catch (e) { /* private mode: the timer starts with the page */ }

  function show(n) {
    if (!slides.length) { return; }
    index = Math.max(0, Math.min(slides.length - 1, n));
    slides.forEach(function (slide, i) { slide.classList.toggle("d-none", i !== index); });
    if (counter) { counter.textContent = (index + 1) + " / " + slides.length; }
    if (prev) { prev.disabled = index === 0; }
    if (next) { next.disabled = index === slides.length - 1; }
    if (window.history.replaceState) { window.history.replaceState(null, "", "#rep-" + (index + 1)); }
    slideStart = Date.now();
    tick();
  }

  function clock(ms) {
    var s = Math.floor(ms / 1000);
    var m = Math.floor(s / 60);
    return (m < 10 ? "0" : "") + m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
  }

  function tick() {
    var now = Date.now();
    if (total) { total.textContent = clock(now - meetingStart); }
    if (current) {
      current.textContent = clock(now - slideStart);
      current.classList.toggle("text-danger", budget > 0 && now - slideStart > budget * 1000);
    }
  }

  if (prev) { prev.addEventListener("click", function () { show(index - 1); }); }
  if (next) { next.addEventListener("click", function () { show(index + 1); }); }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var t = event.target;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) { return; }
    if (event.key === "ArrowRight" || event.key === "PageDown") { event.preventDefault(); show(index + 1); }
    if (event.key === "ArrowLeft" || event.key === "PageUp") { event.preventDefault(); show(index - 1); }
    if (event.key === "Home") { event.preventDefault(); show(0); }
    if (event.key === "End") { event.preventDefault(); show(slides.length - 1); }
  });
  var match = /^#rep-(\d+)$/.exec(window.location.hash);
  show(match ? parseInt(match[1], 10) - 1 : 0);
  window.setInterval(tick, 1000);
})();
