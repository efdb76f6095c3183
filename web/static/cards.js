// Card entry on Stripe (no build step). The card is typed into Stripe.js's
// own field (an iframe from js.stripe.com), so its number never reaches
// Facturo: on submit the script asks Facturo for a SetupIntent
// (data-setup, answered as JSON), confirms it with stripe.confirmCardSetup
// (which runs 3-D Secure when the bank asks), and posts the form with only
// the resulting payment method id (pm_…) in payment_method_id.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || form.getAttribute("data-provider") !== "stripe") { return; }
  var errBox = document.getElementById("card-err");
  var mountEl = document.getElementById("card-element");
  var button = document.getElementById("add-card");

  function show(msg) {
    errBox.textContent = msg;
    errBox.hidden = false;
    mountEl.setAttribute("aria-invalid", "true");
  }
  function clear() {
    errBox.textContent = "";
    errBox.hidden = true;
    mountEl.removeAttribute("aria-invalid");
  }

  if (typeof window.Stripe !== "function") {
    show(form.getAttribute("data-unavailable"));
    button.disabled = true;
    return;
  }
  var stripe = window.Stripe(form.getAttribute("data-key"), { locale: form.getAttribute("data-lang") || "auto" });
  var card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount(mountEl);
  card.on("change", function (e) {
    if (e.error) { show(e.error.message); } else { clear(); }
  });

  var busy = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (busy) { return; }
    busy = true;
    button.disabled = true;
    clear();
    var done = function () { busy = false; button.disabled = false; };
    fetch(form.getAttribute("data-setup"), { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok || !body.client_secret) { throw new Error(body.error || form.getAttribute("data-failed")); }
          return stripe.confirmCardSetup(body.client_secret, { payment_method: { card: card } });
        });
      })
      .then(function (result) {
        if (result.error) { throw new Error(result.error.message || form.getAttribute("data-failed")); }
        var pm = result.setupIntent && result.setupIntent.payment_method;
        if (typeof pm === "object" && pm) { pm = pm.id; }
        if (!pm) { throw new Error(form.getAttribute("data-failed")); }
        form.elements.payment_method_id.value = pm;
        HTMLFormElement.prototype.submit.call(form);
      })
      .catch(function (err) {
        show((err && err.message) || form.getAttribute("data-failed"));
        done();
      });
  });
})();
