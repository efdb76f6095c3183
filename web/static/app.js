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
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", toggleCustom);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
