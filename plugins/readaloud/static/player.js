/* The read-aloud player (plugins/readaloud): play/pause, back 10 s, speed, the parts one after
   another, and where the member stopped sent to the server. Without it the page's plain
   <audio controls> and the "remember where I am" form still work. No inline script (CSP). */
(function () {
  "use strict";
  var SAVE_EVERY = 15000;

  function start(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var bar = root.querySelector(".player-bar");
    var playButton = bar.querySelector("[data-act=play]");
    var current = Math.max(0, (parseInt(root.dataset.part, 10) || 1) - 1);
    var resumeAt = parseFloat(root.dataset.seconds) || 0;
    var rate = 1;
    var lastSaved = Date.now();  // the first timed save comes SAVE_EVERY after the page opened

    function audios() { return root.querySelectorAll("audio"); }
    function now() { return audios()[current]; }

    function save() {
      var audio = now();
      var form = root.querySelector("form#where");
      if (!audio || !form) return;
      var data = new FormData(form);
      data.set("section", String(current + 1));
      data.set("seconds", String(Math.floor(audio.currentTime || 0)));
      lastSaved = Date.now();
      if (window.fetch) {
        fetch(root.dataset.url, {method: "POST", body: data, credentials: "same-origin", keepalive: true,
                                 headers: {"X-Readaloud": "position"}}).catch(function () {});
      }
      var select = form.querySelector("select[name=section]");
      if (select) select.value = String(current + 1);
    }

    function label() {
      var audio = now();
      var playing = audio && !audio.paused;
      playButton.textContent = playing ? playButton.dataset.pause : playButton.dataset.play;
    }

    function play(index) {
      var list = audios();
      if (index >= list.length) { label(); return; }
      for (var i = 0; i < list.length; i++) if (i !== index) list[i].pause();
      current = index;
      var audio = list[index];
      audio.playbackRate = rate;
      if (resumeAt) {
        var at = resumeAt;
        resumeAt = 0;
        audio.addEventListener("loadedmetadata", function () { audio.currentTime = at; }, {once: true});
        if (audio.readyState > 0) audio.currentTime = at;
      }
      var started = audio.play();
      if (started && started.catch) started.catch(function () { label(); });
    }

    Array.prototype.forEach.call(audios(), function (audio, index) { watch(audio, index); });

    function watch(audio, index) {
      audio.addEventListener("play", function () {
        if (current !== index) { var old = audios()[current]; if (old && old !== audio) old.pause(); }
        current = index;
        audio.playbackRate = rate;
        label();
      });
      audio.addEventListener("pause", function () { label(); if (!audio.ended) save(); });
      audio.addEventListener("timeupdate", function () {
        if (!audio.paused && Date.now() - lastSaved > SAVE_EVERY) save();
      });
      audio.addEventListener("ended", function () {
        if (index + 1 < audios().length) { play(index + 1); } else { save(); label(); }
      });
    }

    playButton.addEventListener("click", function () {
      var audio = now();
      if (audio && !audio.paused) audio.pause(); else play(current);
    });
    bar.querySelector("[data-act=back]").addEventListener("click", function () {
      var audio = now();
      if (!audio) return;
      if (audio.currentTime >= 10 || current === 0) {
        audio.currentTime = Math.max(0, audio.currentTime - 10);
      } else {  // into the end of the part before
        var left = 10 - audio.currentTime;
        audio.pause();
        var before = audios()[current - 1];
        current -= 1;
        resumeAt = before.duration ? Math.max(0, before.duration - left) : 0;
        play(current);
      }
    });
    Array.prototype.forEach.call(bar.querySelectorAll("[data-rate]"), function (button) {
      button.addEventListener("click", function () {
        rate = parseFloat(button.dataset.rate) || 1;
        Array.prototype.forEach.call(audios(), function (a) { a.playbackRate = rate; });
        Array.prototype.forEach.call(bar.querySelectorAll("[data-rate]"), function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
      });
    });
    window.addEventListener("pagehide", function () { var a = now(); if (a && !a.paused) save(); });
    bar.hidden = false;
    if (root.dataset.part) {
      var mark = root.querySelector("#part-" + root.dataset.part);
      if (mark) mark.classList.add("current");
    }
    root.readaloudWatch = watch;
  }

  // While the audio is being made: look again every few seconds, add the parts made since
  // (the ones playing are left alone) and the new state.
  function follow() {
    var state = document.getElementById("readaloud-state");
    if (!state || state.dataset.complete === "1" || !window.fetch || !window.DOMParser) return;
    setTimeout(function () {
      fetch(location.pathname, {credentials: "same-origin"}).then(function (r) { return r.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var newState = fresh.getElementById("readaloud-state");
          if (newState) { state.replaceWith(newState); }
          var player = document.querySelector("[data-player]");
          var freshPlayer = fresh.querySelector("[data-player]");
          if (!player && freshPlayer) {
            (newState || document.querySelector("h1")).after(freshPlayer);
            start(freshPlayer);
          } else if (player && freshPlayer) {
            var list = player.querySelector("ol.parts");
            Array.prototype.forEach.call(freshPlayer.querySelectorAll("ol.parts > li"), function (li) {
              if (!document.getElementById(li.id)) {
                list.appendChild(li);
                var audio = li.querySelector("audio");
                player.readaloudWatch(audio, player.querySelectorAll("audio").length - 1);
              }
            });
            var oldForm = player.querySelector("form#where");
            var newForm = freshPlayer.querySelector("form#where");
            if (oldForm && newForm) {
              oldForm.replaceWith(newForm);
              if (window.htmx) window.htmx.process(newForm);
            }
          }
          follow();
        }).catch(function () { follow(); });
    }, 5000);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-player]"), start);
    follow();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
