/* The alarm console: htmx reloads the table every few seconds; a NEW red alarm (one not seen
 * before in this browser tab) beeps (WebAudio, no file) and shows a browser notification, once the
 * user has switched alerts on — browsers allow sound and notifications only after a user gesture. */
(function () {
  "use strict";
  var toggle = document.getElementById("alert-toggle");
  var wrapper = document.getElementById("alarm-table-wrapper");
  if (!toggle || !wrapper) { return; }
  var SEEN_KEY = "yj-seen-red-alarms";
  var ENABLED_KEY = "yj-alarm-alerts";
  var audio = null;
  var watching = sessionStorage.getItem(SEEN_KEY) !== null;  // this tab already watched the console
  var seen = new Set(JSON.parse(sessionStorage.getItem(SEEN_KEY) || "[]"));

  function enabled() { return toggle.dataset.enabled === "1"; }

  function show(on) {
    toggle.dataset.enabled = on ? "1" : "0";
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? toggle.dataset.labelOn : toggle.dataset.labelOff;
    toggle.classList.toggle("btn-red", on);
  }

  function beep() {
    if (!audio) { return; }
    var start = audio.currentTime;
    [0, 0.3].forEach(function (offset) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = "square";
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.2);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.2);
    });
  }

  function notify(rows) {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    var body = rows.map(function (row) { return row.dataset.label; }).join("\n");
    var notification = new Notification(toggle.dataset.notifyTitle, { body: body, tag: "yj-red-alarm" });
    notification.onclick = function () { window.focus(); notification.close(); };
  }

  function remember() { sessionStorage.setItem(SEEN_KEY, JSON.stringify(Array.from(seen).slice(-500))); }

  /* Red, still active alarms not seen before; `alert` false on the first look at the page. */
  function scan(alert) {
    var fresh = [];
    wrapper.querySelectorAll("tr[data-red='1'][data-state='active']").forEach(function (row) {
      var id = row.dataset.alarmId;
      if (!seen.has(id)) { seen.add(id); fresh.push(row); }
    });
    remember();
    if (!alert || !fresh.length) { return; }
    fresh.forEach(function (row) { row.classList.add("yj-alarm-new"); });
    document.body.dataset.newRedAlarms = String(Number(document.body.dataset.newRedAlarms || 0) + fresh.length);
    if (enabled()) { beep(); notify(fresh); }
  }

  toggle.addEventListener("click", function () {
    var on = !enabled();
    if (on) {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context && !audio) { audio = new Context(); }
      if (audio && audio.state === "suspended") { audio.resume(); }
      if ("Notification" in window && Notification.permission === "default") { Notification.requestPermission(); }
      beep();  // lets the user hear what an alarm sounds like
    }
    localStorage.setItem(ENABLED_KEY, on ? "1" : "0");
    show(on);
  });

  // The handle dialog posts to the alarm of the button that opened it.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action='handle'][data-url]");
    if (button) { document.getElementById("handle-form").action = button.dataset.url; }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === wrapper) { scan(true); }
  });

  // Alerts stay switched on across reloads only as a wish: sound needs a new gesture after a reload.
  show(false);
  if (localStorage.getItem(ENABLED_KEY) === "1") { toggle.classList.add("btn-outline-red"); }
  scan(watching);
})();
