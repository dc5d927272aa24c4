// The queue: refresh the results every so often without losing filters, selection or scroll; select all;
// count the selection. No inline script (Content-Security-Policy): loaded with defer from queue.html.
(function () {
  "use strict";
  var results = document.getElementById("queue-results");
  if (!results) return;
  var seconds = parseInt(results.getAttribute("data-refresh-seconds"), 10) || 45;
  var counter = document.getElementById("bulk-count");

  function picks() {
    return results.querySelectorAll('input[type="checkbox"][name="case"]');
  }

  function countSelection() {
    var chosen = 0;
    picks().forEach(function (box) { if (box.checked) chosen += 1; });
    if (counter) counter.textContent = chosen ? "(" + chosen + " selected)" : "";
  }

  results.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("select-all")) {
      picks().forEach(function (box) { box.checked = target.checked; });
    }
    countSelection();
  });

  function refresh() {
    if (document.hidden) return;
    var active = document.activeElement;
    if (active && results.contains(active) && active.tagName !== "BODY" && active.type !== "checkbox") return;
    var kept = {};
    picks().forEach(function (box) { if (box.checked) kept[box.value] = true; });
    var focusedId = active && results.contains(active) ? active.id : "";
    var params = new URLSearchParams(window.location.search);
    params.set("partial", "1");
    fetch(window.location.pathname + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      // A 400 still carries the results (with what was ignored); anything else: try again next time.
      if (!response.ok && response.status !== 400) return null;
      return response.text();
    }).then(function (html) {
      if (html === null || html === undefined) return;
      var x = window.scrollX, y = window.scrollY;
      results.innerHTML = html;
      picks().forEach(function (box) { if (kept[box.value]) box.checked = true; });
      if (focusedId) {
        var again = document.getElementById(focusedId);
        if (again) again.focus({ preventScroll: true });
      }
      window.scrollTo(x, y);
      countSelection();
    }).catch(function () { /* offline for a moment: the next tick tries again */ });
  }

  window.setInterval(refresh, seconds * 1000);
  countSelection();
})();
