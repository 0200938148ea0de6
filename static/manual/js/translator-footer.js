// The translation editor's footer for users who may not publish the page (translators).
//
// wagtail-localize's React app makes the last of its actions the footer's primary button; for a
// translator that is "Stop Synced translation". This puts the manual's "Submit for review" first,
// as the primary action, and shows the app's own default action as a secondary button. The button
// submits a form that lives outside the app (templates/wagtail_localize/admin/edit_translation.html),
// so the app's own form and state are untouched.
(function () {
  "use strict";
  var form = document.getElementById("manual-submit-for-review");
  if (!form) {
    return;
  }
  function place(container) {
    if (container.querySelector("[data-manual-submit-for-review]")) {
      return;
    }
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "button";
    button.setAttribute("form", form.id);
    button.setAttribute("data-manual-submit-for-review", "");
    button.textContent = form.getAttribute("data-label");
    var appDefault = container.firstElementChild;
    if (appDefault) {
      appDefault.classList.add("button-secondary");
    }
    container.insertBefore(button, appDefault);
  }
  function find() {
    var container = document.querySelector(".js-translation-editor footer .w-dropdown-button");
    if (container) {
      place(container);
    }
  }
  new MutationObserver(find).observe(document.body, { childList: true, subtree: true });
  find();
})();
