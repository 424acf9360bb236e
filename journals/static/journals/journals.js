/* Journals: customer picker, autosave with a local backup (no lost work when the phone
   sleeps), check-in with the browser's geolocation, one-click prefill from the plan,
   keyboard next/previous for supervisors, presentation and print helpers.
   Texts shown to the user come from data-* attributes rendered by the templates (i18n). */
(function () {
  "use strict";

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !el.disabled && el.type !== "file" && el.type !== "submit" &&
        el.type !== "button" && el.name !== "csrfmiddlewaretoken" &&
        (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.type === "text" ||
         el.type === "search" || el.type === "date" || el.type === "time" || el.type === "hidden");
    });
  }

  function snapshot(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) { if (el.name !== "q") { values[el.name] = el.value; } });
    var chosen = form.querySelector("[data-picker-chosen]");
    if (chosen) { values.__chosen = chosen.textContent; }
    return values;
  }

  function backup(form) {
    var key = form.dataset.autosaveKey || form.dataset.backupKey;
    var s = store();
    if (!key || !s) { return; }
    s.setItem(key, JSON.stringify({ t: Date.now(), v: snapshot(form) }));
  }

  function readBackup(key) {
    var s = store();
    if (!key || !s) { return null; }
    try { return JSON.parse(s.getItem(key) || "null"); } catch (e) { return null; }
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  /* --- autosave form: restore what was typed but not saved, then save it --- */
  function restoreAutosave(form) {
    var saved = readBackup(form.dataset.autosaveKey);
    if (!saved || !saved.v) { return; }
    var changed = [];
    fieldsOf(form).forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(saved.v, el.name) && saved.v[el.name] !== el.value) {
        el.value = saved.v[el.name];
        changed.push(el);
      }
    });
    if (!changed.length) { store().removeItem(form.dataset.autosaveKey); return; }
    var notice = form.querySelector("[data-restored]");
    if (notice) { notice.classList.remove("d-none"); }
    if (window.htmx) { window.htmx.trigger(changed[0], "change"); }
  }

  /* --- record forms (plan, visit): refill fields that are empty after a reload --- */
  function restoreBackup(form) {
    var saved = readBackup(form.dataset.backupKey);
    if (!saved || !saved.v) { return; }
    var restored = false;
    fieldsOf(form).forEach(function (el) {
      var value = saved.v[el.name];
      if (value && !el.value) { el.value = value; restored = true; }
    });
    var chosen = form.querySelector("[data-picker-chosen]");
    if (chosen && saved.v.__chosen && !chosen.textContent.trim()) {
      chosen.textContent = saved.v.__chosen;
    }
    if (restored) {
      var notice = form.querySelector("[data-restored]");
      if (notice) { notice.classList.remove("d-none"); }
      var details = form.closest("details");
      if (details) { details.open = true; }
    }
    toggleStage(form);
  }

  function toggleStage(form) {
    var outcome = form && form.querySelector("[data-outcome]");
    if (!outcome) { return; }
    function show(selector, visible) {
      form.querySelectorAll(selector).forEach(function (group) {
        var hasError = group.querySelector(".invalid-feedback");
        group.classList.toggle("d-none", !visible && !hasError);
      });
    }
    show(".new-stage-group", outcome.value === "stage_advanced");
    show(".needs-group", outcome.value === "stage_advanced" || outcome.value === "deal");
  }

  /* A phone call, WeChat or e-mail has no check-in, and is an appointment or a follow-up:
     hide the check-in, drop a captured position and offer only those purposes. */
  function toggleChannel(form) {
    var chosen = form && form.querySelector("[data-channel]:checked");
    if (!chosen) { return; }
    var inPerson = chosen.value === "visit";
    form.querySelectorAll(".checkin-group").forEach(function (group) {
      group.classList.toggle("d-none", !inPerson);
    });
    if (!inPerson) {
      ["latitude", "longitude", "accuracy", "photo"].forEach(function (name) {
        var field = form.querySelector("[name=" + name + "]");
        if (field) { field.value = ""; }
      });
    }
    var purpose = form.querySelector("[data-in-person-only]");
    if (purpose) {
      var only = purpose.dataset.inPersonOnly.split(" ");
      Array.prototype.forEach.call(purpose.options, function (option) {
        option.disabled = !inPerson && only.indexOf(option.value) >= 0;
      });
      if (purpose.selectedOptions.length && purpose.selectedOptions[0].disabled) {
        var first = Array.prototype.find.call(purpose.options, function (o) { return !o.disabled; });
        if (first) { purpose.value = first.value; }
      }
    }
  }

  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) { found.unshift(root); }
    return found;
  }

  function init(root) {
    var s = store();
    within(root, "[data-clear-backup]").forEach(function (el) {
      if (!s) { return; }
      el.dataset.clearBackup.split(" ").forEach(function (key) { if (key) { s.removeItem(key); } });
    });
    within(root, "form[data-autosave-key]").forEach(restoreAutosave);
    within(root, "form[data-backup-key]").forEach(restoreBackup);
    within(root, "form").forEach(toggleStage);
    within(root, "form").forEach(toggleChannel);
    var auto = root.querySelector("[data-autopick]");
    if (auto) { pick(auto); }
  }

  /* --- customer picker --- */
  function pick(button) {
    var picker = button.closest("[data-picker]");
    if (!picker) { return; }
    picker.querySelector("[data-picker-value]").value = button.dataset.pick;
    picker.querySelector("[data-picker-chosen]").textContent = button.dataset.pickLabel;
    var results = picker.querySelector(".picker-results");
    if (results) { results.innerHTML = ""; }
    var search = picker.querySelector("input[type=search]");
    if (search) { search.value = ""; }
    var form = picker.closest("form");
    var planItem = form && form.querySelector("[name=plan_item]");
    if (planItem && planItem.dataset.customer !== button.dataset.pick) {
      // Another customer than the planned one: this is not that plan item's visit.
      planItem.value = "";
      var hint = form.querySelector("[data-preparation-hint]");
      if (hint) { hint.classList.add("d-none"); }
    }
    if (form && form.dataset.backupKey) { backup(form); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-pick]");
    if (target) { event.preventDefault(); pick(target); return; }

    var prefill = event.target.closest("[data-prefill-visit]");
    if (prefill) {
      event.preventDefault();
      var form = document.getElementById("visit-form");
      if (!form) { return; }
      var details = form.closest("details");
      if (details) { details.open = true; }
      form.querySelector("[data-picker-value]").value = prefill.dataset.customer;
      form.querySelector("[data-picker-chosen]").textContent = prefill.dataset.customerLabel;
      form.querySelector("[name=purpose]").value = prefill.dataset.purpose;
      var planField = form.querySelector("[name=plan_item]");
      planField.value = prefill.dataset.planItem;
      planField.dataset.customer = prefill.dataset.customer;
      var hint = form.querySelector("[data-preparation-hint]");
      if (hint) {
        hint.textContent = prefill.dataset.preparation || "";
        hint.classList.toggle("d-none", !prefill.dataset.preparation);
      }
      form.scrollIntoView({ behavior: "smooth", block: "start" });
      var learned = form.querySelector("[name=learned]");
      if (learned) { learned.focus({ preventScroll: true }); }
      return;
    }

    var checkin = event.target.closest("[data-checkin]");
    if (checkin) { event.preventDefault(); locate(checkin); return; }

    var full = event.target.closest("[data-fullscreen]");
    if (full) {
      event.preventDefault();
      if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
      return;
    }
    var printer = event.target.closest("[data-print]");
    if (printer) { event.preventDefault(); window.print(); }
  });

  /* --- check-in: the browser's position with its accuracy --- */
  function locate(button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-checkin-status]");
    function say(text, css) {
      if (status) { status.textContent = text; status.className = "small " + (css || "text-muted"); }
    }
    if (!navigator.geolocation) { say(button.dataset.msgUnsupported, "text-danger"); return; }
    say(button.dataset.msgWait);
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
      form.querySelector("[name=accuracy]").value = Math.round(pos.coords.accuracy);
      say((button.dataset.msgOk || "").replace("{m}", Math.round(pos.coords.accuracy)), "text-success");
      button.disabled = false;
      if (button.dataset.submit !== undefined) { form.requestSubmit(); }
    }, function () {
      say(button.dataset.msgError, "text-danger");
      button.disabled = false;
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  /* --- typing: keep a local copy until the server has it --- */
  document.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-autosave-key], form[data-backup-key]");
    if (!form) { return; }
    backup(form);
    if (form.dataset.autosaveKey) {
      var status = document.getElementById("autosave-status");
      if (status && status.dataset.msgTyping) { status.textContent = status.dataset.msgTyping; }
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-picker] input[type=search]")) { return; }
    event.preventDefault();
    var first = event.target.closest("[data-picker]").querySelector("[data-pick]");
    if (first) { pick(first); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-outcome]")) { toggleStage(event.target.closest("form")); }
    if (event.target.matches("[data-channel]")) { toggleChannel(event.target.closest("form")); }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-autosave-key]");
    if (form) { form.dataset.sending = JSON.stringify(snapshot(form)); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-autosave-key]");
    if (!form || !event.detail.successful) { return; }
    var sent = form.dataset.sending ? JSON.parse(form.dataset.sending) : null;
    if (sent && same(sent, snapshot(form)) && store()) { store().removeItem(form.dataset.autosaveKey); }
  });
  /* Picker results that arrive after the rep already picked (or left the field) are
     dropped, and the list closes when focus leaves the picker. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (target && target.classList.contains("picker-results") && elt &&
        elt.matches("input[type=search]") && document.activeElement !== elt) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("focusout", function (event) {
    var picker = event.target.closest && event.target.closest("[data-picker]");
    if (!picker) { return; }
    window.setTimeout(function () {
      if (!picker.contains(document.activeElement)) {
        var results = picker.querySelector(".picker-results");
        if (results) { results.innerHTML = ""; }
      }
    }, 250);
  });
  /* --- a comment typed but not sent goes with the evaluation form (review · next): the
     server posts it first, so leaving the page never drops it --- */
  document.addEventListener("submit", function (event) {
    var pending = event.target.querySelector && event.target.querySelector("[data-pending-comment]");
    var box = document.getElementById("id_comment_text");
    if (pending && box) { pending.value = box.value; }
  }, true);
  /* --- offline: a save that cannot reach the server stays on the phone (the local copy
     above) and is sent again as soon as the browser is back online --- */
  function offlineNote(form, show) {
    var note = form.querySelector("[data-offline-note]");
    if (!note && show) {
      note = document.createElement("div");
      note.className = "alert alert-warning small py-1 px-2 mt-2 mb-0";
      note.setAttribute("role", "status");
      note.setAttribute("data-offline-note", "");
      note.setAttribute("data-testid", "offline-note");
      note.textContent = document.body.dataset.msgOffline || "";
      form.appendChild(note);
    }
    if (note) { note.classList.toggle("d-none", !show); }
  }
  var pendingElt = new WeakMap();
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    var form = elt && (elt.matches("form") ? elt : elt.closest("form"));
    if (!form || !(form.dataset.autosaveKey || form.dataset.backupKey)) { return; }
    backup(form);
    form.dataset.pendingSend = elt === form ? "submit" : "change";
    pendingElt.set(form, elt);
    offlineNote(form, true);
  });
  function resend() {
    document.querySelectorAll("form[data-pending-send]").forEach(function (form) {
      var how = form.dataset.pendingSend;
      delete form.dataset.pendingSend;
      offlineNote(form, false);
      if (how === "submit") { form.requestSubmit(); }
      else if (window.htmx) { window.htmx.trigger(pendingElt.get(form) || form, "change"); }
    });
  }
  window.addEventListener("online", resend);
  document.addEventListener("htmx:afterSettle", function (event) { init(event.detail.elt || document); });
  document.addEventListener("DOMContentLoaded", function () { init(document); });

  /* --- keyboard: j / → next journal, k / ← previous (supervisor reading) --- */
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var t = event.target;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) { return; }
    var link = null;
    if (event.key === "j" || event.key === "ArrowRight") { link = document.querySelector("[data-nav-next]"); }
    if (event.key === "k" || event.key === "ArrowLeft") { link = document.querySelector("[data-nav-prev]"); }
    if (link && link.href) { event.preventDefault(); window.location.href = link.href; }
  });

})();
