// Staff case page: find a published article by its title (/kb/manage/articles.json) and insert its link into
// the reply, whose kind becomes "knowledge-base link". The server counts it as sent when the reply is posted.
(function () {
  "use strict";
  var picker = document.querySelector("[data-kb-picker]");
  var body = document.querySelector("form textarea[name=body]");
  if (!picker || !body) return;
  var kind = body.form.querySelector("select[name=kind]");
  var search = picker.querySelector("input[type=search]");
  var results = picker.querySelector("[data-kb-results]");
  var timer = null;
  picker.hidden = false;

  function insert(article) {
    var link = "[" + article.title + "](" + article.url + ")";
    body.value = body.value.trim() ? body.value.replace(/\s+$/, "") + "\n\n" + link : link;
    if (kind) kind.value = "kb_link";
    body.focus();
  }

  function show(articles) {
    results.textContent = "";
    if (!articles.length) {
      var none = document.createElement("li");
      none.className = "muted small";
      none.textContent = "No published article matches.";
      results.appendChild(none);
      return;
    }
    articles.forEach(function (article) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "small-button button-secondary";
      button.textContent = "Insert";
      button.setAttribute("aria-label", "Insert a link to " + article.title);
      button.addEventListener("click", function () { insert(article); });
      item.appendChild(button);
      item.appendChild(document.createTextNode(" " + article.title));
      results.appendChild(item);
    });
  }

  search.addEventListener("input", function () {
    window.clearTimeout(timer);
    var text = search.value.trim();
    if (text.length < 2) { results.textContent = ""; return; }
    timer = window.setTimeout(function () {
      fetch(picker.dataset.kbPicker + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (answer) { show(answer.results); });
    }, 250);
  });
})();
