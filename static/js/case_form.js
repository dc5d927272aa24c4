// The case form: "we will respond by …" follows the severity (from the SLA preview API, the same code that sets
// the case's deadline), the end-of-support warning follows the version, and oversize files are caught early.
(function () {
  "use strict";
  var form = document.querySelector("form.case-form");
  if (!form) return;
  var promise = document.getElementById("promise");
  var timeZone = form.dataset.timeZone || undefined;

  function formatInstant(iso) {
    var options = { weekday: "long", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit",
                    hour12: false, timeZoneName: "short" };
    try {
      return new Intl.DateTimeFormat("en-US", Object.assign({ timeZone: timeZone }, options)).format(new Date(iso));
    } catch (e) {
      return new Intl.DateTimeFormat("en-US", options).format(new Date(iso));
    }
  }

  function updatePromise() {
    var checked = form.querySelector("input[name=requested_severity]:checked");
    if (!checked || !form.dataset.tier) return;
    var params = new URLSearchParams({ tier: form.dataset.tier, severity: checked.value,
                                       received_at: new Date().toISOString() });
    fetch(form.dataset.previewUrl + "?" + params.toString(), { credentials: "same-origin",
                                                                headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        promise.textContent = "";
        promise.append("We will respond by ");
        var strong = document.createElement("strong");
        var time = document.createElement("time");
        time.dateTime = answer.first_response_due;
        time.textContent = formatInstant(answer.first_response_due);
        strong.append(time);
        promise.append(strong, ".");
      });
  }

  var version = form.querySelector("select[name=version]");
  var product = form.querySelector("select[name=product]");
  var warning = document.getElementById("eos-warning");
  function updateVersion() {
    var option = version.options[version.selectedIndex];
    var end = option && option.dataset.endOfSupport;
    warning.hidden = !(end && end <= form.dataset.today);
    if (option && option.dataset.product && product.value !== option.dataset.product) {
      product.value = option.dataset.product;
    }
  }
  function filterVersions() {
    Array.prototype.forEach.call(version.options, function (option) {
      option.hidden = Boolean(product.value && option.dataset.product && option.dataset.product !== product.value);
    });
    var selected = version.options[version.selectedIndex];
    if (selected && selected.hidden) { version.value = ""; updateVersion(); }
  }

  var files = form.querySelector("input[type=file]");
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  function checkFiles() {
    var tooBig = Array.prototype.filter.call(files.files, function (file) { return file.size > maxBytes; });
    files.setCustomValidity(tooBig.length ? tooBig[0].name + " is larger than the limit." : "");
    files.reportValidity();
  }

  // Only colleagues who act for the chosen organization could read the case: offer only them.
  var organization = form.querySelector("select[name=organization]");
  function filterColleagues() {
    form.querySelectorAll("input[name=cc][data-organizations]").forEach(function (box) {
      var reach = box.dataset.organizations;
      var readable = !organization.value || reach === "all" || reach.split(" ").indexOf(organization.value) !== -1;
      box.closest("div").hidden = !readable;
      if (!readable) box.checked = false;
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target === organization) filterColleagues();
    if (event.target.name === "requested_severity") updatePromise();
    if (event.target === version) updateVersion();
    if (event.target === product) filterVersions();
    if (event.target === files) checkFiles();
  });
  if (version) { filterVersions(); updateVersion(); }
  if (organization) filterColleagues();
  updatePromise();
})();
