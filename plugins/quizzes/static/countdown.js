/* The attempt's countdown, ticking without a reload (progressive enhancement).
   The page already says, as the server counted it, how many seconds are left and at what clock
   time the attempt ends; this only counts that number down. It never reads the phone's clock
   as the deadline (a phone set to the wrong hour changes nothing): it measures the seconds
   elapsed since the page arrived and takes them off the server's figure. The server still
   refuses a late answer whatever this shows. Loaded once per full page; after an htmx swap it
   finds the new page's figure. */
(function () {
  "use strict";
  var d = document, timer = null;

  function words(el, left) {
    var m = Math.floor(left / 60), s = left % 60;
    return el.getAttribute("data-format").replace("%(m)s", m).replace("%(s)s", (s < 10 ? "0" : "") + s);
  }

  function start() {
    if (timer) { clearInterval(timer); timer = null; }
    var el = d.querySelector("[data-quizzes-left]");
    if (!el) return;
    var left = parseInt(el.getAttribute("data-quizzes-left"), 10);
    if (isNaN(left)) return;
    var since = Date.now(), last = since, spent = 0;
    function tick() {
      var now = Date.now();
      // Only the time that passed counts: a clock moved back counts nothing, one moved forward a second.
      spent += (now >= last && now - last < 3600000) ? now - last : 1000;
      last = now;
      var rest = Math.max(0, left - Math.floor(spent / 1000));
      el.textContent = words(el, rest);
      el.setAttribute("data-quizzes-now", String(rest));
      if (rest === 0) {
        clearInterval(timer); timer = null;
        var up = d.querySelector("[data-quizzes-up]");
        if (up) up.hidden = false;
      }
    }
    tick();
    timer = setInterval(tick, 1000);
  }

  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start); else start();
  d.addEventListener("htmx:afterSettle", start);
})();
