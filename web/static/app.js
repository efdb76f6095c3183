// Facturo console and portal: small progressive enhancements (no build step).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var open = e.target.closest("[data-open]");
    if (open) {
      var dlg = document.getElementById(open.getAttribute("data-open"));
      if (dlg && dlg.showModal) { dlg.showModal(); }
      return;
    }
    var close = e.target.closest("[data-close]");
    if (close) {
      var d = close.closest("dialog");
      if (d) { d.close(); }
    }
  });
  document.addEventListener("submit", function (e) {
    var f = e.target.closest("form[data-confirm]");
    if (f && !window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
  }, true);
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]")) { e.target.form.submit(); }
    if (e.target.id === "preset") { toggleCustom(); }
  });
  // Seed 004: typing an amount clears the quantity and the unit price.
  document.addEventListener("input", function (e) {
    var ids = e.target.getAttribute && e.target.getAttribute("data-clears");
    if (ids && e.target.value !== "") {
      ids.split(" ").forEach(function (id) { var el = document.getElementById(id); if (el) { el.value = ""; } });
    }
  });
  function toggleCustom() {
    var p = document.getElementById("preset");
    if (!p) { return; }
    document.querySelectorAll(".filters .custom").forEach(function (el) {
      el.hidden = p.value !== "custom";
    });
  }
  // A link to a section (#users) opens its collapsed <details>.
  function openTarget() {
    var id = location.hash.slice(1);
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  // A table wider than its box (on a phone) scrolls in its .table-wrap: the
  // wrap is then a focusable region named after the table, so the keyboard
  // can scroll it too (WCAG 2.1.1; axe's scrollable-region-focusable).
  function regionName(w) {
    var t = w.querySelector("table");
    var c = t && (t.getAttribute("aria-label") || (t.caption && t.caption.textContent));
    if (c) { return c.trim(); }
    var d = w.closest("details");
    if (d && d.querySelector("summary")) { return d.querySelector("summary").textContent.trim(); }
    for (var e = w.previousElementSibling; e; e = e.previousElementSibling) {
      if (/^H[1-4]$/.test(e.tagName)) { return e.textContent.trim(); }
    }
    return document.title;
  }
  function scrollRegions() {
    document.querySelectorAll(".table-wrap").forEach(function (w) {
      if (w.hasAttribute("tabindex") && !w.hasAttribute("data-auto-region")) { return; } // the page's own
      if (w.scrollWidth > w.clientWidth + 1) {
        if (!w.hasAttribute("data-auto-region")) {
          w.setAttribute("tabindex", "0");
          w.setAttribute("role", "region");
          w.setAttribute("aria-label", regionName(w));
          w.setAttribute("data-auto-region", "");
        }
      } else if (w.hasAttribute("data-auto-region")) {
        ["tabindex", "role", "aria-label", "data-auto-region"].forEach(function (a) { w.removeAttribute(a); });
      }
    });
  }
  var pending = false;
  function soon() {
    if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; scrollRegions(); }); }
  }
  document.addEventListener("DOMContentLoaded", scrollRegions);
  window.addEventListener("load", scrollRegions);
  window.addEventListener("resize", soon);
  document.addEventListener("toggle", scrollRegions, true); // a <details> opened
  document.addEventListener("htmx:afterSettle", scrollRegions);
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", toggleCustom);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
