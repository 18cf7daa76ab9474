// Enhancements only: every page works without this file.
(function (d) {
  "use strict";
  function note(name, show) {
    var el = d.querySelector("." + name);
    if (!el) return;
    el.hidden = !show;
    if (show) el.focus({preventScroll: true});
  }
  // A button stays pressed while its request travels, so an impatient second tap posts nothing.
  function hold(elt, busy) {
    if (!elt) return;
    var list = elt.tagName === "FORM" ? elt.querySelectorAll("button:not([type=button]),input[type=submit]")
      : elt.tagName === "BUTTON" ? [elt] : [];
    for (var i = 0; i < list.length; i++) list[i].disabled = busy;
  }
  d.addEventListener("htmx:beforeRequest", function (e) {
    // A link chosen in the folded menu: fold it again, the header is not swapped.
    var menu = d.querySelector("details.menu[open]");
    if (menu) menu.open = false;
    note("net-error", false);
    note("server-error", false);
    hold(e.detail.elt, true);
  });
  d.addEventListener("htmx:afterRequest", function (e) { hold(e.detail.elt, false); });
  // The form and what was typed stay on the page; only a message is shown.
  d.addEventListener("htmx:sendError", function () { note("net-error", true); });
  d.addEventListener("htmx:timeout", function () { note("net-error", true); });
  d.addEventListener("htmx:responseError", function () { note("server-error", true); });
  // Plain posts (not sent by htmx): hold the button after the browser has read its value.
  d.addEventListener("submit", function (e) {
    var form = e.target;
    // Clear-Site-Data empties the rest on sign-out, but Chromium keeps this tab's sessionStorage.
    if (form.hasAttribute("data-signout")) try { sessionStorage.clear(); } catch (err) { /* storage off */ }
    if (!e.defaultPrevented && form.method === "post") setTimeout(function () { hold(form, true); }, 0);
  });
  // Coming back with the Back button must not find the buttons still held.
  window.addEventListener("pageshow", function () {
    var forms = d.forms;
    for (var i = 0; i < forms.length; i++) hold(forms[i], false);
  });
  // htmx may have moved on since the header was drawn: come back to the page shown now.
  d.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-next]");
    if (a) a.search = a.search.replace(/next=[^&]*/, "next=" + encodeURIComponent(location.pathname + location.search));
  });
  // The home-screen app's worker keeps only static files and the offline page (core/pwa.py);
  // only for a signed-in member (signing in swaps the page in through htmx): sign-out clears
  // it, and the sign-in page does not bring it back.
  var worker = false;
  function register() {
    if (worker || !("serviceWorker" in navigator) || !d.querySelector("[data-signout]")) return;
    worker = true;
    navigator.serviceWorker.register("/sw.js").catch(function () { /* no worker: pages still work */ });
  }
  window.addEventListener("load", register);
  d.addEventListener("htmx:afterSettle", register);
})(document);
