/* Back In Shape admin: the episode body editor (grows as you write, inserts the
   members-only divider at the cursor, and previews the cut live). A static file because
   the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  var DIVIDER = "<!-- members-only -->";

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function grow(textarea) {
    // CSSOM writes are allowed by the CSP (only style="" attributes are not).
    textarea.style.height = "auto";
    textarea.style.height = Math.max(textarea.scrollHeight + 4, 448) + "px";
  }

  function insertDivider(textarea) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var lead = "";
    if (before && !before.endsWith("\n\n")) {
      lead = before.endsWith("\n") ? "\n" : "\n\n";
    }
    var trail = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    var text = lead + DIVIDER + trail;
    textarea.value = before + text + after;
    var caret = before.length + text.length;
    textarea.setSelectionRange(caret, caret);
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUpEditor(editor) {
    var textarea = editor.querySelector("textarea");
    var url = editor.getAttribute("data-preview-url");
    var publicPart = editor.querySelector("[data-preview-public]");
    var marker = editor.querySelector("[data-preview-marker]");
    var membersPart = editor.querySelector("[data-preview-members]");
    var status = editor.querySelector("[data-preview-status]");
    var timer = null;
    var sequence = 0;

    function refresh() {
      var mine = ++sequence;
      var data = new FormData();
      data.append("body", textarea.value);
      status.textContent = "Updating the preview…";
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form) },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (result) {
          if (mine !== sequence) return;
          publicPart.innerHTML = result.public; // rendered and sanitised (nh3) by the server
          marker.hidden = result.members_only === null;
          membersPart.innerHTML = result.members_only || "";
          status.textContent = result.members_only === null
            ? "Preview up to date. No members-only part: everyone reads the whole article."
            : "Preview up to date. Readers without premium stop at the marker.";
        })
        .catch(function () {
          if (mine === sequence) status.textContent = "The preview could not be updated. Your text is safe; keep writing.";
        });
    }

    textarea.addEventListener("input", function () {
      grow(textarea);
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    editor.querySelector("[data-insert-divider]").addEventListener("click", function () {
      insertDivider(textarea);
    });
    grow(textarea);
    refresh();
  }

  // Select2 (the admin's autocomplete) draws a search box with no label of its own, and
  // redraws it on every change; name each one after its field's <label> (axe: label).
  function labelAutocompleteSearch() {
    document.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (input) {
      var container = input.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var label = select && select.id && document.querySelector("label[for='" + select.id + "']");
      input.setAttribute("aria-label", "Search " + (label ? label.textContent.replace(/:\s*$/, "") : "choices"));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-episode-editor]").forEach(setUpEditor);
    if (document.querySelector("select.admin-autocomplete")) {
      labelAutocompleteSearch();
      new MutationObserver(labelAutocompleteSearch).observe(document.body, { childList: true, subtree: true });
    }
  });
})();
