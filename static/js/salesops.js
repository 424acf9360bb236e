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
