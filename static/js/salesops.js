/* SalesOps page helpers: htmx defaults and small keyboard conveniences. */
(function () {
  "use strict";
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
