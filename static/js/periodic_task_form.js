// Django admin, periodic tasks (django-celery-beat): under the crontab field's help, show the chosen schedule in
// words. django-celery-beat does this with an inline script, which our Content-Security-Policy does not run.
(function () {
  "use strict";
  var $ = window.django && window.django.jQuery;
  var data = document.getElementById("readable-crontabs");
  if (!$ || !data) return;
  var readableCrontabs = JSON.parse(data.textContent);
  var help = $(".field-crontab .help");
  var originalHelp = help.text().trim();

  $(".field-crontab_translation").hide();
  $(".field-crontab").on("change", function () {
    var translation = readableCrontabs[$("#id_crontab").val()];
    help.empty().append(document.createTextNode(originalHelp), $("<br>"),
                        document.createTextNode("Translation: " + (translation || "")));
  });
})();
