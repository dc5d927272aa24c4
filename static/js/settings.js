// Settings: offer the device's time zone to someone still on UTC, where every new person starts.
(function () {
  "use strict";
  var select = document.getElementById("id_time_zone");
  var hint = document.getElementById("browser-zone");
  var button = document.getElementById("use-browser-zone");
  if (!select || !hint || !button || !window.Intl) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // Only for someone still on the UTC every new person starts with: a choice made is not second-guessed.
  if (select.value !== "UTC") return;
  if (!zone || zone === select.value || !select.querySelector("option[value='" + zone + "']")) return;
  button.textContent = "Use " + zone.replace(/_/g, " ") + ", your device's time zone";
  hint.hidden = false;
  button.addEventListener("click", function () {
    select.value = zone;
    hint.hidden = true;
    select.focus();
  });
})();
