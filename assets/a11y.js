/* Accessibility repairs, the connection-lost banner and the fullscreen button.

   Dash's own components leave a few ARIA faults that axe-core reports as serious
   (tests/test_browser_a11y.py); they are repaired here, as they appear:
   - a checklist / radio list is a role="listbox" of role="option" labels that hold
     real inputs (nested interactive, unnamed listbox): the native inputs inside
     their <fieldset> say it all, so the two roles go;
   - a dropdown's hidden focus catcher is aria-hidden yet in the tab order: the
     dropdown's own button takes the tab stop instead;
   - the date picker puts aria-expanded on a plain <div>: it moves to the input;
   - dcc.Upload's file input has no name: it gets the upload area's text.
   The page's language follows the view (layout.py sets ``lang`` on the shell;
   ``<html lang>`` is copied from it). When a callback fails for network reasons
   (no answer, or a gateway error), ``#connection-alert`` says the view is not up
   to date; the next answered callback hides it. Nothing here reaches the network
   but Dash's own requests. */
(function () {
  "use strict";

  var CALLBACK_PATH = "/_dash-update-component";

  function repairOptions(root) {
    root.querySelectorAll(".dash-options-list[role=listbox]").forEach(function (el) {
      el.removeAttribute("role");
    });
    root
      .querySelectorAll(".dash-options-list-option[role=option]")
      .forEach(function (el) {
        el.removeAttribute("role");
        el.removeAttribute("aria-selected");
      });
  }

  function repairDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (el) {
      if (el.getAttribute("tabindex") !== "-1") {
        el.setAttribute("tabindex", "-1");
      }
      var button = el.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled) {
        if (button.getAttribute("tabindex") !== "0") {
          button.setAttribute("tabindex", "0");
        }
      }
    });
  }

  function repairDatePickers(root) {
    root.querySelectorAll(".dash-datepicker-input-wrapper").forEach(function (el) {
      var input = el.querySelector("input.dash-datepicker-input");
      var expanded = el.getAttribute("aria-expanded");
      if (expanded !== null) {
        el.removeAttribute("aria-expanded");
        el.setAttribute("data-expanded", expanded);
        if (input) {
          input.setAttribute("aria-expanded", expanded);
        }
      }
      ["aria-haspopup", "aria-labelledby", "aria-disabled"].forEach(function (a) {
        if (el.hasAttribute(a)) {
          el.removeAttribute(a);
        }
      });
      if (input && input.getAttribute("role") !== "combobox") {
        input.setAttribute("role", "combobox");
        input.setAttribute("aria-haspopup", "dialog");
        if (!input.hasAttribute("aria-expanded")) {
          input.setAttribute("aria-expanded", "false");
        }
      }
    });
  }

  function repairUploads(root) {
    root.querySelectorAll("input[type=file]").forEach(function (el) {
      if (el.hasAttribute("aria-label") || (el.labels && el.labels.length)) {
        return;
      }
      var text = (el.parentElement && el.parentElement.textContent) || "";
      text = text.replace(/\s+/g, " ").trim().slice(0, 200);
      if (text) {
        el.setAttribute("aria-label", text);
      }
    });
  }

  function followLanguage() {
    var shell = document.getElementById("page-shell");
    var lang = shell && shell.getAttribute("lang");
    if (lang && document.documentElement.getAttribute("lang") !== lang) {
      document.documentElement.setAttribute("lang", lang);
    }
  }

  var scheduled = false;
  function repairAll() {
    scheduled = false;
    repairOptions(document);
    repairDropdowns(document);
    repairDatePickers(document);
    repairUploads(document);
    followLanguage();
  }

  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(repairAll);
    }
  }

  function start() {
    repairAll();
    new MutationObserver(schedule).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["aria-expanded", "tabindex", "role", "lang"]
    });
  }

  // --- connection lost ------------------------------------------------------

  function connectionAlert(show) {
    var el = document.getElementById("connection-alert");
    if (el && el.hidden === show) {
      el.hidden = !show;
    }
  }

  function isCallback(input) {
    var url = typeof input === "string" ? input : input && input.url;
    return typeof url === "string" && url.indexOf(CALLBACK_PATH) !== -1;
  }

  if (window.fetch && !window.fetch.__naringWrapped) {
    var original = window.fetch;
    var wrapped = function (input, init) {
      var promise = original.apply(this, arguments);
      if (!isCallback(input)) {
        return promise;
      }
      return promise.then(
        function (response) {
          // A gateway's answer: the app itself did not answer.
          connectionAlert([502, 504].indexOf(response.status) !== -1);
          return response;
        },
        function (error) {
          if (!(error && error.name === "AbortError")) {
            connectionAlert(true);
          }
          throw error;
        }
      );
    };
    wrapped.__naringWrapped = true;
    window.fetch = wrapped;
  }
  window.addEventListener("offline", function () {
    connectionAlert(true);
  });

  // --- fullscreen -----------------------------------------------------------

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".fullscreen-button");
    if (!button) {
      return;
    }
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(function () {});
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  });
  document.addEventListener("fullscreenchange", function () {
    var on = document.fullscreenElement ? "true" : "false";
    document.querySelectorAll(".fullscreen-button").forEach(function (b) {
      b.setAttribute("aria-pressed", on);
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
