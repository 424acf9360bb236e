/* SalesOps page helpers: htmx defaults and small keyboard conveniences.
 *
 * The Content-Security-Policy forbids inline scripts and inline event handlers, so
 * behaviour that templates used to put in onchange=/onclick= is declared with data
 * attributes and wired here, for the page and for content htmx swaps in later:
 * - data-autosubmit on a form field submits its form when the value changes;
 * - data-confirm="question" on a button or link asks before the click goes through.
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      if (typeof field.form.requestSubmit === "function") { field.form.requestSubmit(); } else { field.form.submit(); }
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.createElement("div");
    box.className = "alert alert-danger m-3";
    box.setAttribute("role", "alert");
    box.textContent = (event.detail.xhr && event.detail.xhr.status === 403)
      ? (document.documentElement.lang === "en" ? "You may not do that." : "您无权执行此操作。")
      : (document.documentElement.lang === "en" ? "Something went wrong; please try again." : "出错了，请重试。");
    document.getElementById("main").prepend(box);
  });
})();
/* Phones first: a filter form marked data-phone-fold="label" folds behind a button on
 * narrow screens (the CSS hides .phone-folded below 768 px; wider screens always show
 * the form). The button counts the filters in use, and a form with errors stays open. */
(function () {
  "use strict";
  var serial = 0;
  function inUse(form) {
    var n = 0;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "button") { return; }
      if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value) { n += 1; }
    });
    return n;
  }
  function fold(form) {
    if (form.dataset.phoneFolded) { return; }
    form.dataset.phoneFolded = "1";
    if (!form.id) { serial += 1; form.id = "phone-fold-" + serial; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm mb-2 phone-fold-toggle";
    button.setAttribute("aria-controls", form.id);
    button.setAttribute("data-testid", "filters-toggle");
    var count = inUse(form);
    button.innerHTML = '<i class="bi bi-funnel" aria-hidden="true"></i> ';
    button.appendChild(document.createTextNode(form.dataset.phoneFold + (count ? " (" + count + ")" : "")));
    var open = !!form.querySelector(".is-invalid, .text-danger, .invalid-feedback");
    form.classList.toggle("phone-folded", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.addEventListener("click", function () {
      var folded = form.classList.toggle("phone-folded");
      button.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    form.parentNode.insertBefore(button, form);
  }
  function init() { document.querySelectorAll("form[data-phone-fold]").forEach(fold); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
/* A check box with data-check-all="name" ticks or clears every check box of that name in
 * its form (bulk changes of customers). */
document.addEventListener("change", function (event) {
  "use strict";
  var all = event.target;
  if (!all || !all.matches || !all.matches("[data-check-all]") || !all.form) { return; }
  all.form.querySelectorAll('input[type=checkbox][name="' + all.dataset.checkAll + '"]').forEach(function (box) {
    box.checked = all.checked;
  });
});
/* The @mention picker of every comment thread (journal, weekly and team reports): a
 * picked name goes into the comment at the cursor. */
(function () {
  "use strict";
  /* --- @mention picker: a picked name goes into the comment at the cursor --- */
  document.addEventListener("click", function (event) {
    var pick = event.target.closest && event.target.closest("[data-mention-pick]");
    if (!pick) { return; }
    var form = pick.closest("form");
    var box = form && form.querySelector("textarea[name=text]");
    if (!box) { return; }
    var word = "@" + pick.getAttribute("data-mention-pick") + " ";
    var at = box.selectionStart == null ? box.value.length : box.selectionStart;
    var before = box.value.slice(0, at);
    if (before && !/\s$/.test(before)) { word = " " + word; }
    box.value = before + word + box.value.slice(at);
    box.focus();
    box.selectionStart = box.selectionEnd = (before + word).length;
    var results = form.querySelector("#mention-results");
    if (results) { results.innerHTML = ""; }
    var q = form.querySelector("#mention-q");
    if (q) { q.value = ""; }
  });
})();
/* The global search box in the menu (templates/base.html): "/" focuses it from anywhere but
 * a field; Escape closes its live suggestions (and leaves the box); a click elsewhere closes
 * them; Arrow Down moves from the box into the suggestions. */
(function () {
  "use strict";
  function typing(el) {
    if (!el) { return false; }
    var tag = (el.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }
  function box() { return document.getElementById("global-search"); }
  function list() { return document.getElementById("global-search-suggestions"); }
  function close() { var l = list(); if (l) { l.innerHTML = ""; } }
  document.addEventListener("keydown", function (event) {
    var input = box();
    if (!input) { return; }
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      event.preventDefault();
      var menu = document.getElementById("mainnav");
      if (menu && input.offsetParent === null && window.bootstrap) {
        window.bootstrap.Collapse.getOrCreateInstance(menu).show();  // a phone's folded menu
      }
      input.focus();
      input.select();
      return;
    }
    var l = list();
    if (event.key === "Escape" && (event.target === input || (l && l.contains(event.target)))) {
      if (l && l.innerHTML.trim()) { close(); input.focus(); } else if (event.target === input) { input.blur(); }
      return;
    }
    if (event.key === "ArrowDown" && event.target === input && l) {
      var first = l.querySelector("a");
      if (first) { event.preventDefault(); first.focus(); }
      return;
    }
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && l && l.contains(event.target)) {
      var links = Array.prototype.slice.call(l.querySelectorAll("a"));
      var at = links.indexOf(event.target);
      event.preventDefault();
      if (event.key === "ArrowDown" && at < links.length - 1) { links[at + 1].focus(); }
      if (event.key === "ArrowUp") { if (at > 0) { links[at - 1].focus(); } else { input.focus(); } }
    }
  });
  document.addEventListener("click", function (event) {
    var form = event.target && event.target.closest ? event.target.closest(".global-search") : null;
    if (!form) { close(); }
  });
})();
/* A comment deleted in place (htmx, event "comment-deleted"): its thread's count goes down. */
document.body.addEventListener("comment-deleted", function () {
  var badge = document.querySelector("#comments h2 .badge");
  if (!badge) { return; }
  var n = parseInt(badge.textContent, 10);
  if (n > 0) { badge.textContent = String(n - 1); }
});
