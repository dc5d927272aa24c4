// The new-case form suggests knowledge-base articles while the subject is typed (domain.md §7). The server
// answers only with articles the reader may read, and remembers which it showed in this form session (a random
// id drawn once per page load); an article opened from here is counted against it (deflection).
(function () {
  "use strict";
  var box = document.getElementById("kb-suggestions");
  var subject = document.querySelector("form.case-form input[name=subject]");
  if (!box || !subject || !window.fetch) return;
  var list = box.querySelector("ul");
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  var formSession = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  var timer = null;
  var asked = "";

  function show(results) {
    list.textContent = "";
    results.forEach(function (article) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = article.title;
      item.append(link);
      if (article.summary) {
        var summary = document.createElement("span");
        summary.className = "muted small";
        summary.textContent = " " + article.summary;
        item.append(summary);
      }
      list.append(item);
    });
    box.hidden = results.length === 0;
  }

  function ask() {
    var text = subject.value.trim();
    if (text === asked) return;
    asked = text;
    if (text.length < 3) { show([]); return; }
    var params = new URLSearchParams({ q: text, session: formSession });
    fetch(box.dataset.url + "?" + params.toString(), { credentials: "same-origin",
                                                       headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (answer) { if (text === asked) show(answer.results || []); })
      .catch(function () { show([]); });
  }

  // Debounced: one request once typing pauses, not one per key.
  subject.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 350);
  });
  if (subject.value.trim()) ask();
})();
