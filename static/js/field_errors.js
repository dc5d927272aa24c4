// After a failed submit, a field's red error goes away once the person changes that field: what is still
// marked is what is still to fix. The server checks everything again on the next submit.
(function () {
  "use strict";
  function clear(event) {
    var field = event.target.closest(".field.has-error");
    if (!field) {
      return;
    }
    field.classList.remove("has-error");
    field.querySelectorAll(".errorlist").forEach(function (list) {
      list.remove();
    });
    field.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
  }
  document.addEventListener("input", clear);
  document.addEventListener("change", clear);
})();
