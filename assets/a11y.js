/* Accessibility repairs, the connection-lost banner and the fullscreen button.

   Dash's own components leave a few ARIA faults that axe-core reports as serious
   (tests/test_browser_a11y.py); they are repaired here, as they appear:
   - a checklist / radio list is a role="listbox" of role="option" labels that hold
     real inputs (nested interactive, unnamed listbox): the native inputs inside
     their <fieldset> say it all, so the two roles go;
   - a dropdown's hidden focus catcher is aria-hidden yet in the tab order: the
     dropdown's own button takes the tab stop instead;
   - the date picker puts aria-expanded on a plain <div>: it moves to the input,
     and its input is named by its placeholder: it takes its <label>'s text;
   - dcc.Upload's file input has no name: it gets the upload area's text.
   The page's language follows the view (layout.py sets ``lang`` on the shell;
   ``<html lang>`` is copied from it). When a callback fails for network reasons
   (no answer, or a gateway error), ``#connection-alert`` says the view is not up
   to date; the next answered callback hides it. Nothing here reaches the network
   but Dash's own requests. */
(function () {
  "use strict";

  var CALLBACK_PATH = "/_dash-update-component";

  // A dropdown's menu is a real listbox of options (keyboard and screen readers
  // rely on it): only checklists and radio lists are repaired.
  function inDropdown(el) {
    return Boolean(el.closest('[class*="dash-dropdown"]'));
  }

  function repairOptions(root) {
    root.querySelectorAll(".dash-options-list[role=listbox]").forEach(function (el) {
      if (!inDropdown(el)) {
        el.removeAttribute("role");
      }
    });
    root
      .querySelectorAll(".dash-options-list-option[role=option]")
      .forEach(function (el) {
        if (!inDropdown(el)) {
          el.removeAttribute("role");
          el.removeAttribute("aria-selected");
        }
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
      // Dash names the input by its placeholder (the date format), which hides
      // its <label>: the label's text is the name, the format stays visible.
      var label = input && input.id && input.labels && input.labels[0];
      var name = label && label.textContent.replace(/\s+/g, " ").trim();
      if (name && input.getAttribute("aria-label") !== name) {
        input.setAttribute("aria-label", name);
      }
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
      attributeFilter: ["aria-expanded", "aria-label", "tabindex", "role", "lang"]
    });
  }

  // --- the date picker's month and day names ---------------------------------
  // Dash's date picker formats with date-fns and takes its locale from
  // window.dateFns.locale (the first entry when none matches the browser): in the
  // Norwegian UI it gets this bokmål locale, in the English UI date-fns' own.

  function pageLang() {
    var lang = document.documentElement.getAttribute("lang");
    if (lang === "nb" || lang === "en") {
      return lang;
    }
    return /[?&]lang=en(&|$)/.test(window.location.search) ? "en" : "nb";
  }

  function picker(values) {
    return function (n, options) {
      var width = (options && options.width) || "wide";
      var list = values[width] || values.wide;
      return list[n];
    };
  }

  var NB_MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli",
    "august", "september", "oktober", "november", "desember"];
  var NB_DAYS = ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag",
    "lørdag"];
  var NB = {
    code: "nb",
    localize: {
      ordinalNumber: function (n) {
        return n + ".";
      },
      era: picker({ narrow: ["f.Kr.", "e.Kr."], abbreviated: ["f.Kr.", "e.Kr."],
        wide: ["før Kristus", "etter Kristus"] }),
      quarter: picker({ narrow: ["1", "2", "3", "4"],
        abbreviated: ["K1", "K2", "K3", "K4"],
        wide: ["1. kvartal", "2. kvartal", "3. kvartal", "4. kvartal"] }),
      month: picker({
        narrow: NB_MONTHS.map(function (m) { return m[0].toUpperCase(); }),
        abbreviated: ["jan.", "feb.", "mars", "apr.", "mai", "juni", "juli",
          "aug.", "sep.", "okt.", "nov.", "des."],
        wide: NB_MONTHS
      }),
      day: picker({
        narrow: ["S", "M", "T", "O", "T", "F", "L"],
        short: ["sø", "ma", "ti", "on", "to", "fr", "lø"],
        abbreviated: ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
        wide: NB_DAYS
      }),
      dayPeriod: picker({ narrow: { am: "a", pm: "p" }, abbreviated:
        { am: "a.m.", pm: "p.m." }, wide: { am: "a.m.", pm: "p.m." } })
    },
    formatLong: {
      date: function (o) {
        var w = (o && o.width) || "full";
        return { full: "EEEE d. MMMM y", long: "d. MMMM y", medium: "d. MMM y",
          short: "dd.MM.y" }[w];
      },
      time: function () {
        return "HH:mm";
      },
      dateTime: function () {
        return "{{date}} 'kl.' {{time}}";
      }
    },
    formatDistance: function (token, count) {
      return String(count);
    },
    formatRelative: function () {
      return "P";
    },
    match: {},
    options: { weekStartsOn: 1, firstWeekContainsDate: 4 }
  };
  window.dateFns = window.dateFns || {};
  Object.defineProperty(window.dateFns, "locale", {
    configurable: true,
    get: function () {
      return pageLang() === "nb" ? { nb: NB } : {};
    }
  });

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
