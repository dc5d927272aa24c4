// Staff reply: choosing a macro fills the reply text and its response kind; the list shows the macros of
// the kind chosen (all when none is). Without JavaScript, "Use macro" does the same on the server.
(function () {
  "use strict";
  var select = document.querySelector("[data-macro-select]");
  if (!select) return;
  var form = select.form;
  var body = form.querySelector("textarea[name=body]");
  var kind = form.querySelector("select[name=kind]");

  function offerForKind() {
    var chosen = kind ? kind.value : "";
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      option.hidden = Boolean(chosen) && option.dataset.kind !== chosen;
    });
  }

  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) return;
    if (body.value.trim() && !window.confirm("Replace the text you typed with this macro?")) return;
    body.value = option.dataset.body;
    if (kind) kind.value = option.dataset.kind;
    body.focus();
  });
  if (kind) kind.addEventListener("change", offerForKind);
  offerForKind();
})();
