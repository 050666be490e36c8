// Back In Shape: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  // YouTube click-to-load: no request reaches YouTube until the visitor presses play.
  document.querySelectorAll(".video-facade[data-youtube-id]").forEach(function (facade) {
    var link = facade.querySelector(".video-facade__play");
    if (!link) return;
    link.addEventListener("click", function (event) {
      var id = facade.getAttribute("data-youtube-id");
      if (!/^[A-Za-z0-9_-]{11}$/.test(id)) return;
      event.preventDefault();
      var iframe = document.createElement("iframe");
      iframe.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1&rel=0";
      iframe.title = "Video: " + (facade.getAttribute("data-title") || "episode");
      iframe.allow = "accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture";
      iframe.allowFullscreen = true;
      iframe.referrerPolicy = "strict-origin-when-cross-origin";
      facade.replaceChildren(iframe);
      iframe.focus();
    });
  });

  // A form that came back with errors: move focus to its error summary so it is read out and
  // in view; each link in it focuses its field (GOV.UK error summary pattern).
  var summary = document.querySelector(".error-summary");
  if (summary) {
    // After load: the browser's own jump to the form's #fragment would otherwise take focus back.
    var focusSummary = function () { summary.focus(); };
    if (document.readyState === "complete") focusSummary();
    else window.addEventListener("load", focusSummary);
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        var label = target.closest("fieldset") || target.closest(".field") || target;
        label.scrollIntoView();
        target.focus({ preventScroll: true });
      });
    });
  }

  // Passkeys (allauth's static/mfa/js/webauthn.js): when the browser makes or uses none
  // (cancelled, timed out, not allowed here), allauth only logs it to the console. Say so at
  // the top of the page's panel instead, where a screen reader announces it.
  document.addEventListener("allauth.error", function (event) {
    var panel = document.querySelector(".auth__panel");
    if (!panel) return;
    event.preventDefault();
    var box = panel.querySelector(".passkey-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "notice notice--error passkey-error";
      box.setAttribute("role", "alert");
      panel.insertBefore(box, panel.firstChild);
    }
    box.textContent = "Your browser didn't make or use a passkey: it may have been cancelled " +
      "or timed out. Try again, or choose another way.";
  });

  // Ask before destructive actions (forms marked data-confirm).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
